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
   * `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET every other column`, in chunks that
   * stay under both databases' parameter limits.
   */
  async upsert(manager: EntityManager, table: string, columns: string[], key: string[], rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const perRow = `(${columns.map(() => '?').join(', ')})`;
    const update = columns.filter((c) => !key.includes(c)).map((c) => `"${c}" = excluded."${c}"`);
    // SQLite takes up to 32,766 parameters a statement, PostgreSQL 65,535.
    const chunk = Math.max(1, Math.floor(30_000 / columns.length));
    for (let i = 0; i < rows.length; i += chunk) {
      const slice = rows.slice(i, i + chunk);
      const sql =
        `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${slice.map(() => perRow).join(', ')} ` +
        `ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${update.join(', ')}`;
      await this.query(sql, slice.flat(), manager);
    }
  }
}

/** `?` → `$1, $2, …` (the SQL here never holds a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
