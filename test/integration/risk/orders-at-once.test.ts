import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that fills a market order whole at 6,800 a moment after it acks it working (as a real
 * one does: too late to cancel it), and rests every other order until it is cancelled.
 */
const SLOW_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const resting = new Set();
    return {
      async placeOrder(order) {
        const brokerOrderId = 'L-' + order.clientOrderId;
        if (order.type === 'market')
          setTimeout(() => void ctx.reportFill({ fillId: order.clientOrderId + '-f', clientOrderId: order.clientOrderId, brokerOrderId,
            ticker: order.ticker, side: order.side, quantity: order.quantity, price: 6800, commission: 0, time: Date.now() }).catch(() => undefined), 150);
        else resting.add(order.clientOrderId);
        return { brokerOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) { return resting.delete(clientOrderId); },
    };
  },
};
`;

/** A broker that fills the first order it gets at once and takes 4 s to answer every order after it. */
const STUCK_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    let orders = 0;
    return {
      async placeOrder(order) {
        const brokerOrderId = 'S-' + order.clientOrderId;
        if (orders++ === 0) {
          await ctx.reportFill({ fillId: order.clientOrderId + '-f', clientOrderId: order.clientOrderId, brokerOrderId, ticker: order.ticker,
            side: order.side, quantity: order.quantity, price: 6800, commission: 0, time: Date.now() });
          return { brokerOrderId, status: 'filled' };
        }
        await new Promise((resolve) => setTimeout(resolve, 4000));
        return { brokerOrderId, status: 'working' };
      },
      async cancelOrder() { return false; },
    };
  },
};
`;

/**
 * Orders sent at once, each checked before any of them filled: every position limit holds for
 * all of them together, and an order is closing only for what the closing orders before it leave.
 * Protective exits that close the same contracts (a bracket's take profit and stop) still pass.
 */
