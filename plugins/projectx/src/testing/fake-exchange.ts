import { ORDER_TYPE, POSITION_TYPE, SIDE, STATUS, type PxContract, type PxOrder, type PxPosition, type PxTrade } from '../wire.js';

/** An order at the fake, with what matching needs. */
export interface FakeOrder extends PxOrder {
  trailPrice?: number | null;
  /** Trailing stops: the best price seen since placing (lowest ask for a buy, highest bid for a sell). */
  extreme?: number;
}

export interface ExchangeEvents {
  order(order: FakeOrder): void;
  trade(trade: PxTrade): void;
  position(position: PxPosition): void;
}

/** Month codes and two-digit year of a contract the fake lists as the front month (never really checked). */
export const FRONT = 'Z6';
export const NEXT = 'H7';

const contract = (
  root: string,
  symbol: string,
  tail: string,
  tickSize: number,
  tickValue: number,
  active: boolean,
  description: string,
): PxContract => ({
  id: `CON.F.US.${symbol}.${tail[0]}${Number(tail.slice(1)) + 20}`,
  name: `${root}${tail}`,
  description,
  tickSize,
  tickValue,
  activeContract: active,
  symbolId: `F.US.${symbol}`,
});

/** The fake's contract list: NQ, MNQ, ES, MES and a root outside Tradeloop's catalog (6E), each front month and the next. */
export function fakeContracts(): PxContract[] {
  const list: PxContract[] = [];
  for (const [root, symbol, tick, value, text] of [
    ['NQ', 'ENQ', 0.25, 5, 'E-mini NASDAQ-100'],
    ['MNQ', 'MNQ', 0.25, 0.5, 'Micro E-mini Nasdaq-100'],
    ['ES', 'EP', 0.25, 12.5, 'E-mini S&P 500'],
    ['MES', 'MES', 0.25, 1.25, 'Micro E-mini S&P 500'],
    ['6E', 'EU6', 0.00005, 6.25, 'Euro FX'],
  ] as const) {
    list.push(contract(root, symbol, NEXT, tick, value, false, `${text}: March 2027`));
    list.push(contract(root, symbol, FRONT, tick, value, true, `${text}: December 2026`));
  }
  return list;
}

/**
 * The fake's matching: market orders fill at the quote (buy at the ask, sell at the bid), limits at
 * the quote once it reaches them, stops once the quote touches them, trailing stops once the quote
 * comes back the trail distance from its best; every fill is a trade and moves the position.
 */
export class FakeExchange {
  readonly orders = new Map<number, FakeOrder>();
  readonly trades: PxTrade[] = [];
  readonly positions = new Map<string, PxPosition>();
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  feesPerContract = 0;
  private nextOrder = 7000;
  private nextTrade = 9000;
  private nextPosition = 300;

  constructor(private readonly events: ExchangeEvents) {}

  newOrderId(): number {
    return ++this.nextOrder;
  }

  add(order: FakeOrder): void {
    this.orders.set(order.id, order);
    this.events.order(order);
    this.match(order);
  }

  quote(contractId: string, bid: number, ask: number): void {
    this.quotes.set(contractId, { bid, ask });
    for (const order of [...this.orders.values()]) if (order.contractId === contractId) this.match(order);
  }

  cancel(order: FakeOrder): void {
    order.status = STATUS.cancelled;
    order.updateTimestamp = new Date().toISOString();
    this.events.order(order);
  }

  private match(order: FakeOrder): void {
    if (order.status !== STATUS.open) return;
    const quote = this.quotes.get(order.contractId);
    if (!quote) return;
    const buy = order.side === SIDE.buy;
    const touch = buy ? quote.ask : quote.bid;
    let price: number | undefined;
    if (order.type === ORDER_TYPE.market) price = touch;
    else if (order.type === ORDER_TYPE.limit) {
      if (buy ? touch <= order.limitPrice! : touch >= order.limitPrice!) price = touch;
    } else if (order.type === ORDER_TYPE.stop) {
      if (buy ? touch >= order.stopPrice! : touch <= order.stopPrice!) price = touch;
    } else if (order.type === ORDER_TYPE.trailingStop) {
      order.extreme = order.extreme === undefined ? touch : buy ? Math.min(order.extreme, touch) : Math.max(order.extreme, touch);
      if (buy ? touch >= order.extreme + order.trailPrice! : touch <= order.extreme - order.trailPrice!) price = touch;
    }
    if (price !== undefined) this.fill(order, price, order.size);
  }

  /** Fills an order (all of it, or `size` of it) at a price: a trade, the order's new status, the position. */
  fill(order: FakeOrder, price: number, size: number): PxTrade {
    const now = new Date().toISOString();
    const trade: PxTrade = {
      id: ++this.nextTrade,
      accountId: order.accountId,
      contractId: order.contractId,
      creationTimestamp: now,
      price,
      profitAndLoss: null,
      fees: Math.round(this.feesPerContract * size * 100) / 100,
      side: order.side,
      size,
      voided: false,
      orderId: order.id,
    };
    this.trades.push(trade);
    order.fillVolume = (order.fillVolume ?? 0) + size;
    order.filledPrice = price;
    if (order.fillVolume >= order.size) order.status = STATUS.filled;
    order.updateTimestamp = now;
    this.events.trade(trade);
    this.events.order(order);
    this.move(order.accountId, order.contractId, order.side === SIDE.buy ? size : -size, price);
    return trade;
  }

  private move(accountId: number, contractId: string, signed: number, price: number): void {
    const key = `${accountId}|${contractId}`;
    const current = this.positions.get(key);
    const before = current ? (current.type === POSITION_TYPE.short ? -current.size : current.size) : 0;
    const after = before + signed;
    const average =
      current && Math.sign(before) === Math.sign(signed)
        ? (current.averagePrice * Math.abs(before) + price * Math.abs(signed)) / Math.abs(after)
        : after !== 0 && Math.sign(after) !== Math.sign(before)
          ? price
          : (current?.averagePrice ?? price);
    const position: PxPosition = {
      id: current?.id ?? ++this.nextPosition,
      accountId,
      contractId,
      creationTimestamp: current?.creationTimestamp ?? new Date().toISOString(),
      type: after < 0 ? POSITION_TYPE.short : POSITION_TYPE.long,
      size: Math.abs(after),
      averagePrice: average,
    };
    if (after === 0) this.positions.delete(key);
    else this.positions.set(key, position);
    this.events.position(position);
  }
}
