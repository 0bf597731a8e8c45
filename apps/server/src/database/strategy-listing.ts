import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DatabaseService } from './database.service.js';
import { Statements } from './statements.js';

/** How often the lister looks for rows to list on SQLite. */
export const LOOK_EVERY_MS = 100;
/** Rows waiting that are listed at once: under a flood, a listing's commit stays a few milliseconds long. */
export const LIST_AT_ROWS = 2000;
/** Rows waiting fewer than LIST_AT_ROWS are listed once they have waited this long, at the most. */
export const LIST_WITHIN_MS = 1000;
/** The most rows of one table one listing takes: a backlog is listed over several. */
export const LIST_AT_MOST = 5000;

/** The WHERE of a listed table's index of unlisted rows by time; the lister's own, so it finds them through it. */
export const UNLISTED = '"listedStrategyId" IS NULL';
/** Where rows of no strategy (manual orders and their fills) are listed. */
export const NO_STRATEGY_LISTED = '';
const waiting = (table: string) => `SELECT count(*) AS "n" FROM (SELECT 1 FROM "${table}" WHERE ${UNLISTED} LIMIT ${LIST_AT_ROWS}) AS "w"`;
// SQLite takes the rows by rowid, PostgreSQL by id: each is the table's own cheapest way back to a row.
export const listRows = (table: string, key: 'rowid' | '"id"') =>
  `UPDATE "${table}" SET "listedStrategyId" = COALESCE("strategyId", '${NO_STRATEGY_LISTED}') ` +
  `WHERE ${key} IN (SELECT ${key} FROM "${table}" WHERE ${UNLISTED} LIMIT ${LIST_AT_MOST})`;

/**
 * A table's rows listed by strategy: a nullable `listedStrategyId` copy of `strategyId` (the empty
 * string for a row of no strategy), and the list's index on it instead of on `strategyId`. On SQLite
 * an index that begins with the strategy changes a page of that strategy's part of the B-tree for
 * every row, and a busy moment's commit holds rows of dozens of strategies: a page written to the
 * log for each, where the rows themselves share the table's last page. So a row is written unlisted
 * (NULL, under an index by time that only grows at its end) and listed later with the rows written
 * since, in one commit, each strategy's page changed once for all of them: within a second, or as
 * soon as LIST_AT_ROWS wait. Readers take a strategy's rows from both parts: the listed ones
 * through the list's index, the unlisted through the index by time (`listedArms`). PostgreSQL
 * writes each row listed (its index costs no page of its own per row), and the same readers find
 * nothing unlisted there.
 */