describe.each(['sqlite', 'postgres'] as const)('orders checked side by side (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;

  const numbered = (sql: string) => {
    let n = 0;
    return kind === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  };
  const held = async (accountId: string, key: string) =>
    Number(
      (
        (await server.app
          .get(DatabaseService)
          .dataSource.query(numbered('SELECT "quantity" FROM positions WHERE "accountId" = ? AND "strategyId" = ? AND "ticker" = ?'), [
            accountId,
            key,
            'ES1!',
          ])) as { quantity: unknown }[]
      )[0]?.quantity ?? 0,
    );
  const newAccount = async (name: string, risk?: Record<string, unknown>) =>
    (await http(server.url, 'POST', '/api/accounts', { name, broker: 'slow-broker', brokerAccountId: name, ...(risk ? { risk } : {}) }))
      .body as { id: string };
  const order = (body: Record<string, unknown>) => http(server.url, 'POST', '/api/orders', { ticker: 'ES1!', ...body });
  const settled = async (accountId: string, key: string, quantity: number) => {
    await eventually(async () => (await held(accountId, key)) === quantity, 5_000).catch(() => undefined);
    // Room for a fill that should not have happened to land too.
    await new Promise((resolve) => setTimeout(resolve, 400));
  };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'slow-broker': SLOW_BROKER, 'stuck-broker': STUCK_BROKER }));
  });
  afterAll(async () => {
    await close?.();
  });

  it("holds a strategy's position limit for orders sent at once", async () => {
    const account = await newAccount('strategy-limit');
    const strategy = (
      await http(server.url, 'POST', '/api/strategies', { name: 'at-most-one', accountId: account.id, risk: { maxPositionSize: 1 } })
    ).body as { id: string };
    const sent = await Promise.all([1, 2, 3].map(() => order({ strategyId: strategy.id, side: 'buy', quantity: 1 })));
    expect(sent.map((r) => r.status)).toEqual([201, 201, 201]);
    const statuses = sent.map((r) => r.body.status as string).sort();
    expect(statuses).toEqual(['rejected', 'rejected', 'working']);
    for (const refused of sent.filter((r) => r.body.status === 'rejected'))
      expect(refused.body.reason).toBe('risk limit: strategy "at-most-one" may hold at most 1 in ES1!; this order would make it 2');
    await settled(account.id, strategy.id, 1);
    expect(await held(account.id, strategy.id)).toBe(1);
  });

  it('lets a closing order close only what the closing orders before it leave', async () => {
    const account = await newAccount('account-limit', { maxPositionSize: 2 });
    expect((await order({ accountId: account.id, side: 'buy', quantity: 2 })).body.status).toBe('working');
    await settled(account.id, '', 2);
    // Three sells of 2 on a long 2: the first closes it, the second opens a short of 2 (the limit), the third is refused.
    const sent = await Promise.all([1, 2, 3].map(() => order({ accountId: account.id, side: 'sell', quantity: 2 })));
    expect(sent.map((r) => r.body.status as string).sort()).toEqual(['rejected', 'working', 'working']);
    expect(sent.find((r) => r.body.status === 'rejected')!.body.reason).toBe(
      'risk limit: account "account-limit" may hold at most 2 in ES1!; this order would make it 4',
    );
    await settled(account.id, '', -2);
    expect(await held(account.id, '')).toBe(-2);
  });

  it('closes a position once when two flattens come at once', async () => {
    const account = await newAccount('flattened-twice');
    expect((await order({ accountId: account.id, side: 'buy', quantity: 2 })).body.status).toBe('working');
    await settled(account.id, '', 2);
    const flattens = await Promise.all([1, 2].map(() => http(server.url, 'POST', '/api/positions/flatten', { accountId: account.id })));
    expect(flattens.map((r) => r.status)).toEqual([200, 200]);
    const sent = flattens.flatMap((r) => r.body.orders as { side: string; quantity: number }[]);
    expect(sent).toEqual([expect.objectContaining({ side: 'sell', quantity: 2 })]);
    await settled(account.id, '', 0);
    expect(await held(account.id, '')).toBe(0);
  });

  it('does not let a flatten whose broker does not answer hold up the next one for long', async () => {
    const stuck = (await http(server.url, 'POST', '/api/accounts', { name: 'stuck', broker: 'stuck-broker', brokerAccountId: 'stuck' }))
      .body as { id: string };
    expect((await order({ accountId: stuck.id, side: 'buy', quantity: 1 })).body.status).toBe('filled');
    const other = await newAccount('next-in-line');
    expect((await order({ accountId: other.id, side: 'buy', quantity: 1 })).body.status).toBe('working');
    await settled(other.id, '', 1);
    const stuckFlatten = http(server.url, 'POST', '/api/positions/flatten', { accountId: stuck.id });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const next = await http(server.url, 'POST', '/api/positions/flatten', { accountId: other.id });
    const tookMs = Date.now() - started;
    expect(next.status).toBe(200);
    expect(next.body.orders).toEqual([expect.objectContaining({ side: 'sell', quantity: 1 })]);
    // At most the wait for the one before (2 s) and its own work, not the stuck broker's 4 s.
    expect(tookMs).toBeLessThan(3_500);
    expect((await stuckFlatten).status).toBe(200);
  });

  it("passes both of a position's protective exits, each closing the same contracts, outside the trading window", async () => {
    const account = await newAccount('exits');
    expect((await order({ accountId: account.id, side: 'buy', quantity: 2 })).body.status).toBe('working');
    await settled(account.id, '', 2);
    // A window twelve hours away: only orders that reduce a position may pass now.
    const hour = (new Date().getUTCHours() + 12) % 24;
    const start = `${String(hour).padStart(2, '0')}:00`;
    const window = { start, end: `${String(hour).padStart(2, '0')}:30` };
    expect(
      (await http(server.url, 'PATCH', `/api/accounts/${account.id}`, { risk: { tradingWindow: window, timeZone: 'UTC' } })).status,
    ).toBe(200);
    const exits = await Promise.all([
      order({ accountId: account.id, side: 'sell', quantity: 2, type: 'limit', limitPrice: 6900 }),
      order({ accountId: account.id, side: 'sell', quantity: 2, type: 'stop', stopPrice: 6700 }),
    ]);
    expect(exits.map((r) => [r.body.status, r.body.reason ?? null])).toEqual([
      ['working', null],
      ['working', null],
    ]);
    // A third order the same way opens a short: refused by the window.
    const opening = await order({ accountId: account.id, side: 'sell', quantity: 3, type: 'limit', limitPrice: 6900 });
    expect(opening.body.status).toBe('rejected');
    expect(opening.body.reason).toMatch(/^risk limit: account "exits" trades only between/);
  });
});
