import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../apps/server/src/config/load-config.js';
import { dataSourceOptions } from '../../../apps/server/src/database/data-source-options.js';
import { ENTITIES } from '../../../apps/server/src/entities.js';
import { openOrdersSql } from '../../../apps/server/src/execution/order-store.js';
import { createPostgresDatabase } from '../../support/app.js';

/**
 * The planner asks for a strategy's open orders before each order of a signal. Both databases
 * must answer from the index of open orders, as the store runs the query (with parameters; on
 * PostgreSQL a named statement, whose generic plan cannot see the values), never by reading
 * every order the strategy ever placed.
 */
describe.each(['sqlite', 'postgres'] as const)('open orders on %s', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-open-orders-'));
  let drop: (() => Promise<void>) | undefined;
  let dataSource: DataSource;
  const $ = (sql: string) =>
    kind === 'sqlite'
      ? sql
      : sql.replace(
          /\?/g,
          (
            (n) => () =>
              `$${++n}`
          )(0),
        );

  beforeAll(async () => {
    let url = '';
    if (kind === 'postgres') {
      const database = await createPostgresDatabase();
      url = database.url;
      drop = database.drop;
    }
    dataSource = new DataSource(dataSourceOptions(loadConfig({ env: {}, overrides: { dataDir, database: { url } } }), ENTITIES));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps only pending and working orders in the open-orders index', async () => {
    const definitions: { name: string; sql: string }[] =
      kind === 'sqlite'
        ? await dataSource.query(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'orders'`)
        : await dataSource.query(`SELECT "indexname" AS "name", "indexdef" AS "sql" FROM pg_indexes WHERE "tablename" = 'orders'`);
    const sql = definitions.find((d) => d.name === 'ix_orders_open')?.sql ?? '';
    expect(sql).toMatch(/"?strategyId"?, "?ticker"?\)[\s\S]*WHERE[\s\S]*pending[\s\S]*working/i);
  });

  it.each([1, 3])('looks for open orders in %i ticker(s) through that index', async (tickers) => {
    const query = openOrdersSql(tickers);
    const params = ['a-strategy', ...['NQ1!', 'ES1!', 'CL1!'].slice(0, tickers)];
    let plan: string;
    if (kind === 'sqlite') {
      const rows: { detail: string }[] = await dataSource.query(`EXPLAIN QUERY PLAN ${query}`, params);
      plan = rows.map((r) => r.detail).join('\n');
    } else {
      const runner = dataSource.createQueryRunner();
      try {
        // An empty table: without this the planner would rightly scan it. The generic plan is the
        // one a named statement settles on, made without the parameters' values.
        await runner.query('SET enable_seqscan = off');
        await runner.query('SET plan_cache_mode = force_generic_plan');
        await runner.query(`PREPARE open_orders AS ${$(query)}`);
        const rows: { 'QUERY PLAN': string }[] = await runner.query(
          `EXPLAIN EXECUTE open_orders(${params.map((p) => `'${p}'`).join(', ')})`,
        );
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await runner.query('DEALLOCATE ALL');
        await runner.query('RESET ALL');
        await runner.release();
      }
    }
    expect(plan).toContain('ix_orders_open');
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
