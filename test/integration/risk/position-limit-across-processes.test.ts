import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { installBrokerPlugin, lateFillingBroker } from '../../support/broker-plugin.js';

const PREFIX = `position-limit-${process.pid}-${Date.now()}`;
afterAll(() => dropRedisKeys(REDIS_URL, PREFIX));

/**
 * Two processes on one Redis and one database (SQLite: the orders in flight live in Redis, not in
 * either database), each placing an account's orders, with a broker that fills 3 s after its ack:
 * the burst's orders are all in flight while the others are checked. Before, each process counted
 * only the orders it had sent itself beside the positions: a burst of 8 sent to both at once left
 * 6 working, and then held, on an account allowed 3 contracts (by its position limit, or by its
 * prop-firm rules).
 */
describe("an account's position limit with two processes", () => {
  const servers: TestServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-position-limit-'));
  const plugins = mkdtempSync(join(tmpdir(), 'tradeloop-position-limit-brokers-'));

  beforeAll(async () => {
    installBrokerPlugin(plugins, 'slow-fills', lateFillingBroker(3000));
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startServer({
          dataDir,
          redisUrl: REDIS_URL,
          overrides: { queue: { prefix: PREFIX }, plugins: { dir: plugins, disabled: ['sim-feed'] } },
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    for (const server of servers.reverse()) await server.close();
    for (const folder of [dataDir, plugins]) rmSync(folder, { recursive: true, force: true });
  });

  it('lets exactly the room through of a burst both processes place at once, and the room a fill frees', async () => {
    const [first, second] = servers;
    const account = (
      await http(first.url, 'POST', '/api/accounts', {
        name: 'three at most',
        broker: 'slow-fills',
        brokerAccountId: 'three-at-most',
        risk: { maxPositionSize: 3 },
      })
    ).body;
    const order = (server: TestServer, side: 'buy' | 'sell') =>
      http(server.url, 'POST', '/api/orders', { accountId: account.id, ticker: 'MES1!', side, quantity: 1 });
    const placed = (await Promise.all(Array.from({ length: 8 }, (_, i) => order(i % 2 ? first : second, 'buy')))).map((p) => p.body);
    expect(placed.filter((o) => o.status === 'working')).toHaveLength(3);
    const refused = placed.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const { reason } of refused)
      expect(reason).toMatch(/^risk limit: account "three at most" may hold at most 3 in MES1!; this order would make it [4-9]$/);

    // Once they have filled: 3 held in either process's view, and no more room.
    const held = async (server: TestServer) =>
      ((await http(server.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[]).map((p) => p.quantity);
    await eventually(async () => (await held(first))[0] === 3 || undefined, 15_000, 'the three buys filled');
    expect(await held(second)).toEqual([3]);
    expect((await order(second, 'buy')).body.reason).toBe(
      'risk limit: account "three at most" may hold at most 3 in MES1!; this order would make it 4',
    );
    // A sell in one process, once filled, makes room for one buy in the other: nothing is left in flight holding it.
    expect((await order(first, 'sell')).body.status).toBe('working');
    await eventually(async () => (await held(second))[0] === 2 || undefined, 15_000, 'the sell filled');
    expect((await order(second, 'buy')).body.status).toBe('working');
    expect((await order(first, 'buy')).body.reason).toBe(
      'risk limit: account "three at most" may hold at most 3 in MES1!; this order would make it 4',
    );
    await eventually(async () => (await held(first))[0] === 3 || undefined, 15_000, 'the last buy filled');
  }, 60_000);

  it('holds an account to its prop-firm contract limit when both processes place its orders at once', async () => {
    const [first, second] = servers;
    const account = (await http(first.url, 'POST', '/api/accounts', { name: 'prop', broker: 'slow-fills', brokerAccountId: 'prop' })).body;
    const rules = await http(second.url, 'PUT', `/api/accounts/${account.id}/rules`, {
      rules: { startingBalance: 50000, timeZone: 'UTC', dayStart: '00:00', contracts: { max: 3, microsPerMini: 10 } },
    });
    expect(rules.status).toBe(200);
    const placed = (
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          http((i % 2 ? first : second).url, 'POST', '/api/orders', { accountId: account.id, ticker: 'ES1!', side: 'buy', quantity: 1 }),
        ),
      )
    ).map((p) => p.body);
    expect(placed.filter((o) => o.status === 'working')).toHaveLength(3);
    const refused = placed.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const { reason } of refused) expect(reason).toMatch(/account rules: max contracts/);
    const held = async () =>
      ((await http(first.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[]).map((p) => p.quantity);
    await eventually(async () => (await held())[0] === 3 || undefined, 15_000, 'the three buys filled');
  }, 60_000);
});
