import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';

export { maybeNum, num } from '../database/statements.js';

/**
 * The analytics' hand-written SQL, portable between SQLite and PostgreSQL: identifiers
 * double-quoted, placeholders written `?` and numbered for PostgreSQL.
 */
@Injectable()
export class AnalyticsSql {
  constructor(readonly database: DatabaseService) {}

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    const text = this.database.type === 'postgres' ? numbered(sql) : sql;
    return (manager ?? this.database.dataSource.manager).query(text, params) as Promise<T[]>;
  }

  /** `INSERT … ON CONFLICT (key) DO UPDATE` keeping what the row already has (`COALESCE(old, new)`): stamps only fill in. */
  async fillIn(manager: EntityManager, table: string, columns: string[], key: string, rows: unknown[][]): Promise<void> {
    const update = columns.filter((c) => c !== key).map((c) => `"${c}" = COALESCE("${table}"."${c}", excluded."${c}")`);
    const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `;
    const tail = ` ON CONFLICT ("${key}") DO UPDATE SET ${update.join(', ')}`;
    const perRow = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += 64) {
      const slice = rows.slice(i, i + 64);
      await this.query(head + slice.map(() => perRow).join(', ') + tail, slice.flat(), manager);
    }
  }
}

/** `?` → `$1, $2, …` (the SQL here never holds a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
