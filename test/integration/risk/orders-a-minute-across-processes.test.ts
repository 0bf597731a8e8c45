import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptOrdersService } from '../../../apps/server/src/engine/script-orders.service.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { SHARED_ORDER_COUNTS, type SharedOrderCounts } from '../../../apps/server/src/risk/shared-order-counts.js';
import { StrategiesReader } from '../../../apps/server/src/strategies/strategies.reader.js';
import { dropRedisKeys, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';

const PREFIX = `orders-a-minute-${process.pid}-${Date.now()}`;
afterAll(() => dropRedisKeys(REDIS_URL, PREFIX));

/**
 * Two processes on one Redis and one database (SQLite: the count lives in Redis, not in either
 * database), each placing an account's orders. Before, each process counted the orders a minute
 * it had placed itself: a burst of 8 sent to both at once placed 6 on an account allowed 3, and a
 * script's orders (its strategy's events go to either process) were held to twice their limit.
 */
describe('orders a minute with two processes', () => {
  const servers: TestServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-orders-a-minute-'));

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const server = await startServer({
        dataDir,
        redisUrl: REDIS_URL,
        overrides: { queue: { prefix: PREFIX }, plugins: { disabled: ['sim-feed'] }, strategies: { maxOrdersPerMinute: 4 } },
      });
      server.app.get(MarketService).publish({ ticker: 'MES1!', bid: 6000, ask: 6000.25, time: Date.now() });
      servers.push(server);
    }
  }, 60_000);
  afterAll(async () => {
    for (const server of servers.reverse()) await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds an account to its orders a minute when both processes place its orders at once', async () => {
    const [first, second] = servers;
    const account = (
      await http(first.url, 'POST', '/api/accounts', {
        name: 'three a minute',
        broker: 'paper-broker',
        brokerAccountId: 'three-a-minute',
        risk: { maxOrdersPerMinute: 3 },
      })
    ).body;
    expect(account).toEqual(expect.objectContaining({ id: expect.any(String) }));
    const placed = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        http(i % 2 ? first.url : second.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'MES1!', side: 'buy', quantity: 1 }),
      ),
    );
    expect(placed.map((p) => p.status)).toEqual(Array(8).fill(201));
    const statuses = placed.map((p) => p.body.status as string);
    expect(statuses.filter((s) => s === 'filled')).toHaveLength(3);
    const refused = placed.filter((p) => p.body.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const { body } of refused) expect(body.reason).toBe('risk limit: account "three a minute" may place at most 3 orders a minute');
    // What the burst left: 3 bought, in the account's position as either process reads it.
    for (const server of servers) {
      const held = (await http(server.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[];
      expect(held.map((p) => p.quantity)).toEqual([3]);
    }
  }, 60_000);

  it("holds a strategy's script to its orders a minute when both processes run its calls at once", async () => {
    const [first, second] = servers;
    const created = (await http(first.url, 'POST', '/api/strategies', { name: 'busy script' })).body;
    // What each process's engine does with the orders a script call returned: 5 calls in each, one order each.
    const calls = await Promise.all(
      [first, second].flatMap((server, s) =>
        Array.from({ length: 5 }, async (_, i) => {
          const strategy = (await server.app.get(StrategiesReader).byId(created.id))!;
          const action = { kind: 'order', side: 'buy', ticker: 'MES1!', quantity: 1 };
          const source = { eventId: `tick-${s}-${i}`, webhookEventId: null, label: 'onTick' };
          return (await server.app.get(ScriptOrdersService).execute(strategy, [action], source))[0];
        }),
      ),
    );
    expect(calls.filter((note) => note === 'buy 1 MES1! market → filled')).toHaveLength(4);
    expect(calls.filter((note) => note === 'buy 1 MES1! refused: more than 4 orders in a minute')).toHaveLength(6);
    // The same call handled again (a redelivered event) places nothing new and counts its order once.
    const strategy = (await second.app.get(StrategiesReader).byId(created.id))!;
    const replayed = calls.findIndex((note) => note.endsWith('→ filled'));
    const again = await second.app
      .get(ScriptOrdersService)
      .execute(strategy, [{ kind: 'order', side: 'buy', ticker: 'MES1!', quantity: 1 }], {
        eventId: `tick-${Math.floor(replayed / 5)}-${replayed % 5}`,
        webhookEventId: null,
        label: 'onTick',
      });
    expect(again).toEqual(['buy 1 MES1! market → filled']);
    const placed = (await http(first.url, 'GET', `/api/orders?strategyId=${created.id}&limit=20`)).body.items as any[];
    expect(placed).toHaveLength(4);
  }, 60_000);

  // Last: it closes the second process's connection for the count.
  it('refuses an opening order it cannot count, saying why, and lets a close through', async () => {
    const [first, second] = servers;
    const account = (
      await http(first.url, 'POST', '/api/accounts', {
        name: 'uncounted',
        broker: 'paper-broker',
        brokerAccountId: 'uncounted',
        risk: { maxOrdersPerMinute: 5 },
      })
    ).body;
    const order = (side: 'buy' | 'sell') =>
      http(second.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'MES1!', side, quantity: 1 });
    expect((await order('buy')).body.status).toBe('filled');
    await second.app.get<SharedOrderCounts>(SHARED_ORDER_COUNTS).close();
    const refused = (await order('buy')).body;
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toMatch(/^risk limit: the orders a minute could not be counted across processes \(Redis: .+\)$/);
    // Not in flight: the position is as it was, and a close (never held to a rate) goes through.
    expect((await order('sell')).body.status).toBe('filled');
    const held = (await http(second.url, 'GET', `/api/positions?accountId=${account.id}&includeFlat=true`)).body as any[];
    expect(held.map((p) => p.quantity)).toEqual([0]);
  }, 60_000);
});