@Injectable()
export class StrategyListing implements OnModuleInit, OnModuleDestroy {
  private readonly console = new Logger('StrategyListing');
  /** The listed tables, with when each was last listed. */
  private readonly lastListed = new Map<string, number>();
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
    this.lastListed.set(table, Date.now());
  }

  /** What a new row's `listedStrategyId` is: its place in the list on PostgreSQL, none yet on SQLite. */
  listedAtInsert(strategyId: string | null): string | null {
    return this.database.type === 'postgres' ? (strategyId ?? NO_STRATEGY_LISTED) : null;
  }

  onModuleInit(): void {
    // PostgreSQL writes rows listed: what it finds unlisted (a row written some other way) waits a second at most.
    const every = this.database.type === 'sqlite' ? LOOK_EVERY_MS : LIST_WITHIN_MS;
    this.timer = setInterval(() => void this.listDue(), every).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.listNow();
  }

  /** Lists every row not listed yet (tests, and shutdown). */
  async listNow(): Promise<void> {
    while (this.listing) await this.listing;
    await this.run(async () => {
      for (const table of this.lastListed.keys()) while ((await this.list([table])) === LIST_AT_MOST);
    });
  }

  /** One run at a time; a failure is reported (rate-limited) and left for the next look. */
  private run(work: () => Promise<void>): Promise<void> {
    this.listing ??= work()
      .catch((error: unknown) => this.warn(error))
      .finally(() => (this.listing = undefined));
    return this.listing;
  }

  /**
   * Lists a table's waiting rows once there are enough of them, or once they have waited long
   * enough (`now`: tests). Reads first: a look with nothing to list takes no write lock (another
   * process may want it). A flood's tables are listed in a commit each, so that none holds the
   * event loop long; a quiet moment's in one, so that one sync of the log follows, not one a table.
   */
  listDue(now = Date.now()): Promise<void> {
    return this.run(() => this.look(now));
  }

  private async look(now: number): Promise<void> {
    const due: string[] = [];
    let flood = false;
    for (const [table, last] of this.lastListed) {
      const { n } = (await this.statements.get<{ n: unknown }>(undefined, waiting(table))) ?? { n: 0 };
      const rows = Number(n);
      if (rows >= LIST_AT_ROWS) flood = true;
      if (rows >= LIST_AT_ROWS || (rows > 0 && now - last >= LIST_WITHIN_MS)) due.push(table);
    }
    if (flood) for (const table of due) await this.list([table]);
    else if (due.length) await this.list(due);
  }

  /** Lists up to LIST_AT_MOST rows of each table in one commit; how many it listed. */
  private async list(tables: string[]): Promise<number> {
    const key = this.database.type === 'sqlite' ? 'rowid' : '"id"';
    const listed = await this.database.bookkeeping(async (manager) => {
      let rows = 0;
      for (const table of tables) rows += await this.statements.run(manager, listRows(table, key));
      return rows;
    });
    for (const table of tables) this.lastListed.set(table, Date.now());
    return listed;
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastError < 60_000) return;
    this.lastError = now;
    this.console.warn(`rows not listed by strategy yet: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
  }
}

/**
 * The two parts of a strategy's rows in a listed table, as QueryBuilder conditions on `alias`: those
 * listed (through the list's index) and those written since the last listing (through the index by
 * time). Each is read in its index's order; the caller merges them. `strategy` is the strategy's
 * parameter, or a column of an outer query.
 */
export function listedArms(alias: string, strategy = ':strategyId'): [listed: string, unlisted: string] {
  return [`${alias}.listedStrategyId = ${strategy}`, `${alias}.listedStrategyId IS NULL AND ${alias}.strategyId = ${strategy}`];
}

/**
 * The rows `offset` to `offset + limit` of a strategy's rows in page order, from its two parts
 * (`listedArms` on the alias `record`, the strategy as `:strategyId`); `read(arm, skip, take)` reads
 * a part in page order. The unlisted part is read first — normally at most the last second's rows —
 * and the listed one from just where the page can begin: k unlisted rows read can put a listed row
 * at most k places later than its own. Listing only ever adds, so a row listed between the two
 * reads is read in the second (and kept once), never in neither; only the page's place may then
 * be off by one.
 */
export async function pageOfStrategy<Row extends { id: string }>(
  read: (arm: string, skip: number, take: number) => Promise<Row[]>,
  compare: (a: Row, b: Row) => number,
  offset: number,
  limit: number,
): Promise<Row[]> {
  const [listed, unlisted] = listedArms('record');
  const newest = await read(unlisted, 0, offset + limit);
  const from = Math.max(0, offset - newest.length);
  const rest = await read(listed, from, limit + newest.length);
  const merged = [...new Map([...newest, ...rest].map((row) => [row.id, row])).values()].sort(compare);
  // The merged rows hold the strategy's rows from place `from` on (see above).
  return merged.slice(offset - from, offset - from + limit);
}

/**
 * A page by offset of a strategy's rows newest first by `time`, and their total: `part(arm)` is the
 * query of one part (on the alias `record`, the strategy as `:strategyId`, with the caller's
 * filters). The unlisted part is counted first, as the page reads it: a row listed in between is
 * counted twice at worst, never missed.
 */
export async function strategyPage<Row extends ObjectLiteral & { id: string }>(
  part: (arm: string) => SelectQueryBuilder<Row>,
  time: keyof Row & string,
  offset: number,
  limit: number,
): Promise<[Row[], number]> {
  const [listed, unlisted] = listedArms('record');
  const total = (await part(unlisted).getCount()) + (await part(listed).getCount());
  const rows = await pageOfStrategy(
    (arm, skip, take) => part(arm).orderBy(`record.${time}`, 'DESC').addOrderBy('record.id', 'ASC').offset(skip).limit(take).getMany(),
    (a, b) => Number(b[time]) - Number(a[time]) || byId(a, b),
    offset,
    limit,
  );
  return [rows, total];
}

/** Ids in the databases' order (`ORDER BY "id"`): the tie-break of rows at the same time. */
export const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
