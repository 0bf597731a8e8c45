import { Injectable } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { DatabaseService, START_BOOKKEEPING } from './database.service.js';

/** A bigint or count as SQLite (a number) or PostgreSQL (a string) returns it; 0 for none. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
/** The same, keeping none as null. */
export const maybeNum = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A value a hot-path statement binds: what both drivers take as they are (booleans as 0/1, times as epoch ms). */
export type SqlValue = string | number | bigint | null | Buffer;

interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PgResult>;
}
interface PgPool extends PgClient {
  connect(): Promise<{ query(text: string): Promise<PgResult[]>; release(destroy?: boolean): void }>;
}

/**
 * Statements through the drivers, for the hot path (intake, engine, execution, ledger): TypeORM
 * keeps the schema, migrations and every other query, but on SQLite it writes number parameters
 * into the SQL (so a statement with a price or a time is prepared anew each time) and builds and
 * maps entities around each one. Here a statement is written once with `?` placeholders and
 * prepared once: better-sqlite3 keeps the prepared statement, PostgreSQL a named one per
 * connection (`$1…` numbered for it).
 *
 * Writes take the `manager` of a unit of work (`DatabaseService.transaction`) and so share its
 * transaction and commit; reads may pass none. Row values come back as the driver gives them:
 * PostgreSQL's bigint as a string (use `Number()`), SQLite's booleans as 0/1.
 */
@Injectable()
export class Statements {
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  private readonly pgText = new Map<string, { name: string; text: string }>();

  constructor(private readonly database: DatabaseService) {}

  get type(): 'sqlite' | 'postgres' {
    return this.database.type;
  }

  /** Runs a write; the number of rows it changed. */
  async run(manager: EntityManager | undefined, sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (this.type === 'sqlite') return this.sqliteTurn(sql).run(...params).changes;
    return (await this.pg(manager, sql, params)).rowCount ?? 0;
  }

  /** Every row of a query. */
  async all<Row extends object>(manager: EntityManager | undefined, sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    if (this.type === 'sqlite') return this.sqliteTurn(sql).all(...params) as Row[];
    return (await this.pg(manager, sql, params)).rows as Row[];
  }

  /** The first row of a query, or undefined. */
  async get<Row extends object>(
    manager: EntityManager | undefined,
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<Row | undefined> {
    if (this.type === 'sqlite') return this.sqliteTurn(sql).get(...params) as Row | undefined;
    return (await this.pg(manager, sql, params)).rows[0] as Row | undefined;
  }

  /**
   * One write as a bookkeeping transaction of its own (`DatabaseService.bookkeeping`), for a status
   * no one waits on; the number of rows it changed. SQLite: a unit of work, which joins the next
   * commit. PostgreSQL: the whole transaction in one round trip instead of four (start, the
   * setting, the statement, commit): a query without parameters may hold several statements, so the
   * values are written into it as literals.
   */
  async runAlone(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (this.type === 'sqlite') return this.database.bookkeeping((manager) => this.run(manager, sql, params));
    const text = `${START_BOOKKEEPING}; ${withLiterals(sql, params)}; COMMIT`;
    const client = await this.pool().connect();
    let changed: number;
    try {
      // One result a statement: the start, the setting, this one, the commit.
      changed = (await client.query(text))[2]?.rowCount ?? 0;
    } catch (error) {
      // The statement failed inside the transaction, which stays open and aborted: not for the pool.
      client.release(true);
      throw error;
    }
    client.release();
    return changed;
  }

  /** PostgreSQL: TypeORM's pool, for what runs outside a unit of work. */
  private pool(): PgPool {
    return (this.database.dataSource.driver as unknown as { master: PgPool }).master;
  }

  /**
   * The statement, about to run: a read joins the turn's read transaction, anything else ends it
   * first (DatabaseService.readTogether). Inside a unit of work either is part of the unit's batch.
   */
  private sqliteTurn(sql: string): BetterSqlite3.Statement {
    const statement = this.sqlite(sql);
    if (statement.readonly) this.database.readTogether();
    else this.database.endReads();
    return statement;
  }

  /** SQLite has one connection: a statement run on it inside a unit of work is part of that transaction. */
  private sqlite(sql: string): BetterSqlite3.Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      const connection = (this.database.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
      statement = connection.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private async pg(manager: EntityManager | undefined, sql: string, params: readonly SqlValue[]) {
    let named = this.pgText.get(sql);
    if (!named) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      named = { name: `tl_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
      this.pgText.set(sql, named);
    }
    const query = { ...named, values: [...params] };
    const runner = manager?.queryRunner;
    if (runner && !runner.isReleased) {
      const client = (await runner.connect()) as PgClient;
      return client.query(query);
    }
    return this.pool().query(query);
  }
}

/** `sql` with each `?` replaced by its value as a PostgreSQL literal (statements of our own, no `?` in their text). */
export function withLiterals(sql: string, params: readonly SqlValue[]): string {
  let i = 0;
  const text = sql.replace(/\?/g, () => {
    if (i >= params.length) throw new Error(`more placeholders than the ${params.length} value(s) given`);
    const value = params[i++];
    if (value === null) return 'NULL';
    if (typeof value === 'string') return pg.escapeLiteral(value);
    // A number quoted, as a parameter is sent: a literal of no type yet, which takes the type its
    // place asks for (0 for a boolean column, as better-sqlite3 binds one), and after a minus in the
    // SQL is no comment (`-?` with -1 is `-'-1'`, not `--1`).
    if (typeof value === 'bigint') return `'${value}'`;
    if (typeof value === 'number' && Number.isFinite(value)) return `'${value}'`;
    throw new Error(`a value that cannot be written as a literal: ${typeof value === 'number' ? value : 'a buffer'}`);
  });
  if (i !== params.length) throw new Error(`${params.length} value(s) given for ${i} placeholder(s)`);
  return text;
}
