import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';

const TABLES = ['webhook_events', 'orders', 'fills'] as const;

/**
 * A strategy's events, orders and fills are listed by strategy apart from their writing
 * (StrategyListing): on SQLite within a second, PostgreSQL as it writes them. Whichever part a
 * row is in, the admin's lists show the same.
 */
describe.each(['sqlite', 'postgres'] as const)('a running server lists a strategy’s rows on %s', (kind) => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let server: TestServer;
  let strategies: { id: string; webhookToken: string }[];

  const unlisted = async (dataSource: DataSource) => {
    const counts: Record<string, number> = {};
    for (const table of TABLES)
      counts[table] = Number((await dataSource.query(`SELECT count(*) AS "n" FROM "${table}" WHERE "listedStrategyId" IS NULL`))[0].n);
    return counts;
  };
  const lists = async (strategyId: string) => ({
    events: (await http(server.url, 'GET', `/api/events?strategyId=${strategyId}&limit=100`)).body.map((e: { id: string }) => e.id),
    orders: (await http(server.url, 'GET', `/api/orders?strategyId=${strategyId}&limit=100`)).body,
    fills: (await http(server.url, 'GET', `/api/fills?strategyId=${strategyId}&limit=100`)).body,
    lastSignalAt: (await http(server.url, 'GET', `/api/strategies/${strategyId}`)).body.lastSignalAt,
  });
  const trade = async (action: 'buy' | 'sell', price: number) => {
    for (const strategy of strategies) {
      const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action, quantity: 1, price });
      expect(response.status).toBe(202);
    }
  };

  beforeAll(async () => {
    if (kind === 'postgres') database = await createPostgresDatabase();
    server = await startServer({ databaseUrl: database?.url, overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategies = [];
    for (const name of ['listed a', 'listed b']) strategies.push((await http(server.url, 'POST', '/api/strategies', { name })).body);
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('shows the same events, orders, fills and last signal before and after the rows are listed', async () => {
    await trade('buy', 25000);
    await trade('sell', 25010);
    const dataSource = server.app.get(DataSource);
    const [a] = strategies;
    const filled = async () => (await http(server.url, 'GET', `/api/fills?strategyId=${a.id}&limit=100`)).body.total === 2;
    await eventually(filled, 10_000, 'both fills of the first strategy');
    const before = await lists(a.id);
    expect(before.events).toHaveLength(2);
    expect(before.orders.total).toBe(2);
    expect(before.fills.items.map((f: { price: number }) => f.price)).toEqual([25010, 25000]);
    expect(before.lastSignalAt).not.toBeNull();
    // PostgreSQL writes them listed; SQLite lists them within a second or so.
    if (kind === 'postgres') expect(await unlisted(dataSource)).toEqual({ webhook_events: 0, orders: 0, fills: 0 });
    await eventually(async () => Object.values(await unlisted(dataSource)).every((n) => n === 0), 5_000, 'every row listed');
    const listed: { strategyId: string; listedStrategyId: string }[] = await dataSource.query(
      `SELECT "strategyId", "listedStrategyId" FROM "orders" WHERE "strategyId" = '${a.id}'`,
    );
    expect(listed.map((row) => row.listedStrategyId)).toEqual([a.id, a.id]);
    expect(await lists(a.id)).toEqual(before);
  });
});
