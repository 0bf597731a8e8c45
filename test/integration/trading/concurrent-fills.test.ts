import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker whose reports overlap, as a broker's stream may deliver them, none waiting for the last
 * to be booked:
 * - NQ: filled in one-contract pieces, all reported at once a moment after it acks the order
 *   working. Piece i is priced at the order's base price + i points: buys from 25,000, sells from 25,010.
 * - ES: filled whole while it answers — the fill, a status update ("working") and the ack at once.
 * - MNQ: rests; a cancel takes what is left after one contract filled, reported as it confirms.
 */
const SPLIT_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const resting = new Map();
    return {
      async placeOrder(order) {
        const brokerOrderId = 'S-' + order.clientOrderId;
        if (order.ticker === 'MNQ1!') {
          // Rests until cancelled; the cancel takes what is left after one contract filled.
          resting.set(order.clientOrderId, order);
          return { brokerOrderId, status: 'working' };
        }
        if (order.ticker === 'ES1!') {
          // Filled whole while it answers: the fill, a status update and the ack, none waiting for another.
          void ctx.reportFill({ fillId: order.clientOrderId + '-all', clientOrderId: order.clientOrderId, brokerOrderId, ticker: order.ticker,
            side: order.side, quantity: order.quantity, price: 6800, commission: 0, time: Date.now() }).catch(() => undefined);
          void ctx.reportOrderUpdate({ clientOrderId: order.clientOrderId, brokerOrderId, status: 'working' }).catch(() => undefined);
          return { brokerOrderId, status: 'working' };
        }
        const base = order.side === 'buy' ? 25000 : 25010;
        setTimeout(() => {
          for (let i = 0; i < order.quantity; i++)
            void ctx.reportFill({
              fillId: order.clientOrderId + '-' + i,
              clientOrderId: order.clientOrderId,
              brokerOrderId: 'S-' + order.clientOrderId,
              ticker: order.ticker,
              side: order.side,
              quantity: 1,
              price: base + i,
              commission: 0,
              time: Date.now(),
            }).catch(() => undefined);
        }, 20);
        return { brokerOrderId: 'S-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        const order = resting.get(clientOrderId);
        if (!order) return false;
        resting.delete(clientOrderId);
        void ctx.reportFill({ fillId: clientOrderId + '-before-cancel', clientOrderId, brokerOrderId: 'S-' + clientOrderId, ticker: order.ticker,
          side: order.side, quantity: 1, price: 25000, commission: 0, time: Date.now() }).catch(() => undefined);
        return true;
      },
    };
  },
};
`;

/**
 * Fills of one position booked at the same moment are each booked on what the one before left:
 * none is lost from the order's filled quantity, the position or the realized P&L. NQ: $20 a
 * point. Hand-computed: four buys at 25,000–25,003 (average 25,001.5), four sells at
 * 25,010–25,013; FIFO pairs them 10 points apart each, so 4 × 10 × $20 = $800 realized.
 */
describe.each(['sqlite', 'postgres'] as const)('partial fills reported at once (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let strategy: { id: string; webhookToken: string };
  let account: { id: string };

  const numbered = (sql: string) => {
    let n = 0;
    return kind === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  };
  const rows = <T>(sql: string, params: unknown[] = []) =>
    server.app.get(DatabaseService).dataSource.query(numbered(sql), params) as Promise<T[]>;
  const position = async () =>
    (
      await rows<{ quantity: unknown; avgPrice: unknown; realizedCents: unknown }>(
        'SELECT "quantity", "avgPrice", "realizedCents" FROM positions WHERE "strategyId" = ?',
        [strategy.id],
      )
    ).map((p) => ({
      quantity: Number(p.quantity),
      avgPrice: p.avgPrice === null ? null : Number(p.avgPrice),
      realizedCents: Number(p.realizedCents),
    }));
  const orders = async () =>
    ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[]).map((o) => ({
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filledQuantity,
      avgFillPrice: o.avgFillPrice,
      status: o.status,
    }));
  const fillCount = async () =>
    Number((await rows<{ n: unknown }>('SELECT count(*) AS "n" FROM fills WHERE "strategyId" = ?', [strategy.id]))[0].n);

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'split-broker': SPLIT_BROKER }));
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Split', broker: 'split-broker', brokerAccountId: 'S1' })).body;
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'split', accountId: account.id })).body;
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('books every piece of an order on the order, the position and the realized P&L', async () => {
    const buy = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 4,
      price: 25000,
    });
    expect(buy.status).toBe(202);
    await eventually(async () => (await fillCount()) === 4, 10_000, 'four buy fills');
    // Waited for, then compared in full: a piece lost shows in the difference.
    await eventually(async () => (await orders())[0]?.status === 'filled', 5_000).catch(() => undefined);
    expect(await orders()).toEqual([{ side: 'buy', quantity: 4, filledQuantity: 4, avgFillPrice: 25001.5, status: 'filled' }]);
    expect(await position()).toEqual([{ quantity: 4, avgPrice: 25001.5, realizedCents: 0 }]);

    const sell = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'sell',
      quantity: 4,
      price: 25010,
    });
    expect(sell.status).toBe(202);
    await eventually(async () => (await fillCount()) === 8, 10_000, 'four sell fills');
    await eventually(async () => (await orders()).every((o) => o.status === 'filled'), 5_000).catch(() => undefined);
    expect((await orders()).find((o) => o.side === 'sell')).toEqual({
      side: 'sell',
      quantity: 4,
      filledQuantity: 4,
      avgFillPrice: 25011.5,
      status: 'filled',
    });
    expect(await position()).toEqual([{ quantity: 0, avgPrice: null, realizedCents: 80_000 }]);
    const trades = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.items as { pnl: number }[];
    expect(trades).toHaveLength(4);
    expect(trades.reduce((sum, t) => sum + Math.round(t.pnl * 100), 0)).toBe(80_000);
  });

  it('leaves an order filled when its ack and a status update say working while its fill is booked', async () => {
    const sent = await Promise.all(
      [1, 2, 3].map(() => http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 2 })),
    );
    expect(sent.map((r) => r.status)).toEqual([201, 201, 201]);
    const es = async () =>
      (
        await rows<{ status: string; filledQuantity: unknown }>(
          'SELECT "status", "filledQuantity" FROM orders WHERE "accountId" = ? AND "ticker" = ?',
          [account.id, 'ES1!'],
        )
      ).map((o) => ({ status: o.status, filledQuantity: Number(o.filledQuantity) }));
    await eventually(async () => (await es()).every((o) => o.filledQuantity === 2), 10_000, 'three ES orders filled');
    // Every ack and update has been taken by now: they are answered before or with the fill's turn.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await es()).toEqual(Array(3).fill({ status: 'filled', filledQuantity: 2 }));
  });

  it('leaves an order cancelled when a piece filled before the cancel is reported with it', async () => {
    const placed = await http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'MNQ1!', side: 'buy', quantity: 3 });
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('working');
    const cancelled = await http(server.url, 'DELETE', `/api/orders/${placed.body.id}`);
    expect(cancelled.status).toBe(200);
    const mnq = async () =>
      (
        await rows<{ status: string; filledQuantity: unknown }>('SELECT "status", "filledQuantity" FROM orders WHERE "id" = ?', [
          placed.body.id,
        ])
      ).map((o) => ({ status: o.status, filledQuantity: Number(o.filledQuantity) }));
    await eventually(async () => (await mnq())[0].filledQuantity === 1, 10_000, 'the piece before the cancel booked');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await mnq()).toEqual([{ status: 'cancelled', filledQuantity: 1 }]);
  });

  it('books the pieces of two orders of one position placed at once on that position', async () => {
    // Manual orders: both held under no strategy, in one position. Pieces at 25,000 and 25,001 each.
    const placed = await Promise.all(
      [1, 2].map(() => http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'NQ1!', side: 'buy', quantity: 2 })),
    );
    expect(placed.map((r) => r.status)).toEqual([201, 201]);
    const manual = async () =>
      (
        await rows<{ quantity: unknown; avgPrice: unknown }>(
          'SELECT "quantity", "avgPrice" FROM positions WHERE "accountId" = ? AND "strategyId" = ? AND "ticker" = ?',
          [account.id, '', 'NQ1!'],
        )
      ).map((p) => ({ quantity: Number(p.quantity), avgPrice: Number(p.avgPrice) }));
    const manualFills = async () =>
      Number(
        (
          await rows<{ n: unknown }>('SELECT count(*) AS "n" FROM fills WHERE "accountId" = ? AND "strategyId" IS NULL AND "ticker" = ?', [
            account.id,
            'NQ1!',
          ])
        )[0].n,
      );
    await eventually(async () => (await manualFills()) === 4, 10_000, 'four manual fills');
    await eventually(async () => (await manual())[0]?.quantity === 4, 5_000).catch(() => undefined);
    expect(await manual()).toEqual([{ quantity: 4, avgPrice: 25000.5 }]);
  });
});
