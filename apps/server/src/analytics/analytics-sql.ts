import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { Statements, type SqlValue } from '../database/statements.js';

export { maybeNum, num } from '../database/statements.js';

/**
 * Rows a `fillIn` statement takes at most; a batch is written in chunks of these sizes, so that its
 * few statements are prepared once and kept, whatever the batch's length (as the log's lines are).
 */
const CHUNKS = [64, 16, 4, 1] as const;

/**
 * The analytics' hand-written SQL, portable between SQLite and PostgreSQL: identifiers
 * double-quoted, placeholders written `?` and numbered for PostgreSQL.
 */
@Injectable()
export class AnalyticsSql {
  constructor(
    readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {}

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    const text = this.database.type === 'postgres' ? numbered(sql) : sql;
    return (manager ?? this.database.dataSource.manager).query(text, params) as Promise<T[]>;
  }

  /**
   * The recorder's own statements, run once a second for every order and trade of that second:
   * prepared once and kept (Statements), not prepared anew and mapped by the ORM each time, which
   * held the event loop for milliseconds once a second, in front of whatever alert came then.
   */
  async select<T extends object = Record<string, unknown>>(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.statements.all<T>(manager, sql, params.map(bindable));
  }

  /** A write of the recorder's (see `select`): the rows it changed. */
  async write(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<number> {
    return this.statements.run(manager, sql, params.map(bindable));
  }

  /** `INSERT … ON CONFLICT (key) DO UPDATE` keeping what the row already has (`COALESCE(old, new)`): stamps only fill in. */
  async fillIn(manager: EntityManager, table: string, columns: string[], key: string, rows: unknown[][]): Promise<void> {
    const update = columns.filter((c) => c !== key).map((c) => `"${c}" = COALESCE("${table}"."${c}", excluded."${c}")`);
    const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `;
    const tail = ` ON CONFLICT ("${key}") DO UPDATE SET ${update.join(', ')}`;
    const perRow = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length;) {
      const size = CHUNKS.find((n) => n <= rows.length - i)!;
      const chunk = rows.slice(i, i + size);
      i += size;
      await this.statements.run(manager, head + Array.from({ length: size }, () => perRow).join(', ') + tail, chunk.flat().map(bindable));
    }
  }
}

/** A value as both drivers bind it: a stamp not taken (undefined) as NULL. */
function bindable(value: unknown): SqlValue {
  return value === undefined ? null : (value as SqlValue);
}

/** `?` → `$1, $2, …` (the SQL here never holds a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
