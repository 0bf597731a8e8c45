import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { openOrdersSql } from '../../../apps/server/src/execution/order-store.js';
import { indexDefinitions, openSchema, placeholders, planOf } from '../../support/schema.js';

/**
 * The planner asks for a strategy's open orders before each order of a signal. Both databases
 * must answer from the index of open orders, as the store runs the query (with parameters; on
 * PostgreSQL a named statement, whose generic plan cannot see the values), never by reading
 * every order the strategy ever placed.
 */
describe.each(['sqlite', 'postgres'] as const)('open orders on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const $ = (sql: string) => placeholders(kind, sql);

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it('keeps only pending and working orders in the open-orders index', async () => {
    const sql = (await indexDefinitions(dataSource, kind, 'orders')).get('ix_orders_open') ?? '';
    expect(sql).toMatch(/"?strategyId"?, "?ticker"?\)[\s\S]*WHERE[\s\S]*pending[\s\S]*working/i);
  });

  it.each([1, 3])('looks for open orders in %i ticker(s) through that index', async (tickers) => {
    const params = ['a-strategy', ...['NQ1!', 'ES1!', 'CL1!'].slice(0, tickers)];
    expect(await planOf(dataSource, kind, openOrdersSql(tickers), params)).toContain('ix_orders_open');
  });

  it('finds the open ones among a long history, and an order leaves the index as it fills', async () => {
    const insert = $(
      `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "accountId", "ticker", "side", "quantity", "type", "timeInForce", "status", "filledQuantity", "createdAt", "updatedAt") VALUES (?, ?, 's', 'a', ?, 'buy', 1, 'market', 'day', ?, 0, ?, ?)`,
    );
    const rows: [string, string, string][] = Array.from({ length: 300 }, (_, i) => [`f${i}`, 'NQ1!', 'filled']);
    rows.push(['w1', 'NQ1!', 'working'], ['p1', 'ES1!', 'pending'], ['c1', 'NQ1!', 'cancelled']);
    for (const [i, [id, ticker, status]] of rows.entries()) await dataSource.query(insert, [id, `c-${id}`, ticker, status, i, i]);
    const open = async (...tickers: string[]) =>
      ((await dataSource.query($(openOrdersSql(tickers.length)), ['s', ...tickers])) as { id: string }[]).map((r) => r.id).sort();
    expect(await open('NQ1!')).toEqual(['w1']);
    expect(await open('NQ1!', 'ES1!')).toEqual(['p1', 'w1']);
    await dataSource.query($(`UPDATE "orders" SET "status" = 'filled' WHERE "id" = ?`), ['w1']);
    expect(await open('NQ1!', 'ES1!')).toEqual(['p1']);
  });
});
