import type { OrderSide } from '@tradeloop/contracts';
import { randomUUID } from 'node:crypto';
import type { Order } from '../../apps/server/src/execution/order.entity.js';
import { LedgerService } from '../../apps/server/src/ledger/ledger.service.js';
import { MarketService } from '../../apps/server/src/market/market.service.js';
import type { TestServer } from './app.js';

export interface TestFill {
  strategyId: string | null;
  accountId: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  price: number;
  /** ISO 8601 or epoch ms. */
  time: string | number;
  /** Dollars for the whole fill. */
  commission?: number;
}

export const ms = (time: string | number) => (typeof time === 'number' ? time : Date.parse(time));

/** Books fills straight into the ledger (as a broker fill would arrive), at the times given. */
export function fillBooker(server: TestServer) {
  const ledger = server.app.get(LedgerService);
  return async (...fills: TestFill[]) => {
    for (const f of fills) {
      const time = ms(f.time);
      const order = {
        id: randomUUID(),
        clientOrderId: randomUUID(),
        strategyId: f.strategyId,
        accountId: f.accountId,
        eventId: null,
        ticker: f.ticker,
        side: f.side,
        quantity: f.quantity,
        type: 'market',
        limitPrice: null,
        stopPrice: null,
        status: 'working',
        filledQuantity: 0,
        avgFillPrice: null,
        brokerOrderId: null,
        reason: null,
        createdAt: time,
        updatedAt: time,
      } as Order;
      const booked = await ledger.bookFill(order, {
        fillId: randomUUID(),
        clientOrderId: order.clientOrderId,
        brokerOrderId: 'test',
        ticker: f.ticker,
        side: f.side,
        quantity: f.quantity,
        price: f.price,
        commission: f.commission ?? 0,
        time,
      });
      if (!booked) throw new Error('fill was not booked');
    }
  };
}

/** Puts a quote in the server's quote cache, as a data feed would. */
export function quote(server: TestServer, ticker: string, bid: number, ask: number, time = Date.now()) {
  server.app.get(MarketService).publish({ ticker, bid, ask, time });
}
