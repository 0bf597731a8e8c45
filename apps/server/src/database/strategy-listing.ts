import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DatabaseService } from './database.service.js';
import { Statements } from './statements.js';

/** How often rows written since are given their place in their strategy's list. */
export const LIST_EVERY_MS = 1000;

/**
 * The WHERE of a listed table's index of unlisted rows by time; the lister's own, so it finds them
 * through it. A row without a strategy is never listed, and never read as any strategy's.
 */
export const UNLISTED = '"listedStrategyId" IS NULL AND "strategyId" IS NOT NULL';
const unlistedRow = (table: string) => `SELECT 1 AS "due" FROM "${table}" WHERE ${UNLISTED} LIMIT 1`;
const listRows = (table: string) => `UPDATE "${table}" SET "listedStrategyId" = "strategyId" WHERE ${UNLISTED}`;

/**
 * A table's rows listed by strategy: a nullable `listedStrategyId` copy of `strategyId`, and the
 * list's index on it instead of on `strategyId`. On SQLite an index that begins with the strategy
 * changes a page of that strategy's part of the B-tree for every row, and a busy moment's commit
 * holds rows of dozens of strategies: a page written to the log for each, where the rows
 * themselves share the table's last page. So a row is written unlisted (NULL, under an index by
 * time that only grows at its end), and once a second every row written since is listed in one
 * commit, each strategy's page changed once. Readers take a strategy's rows from both: listed
 * ones through the list's index, the unlisted second through the index by time (`listedArms`).
 * PostgreSQL writes each row listed (its index costs no page of its own per row), and the same
 * readers find nothing unlisted there.
 */
@Injectable()
export class StrategyListing implements OnModuleInit, OnModuleDestroy {
  private readonly console = new Logger('StrategyListing');
  private readonly tables = new Set<string>();
  private timer?: NodeJS.Timeout;
  private listing?: Promise<void>;
  private lastError = 0;

  constructor(
    private readonly database: DatabaseService,
    private readonly statements: Statements,
  ) {}

  /** A table with `strategyId` and `listedStrategyId` columns, listed from now on. */
  register(table: string): void {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
    this.tables.add(table);
  }

  /** What a new row's `listedStrategyId` is: its strategy on PostgreSQL, none yet on SQLite. */
  listedAtInsert(strategyId: string | null): string | null {
    return this.database.type === 'postgres' ? strategyId : null;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.listNow(), LIST_EVERY_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.listNow();
  }

  /** Lists every row written unlisted so far (tests, and shutdown). One run at a time. */
  listNow(): Promise<void> {
    this.listing ??= this.list()
      .catch((error: unknown) => this.warn(error))
      .finally(() => (this.listing = undefined));
    return this.listing;
  }

  private async list(): Promise<void> {
    // Read first: a second with nothing written takes no write lock (another process may want it).
    const due: string[] = [];
    for (const table of this.tables) if (await this.statements.get(undefined, unlistedRow(table))) due.push(table);
    if (!due.length) return;
    await this.database.bookkeeping(async (manager) => {
      for (const table of due) await this.statements.run(manager, listRows(table));
    });
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastError < 60_000) return;
    this.lastError = now;
    this.console.warn(`rows not listed by strategy yet: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
  }
}

/**
 * The two parts of a strategy's rows in a listed table, as QueryBuilder conditions on `alias`
 * (`record` in `pageOfStrategy`):
 * those listed (through the list's index) and those written since the last listing (through the
 * index by time). Each is read in its index's order; the caller merges them. `strategy` is the
 * strategy's parameter, or a column of an outer query.
 */
export function listedArms(alias: string, strategy = ':strategyId'): [listed: string, unlisted: string] {
  return [`${alias}.listedStrategyId = ${strategy}`, `${alias}.listedStrategyId IS NULL AND ${alias}.strategyId = ${strategy}`];
}

/**
 * The rows `offset` to `offset + limit` of a strategy's rows in page order, from its two parts
 * (`listedArms` on the alias `record`): `read(arm, skip, take)` reads a part in page order. The unlisted part is read
 * first — at most the last second's rows — and the listed one from just where the page can begin:
 * k unlisted rows read can put a listed row at most k places later than its own. Listing only ever
 * adds, so a row listed between the two reads is read in the second (and kept once), never in
 * neither; only the page's place may then be off by it.
 */
export async function pageOfStrategy<Row extends { id: string }>(
  read: (arm: string, skip: number, take: number) => Promise<Row[]>,
  compare: (a: Row, b: Row) => number,
  offset: number,
  limit: number,
  strategy = ':strategyId',
): Promise<Row[]> {
  const [listed, unlisted] = listedArms('record', strategy);
  const newest = await read(unlisted, 0, offset + limit);
  const from = Math.max(0, offset - newest.length);
  const rest = await read(listed, from, limit + newest.length);
  const merged = [...new Map([...newest, ...rest].map((row) => [row.id, row])).values()].sort(compare);
  // The merged rows hold the strategy's rows from place `from` on (see above).
  return merged.slice(offset - from, offset - from + limit);
}

/** Ids in the databases' order (`ORDER BY "id"`): the tie-break of rows at the same time. */
export const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
