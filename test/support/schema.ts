import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../apps/server/src/config/load-config.js';
import { dataSourceOptions } from '../../apps/server/src/database/data-source-options.js';
import { ENTITIES } from '../../apps/server/src/entities.js';
import { createPostgresDatabase } from './app.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The migrated schema on a SQLite file of its own or a PostgreSQL database of its own; `close` removes it. */
export async function openSchema(kind: DatabaseKind): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-schema-'));
  const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const dataSource = new DataSource(
    dataSourceOptions(loadConfig({ env: {}, overrides: { dataDir, database: { url: database?.url ?? '' } } }), ENTITIES),
  );
  await dataSource.initialize();
  return {
    dataSource,
    async close() {
      await dataSource.destroy();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `?` placeholders as the database takes them: SQLite's as written, PostgreSQL's numbered. */
export function placeholders(kind: DatabaseKind, sql: string): string {
  let n = 0;
  return kind === 'sqlite' ? sql : sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The plan a query with parameters gets, as the server runs it: on SQLite a prepared statement;
 * on PostgreSQL a named one's generic plan, made without the parameters' values (and with
 * sequential scans off: on an empty table the planner would rightly scan).
 */
export async function planOf(dataSource: DataSource, kind: DatabaseKind, query: string, params: (string | number)[]): Promise<string> {
  if (kind === 'sqlite') {
    const rows: { detail: string }[] = await dataSource.query(`EXPLAIN QUERY PLAN ${query}`, params);
    return rows.map((r) => r.detail).join('\n');
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SET enable_seqscan = off');
    await runner.query('SET plan_cache_mode = force_generic_plan');
    await runner.query(`PREPARE planned AS ${placeholders(kind, query)}`);
    const literals = params.map((p) => (typeof p === 'number' ? String(p) : `'${p.replace(/'/g, "''")}'`)).join(', ');
    const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN EXECUTE planned(${literals})`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await runner.query('DEALLOCATE ALL');
    await runner.query('RESET ALL');
    await runner.release();
  }
}

/** The definitions of a table's indexes, by name. */
export async function indexDefinitions(dataSource: DataSource, kind: DatabaseKind, table: string): Promise<Map<string, string>> {
  const rows: { name: string; sql: string }[] =
    kind === 'sqlite'
      ? await dataSource.query(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = ?`, [table])
      : await dataSource.query(`SELECT "indexname" AS "name", "indexdef" AS "sql" FROM pg_indexes WHERE "tablename" = $1`, [table]);
  return new Map(rows.map((r) => [r.name, r.sql ?? '']));
}

/** The numbers 1 to `count` as a query of one column, "i": rows in bulk, made by the database itself. */
export function series(kind: DatabaseKind, count: number): string {
  return kind === 'sqlite'
    ? `WITH RECURSIVE "n"("i") AS (SELECT 1 UNION ALL SELECT "i" + 1 FROM "n" WHERE "i" < ${count}) SELECT "i" FROM "n"`
    : `SELECT generate_series(1, ${count}) AS "i"`;
}
