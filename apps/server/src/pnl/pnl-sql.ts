import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';

/** A bigint or count as SQLite (number) or PostgreSQL (string) returns it. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
export const maybeNum = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * Hand-written SQL for the P&L hot paths (multi-row upserts, grouped reads), portable between
 * SQLite and PostgreSQL: identifiers are double-quoted, placeholders written `?` and numbered for
 * PostgreSQL.
 */
@Injectable()
export class PnlSql {
  constructor(readonly database: DatabaseService) {}

  get postgres(): boolean {
    return this.database.type === 'postgres';
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    const text = this.postgres ? numbered(sql) : sql;
    return (manager ?? this.database.dataSource.manager).query(text, params) as Promise<T[]>;
  }

  /** Runs a write inside a transaction; resolves to the number of rows it changed. */
  async execute(manager: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
    if (!manager.queryRunner) throw new Error('execute() needs a transaction manager');
    const result = await manager.queryRunner.query(this.postgres ? numbered(sql) : sql, params, true);
    return result.affected ?? 0;
  }

  /**
   * `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET every other column`. SQLite gets
   * statements of 64 rows at most, so the few shapes there are stay in the prepared-statement
   * cache instead of a new thousand-row statement being compiled every pass; PostgreSQL gets
   * fewer, bigger ones (each is a round trip).
   */
  async upsert(manager: EntityManager, table: string, columns: string[], key: string[], rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const update = columns.filter((c) => !key.includes(c)).map((c) => `"${c}" = excluded."${c}"`);
    const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `;
    const tail = ` ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${update.join(', ')}`;
    const perRow = `(${columns.map(() => '?').join(', ')})`;
    const chunk = this.postgres ? Math.floor(30_000 / columns.length) : 64;
    for (let i = 0; i < rows.length; i += chunk) {
      const slice = rows.slice(i, i + chunk);
      const params: unknown[] = [];
      for (const row of slice) for (const value of row) params.push(value);
      await this.query(head + Array.from(slice, () => perRow).join(', ') + tail, params, manager);
    }
  }
}

/** `?` → `$1, $2, …` (the SQL here never holds a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
