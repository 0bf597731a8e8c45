import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../apps/server/src/config/load-config.js';
import { dataSourceOptions } from '../../../apps/server/src/database/data-source-options.js';
import { ENTITIES } from '../../../apps/server/src/entities.js';
import { SAME_BODY, SAME_KEY } from '../../../apps/server/src/webhooks/webhooks.service.js';
import { createPostgresDatabase } from '../../support/app.js';

/**
 * The intake's duplicate checks run on every alert; their indexes hold only the rows that have the
 * key (an alert's id, or the hash of a body without one). Both databases must still answer each
 * check from its index, as the intake runs it: with parameters (on PostgreSQL a named statement,
 * whose generic plan cannot see the values).
 */
describe.each(['sqlite', 'postgres'] as const)('the duplicate checks on %s', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-event-keys-'));
  let drop: (() => Promise<void>) | undefined;
  let dataSource: DataSource;

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

  it('keeps index entries only for rows that have the key', async () => {
    const definitions: { name: string; sql: string }[] =
      kind === 'sqlite'
        ? await dataSource.query(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'webhook_events'`)
        : await dataSource.query(`SELECT "indexname" AS "name", "indexdef" AS "sql" FROM pg_indexes WHERE "tablename" = 'webhook_events'`);
    const sql = (name: string) => definitions.find((d) => d.name === name)?.sql ?? '';
    expect(sql('uq_webhook_events_strategy_key')).toMatch(/UNIQUE INDEX[\s\S]*WHERE[\s\S]*idempotencyKey"?\)? IS NOT NULL/i);
    expect(sql('ix_webhook_events_body')).toMatch(/WHERE[\s\S]*bodyHash"?\)? IS NOT NULL/i);
  });

  it.each([
    ['the same id', SAME_KEY, 'uq_webhook_events_strategy_key', ['a-strategy', 'alert-1']],
    ['the same body within the window', SAME_BODY, 'ix_webhook_events_body', ['a-strategy', 'f'.repeat(64), 0]],
  ])('looks for %s through its index', async (_, query, index, params) => {
    let plan: string;
    if (kind === 'sqlite') {
      const rows: { detail: string }[] = await dataSource.query(`EXPLAIN QUERY PLAN ${query}`, params);
      plan = rows.map((r) => r.detail).join('\n');
    } else {
      let n = 0;
      const runner = dataSource.createQueryRunner();
      try {
        // An empty table: without this the planner would rightly scan it. The generic plan is the
        // one a named statement settles on, made without the parameters' values.
        await runner.query('SET enable_seqscan = off');
        await runner.query('SET plan_cache_mode = force_generic_plan');
        await runner.query(`PREPARE duplicate_check AS ${query.replace(/\?/g, () => `$${++n}`)}`);
        const literals = params.map((p) => (typeof p === 'number' ? String(p) : `'${p}'`)).join(', ');
        const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN EXECUTE duplicate_check(${literals})`);
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await runner.query('DEALLOCATE ALL');
        await runner.query('RESET ALL');
        await runner.release();
      }
    }
    expect(plan).toContain(index);
  });

  it('refuses a second row with the same id for the strategy, and takes any number without one', async () => {
    const insert = (id: string, key: string | null) =>
      dataSource.query(
        kind === 'sqlite'
          ? `INSERT INTO "webhook_events" ("id", "strategyId", "idempotencyKey", "status", "alert", "receivedAt") VALUES (?, 's', ?, 'done', '{}', 1) ON CONFLICT DO NOTHING`
          : `INSERT INTO "webhook_events" ("id", "strategyId", "idempotencyKey", "status", "alert", "receivedAt") VALUES ($1, 's', $2, 'done', '{}', 1) ON CONFLICT DO NOTHING`,
        [id, key],
      );
    for (const [id, key] of [
      ['e1', 'k'],
      ['e2', 'k'],
      ['e3', null],
      ['e4', null],
    ] as const)
      await insert(id, key);
    const rows: { id: string }[] = await dataSource.query(`SELECT "id" FROM "webhook_events" WHERE "strategyId" = 's' ORDER BY "id"`);
    expect(rows.map((r) => r.id)).toEqual(['e1', 'e3', 'e4']);
  });
});
