import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { LogEntryView } from '@tradeloop/contracts';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService, SHARED_BOOKKEEPING, type RowSink } from '../database/database.service.js';
import { num, Statements } from '../database/statements.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogEntry, type LogLevel } from './log-entry.entity.js';
import { LogStrategyLine } from './log-strategy-line.entity.js';
import { logContext, logText } from './log-text.js';
import { MinuteAllowance, OTHER_KEYS, type ClosedMinute } from '../common/minute-allowance.js';
import { nextTurn } from '../common/next-turn.js';

/**
 * The log's lines are written together, just before their transaction commits (see
 * DatabaseService.stage): one statement for as many as 64 lines, in chunks of these sizes, so a few
 * statements prepared once serve any count. Powers of two: a count below 64 takes one statement a
 * bit of it. A PostgreSQL transaction that a turn's fills and events' ends share holds two or three
 * lines an alert; every statement is a round trip there.
 */
const CHUNKS = [64, 32, 16, 8, 4, 2, 1] as const;
const VALUES = (n: number) => Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
const COLUMNS = '"log_entries" ("time", "level", "category", "strategyId", "message", "context")';
/** SQLite: the lines alone; they are indexed by strategy later (indexLines). */
const INSERT_LINES = new Map<number, string>(CHUNKS.map((n) => [n, `INSERT INTO ${COLUMNS} VALUES ${VALUES(n)} RETURNING "id"`]));
/** PostgreSQL: the lines and their strategies' entries, in one statement (one round trip). */
const INSERT_INDEXED_LINES = new Map<number, string>(
  CHUNKS.map((n) => [
    n,
    `WITH "lines" AS (INSERT INTO ${COLUMNS} VALUES ${VALUES(n)} RETURNING "id", "strategyId"), ` +
      '"marks" AS (INSERT INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "lines" WHERE "strategyId" IS NOT NULL) ' +
      'SELECT "id" FROM "lines"',
  ]),
);
/** SQLite: the strategies' lines written since the last time, sorted as the index holds them. */
const INDEX_LINES =
  'INSERT OR IGNORE INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "log_entries" ' +
  'WHERE "id" > ? AND "id" <= ? AND "strategyId" IS NOT NULL ORDER BY "strategyId", "id"';
/**
 * Lines one commit of the indexer covers at most: a round takes what was written since the last in
 * as many commits, the event loop turning between them. Under a flood a second's lines in one
 * commit held the loop about 8 ms, in front of every webhook waiting for its answer.
 */
export const LINES_PER_INDEXING = 2_000;
/**
 * The newest strategy line that has its entry. A round's commits each index the next part of its
 * id range upwards, so every line below the newest indexed one has its entry too. Walked from the
 * log's newest line back (about a second of lines, more after a crash), one key lookup a line:
 * `max(id)` of the entries would read them all, as their key begins with the strategy.
 */
export const NEWEST_INDEXED_LINE =
  'SELECT "line"."id" AS "id" FROM "log_entries" "line" WHERE "line"."strategyId" IS NOT NULL AND EXISTS ' +
  '(SELECT 1 FROM "log_strategy_lines" "mark" WHERE "mark"."strategyId" = "line"."strategyId" AND "mark"."id" = "line"."id") ' +
  'ORDER BY "line"."id" DESC LIMIT 1';
const DONE: Promise<void> = Promise.resolve();

/** A line as stored; its id once written. */
type LogLine = Omit<LogEntry, 'id'> & { id?: number };

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogInput {
  level: LogLevel;
  category: string;
  message: string;
  strategyId?: string | null;
  context?: Record<string, unknown>;
}

export interface LogQuery {
  strategyId?: string;
  /** Minimum level: `warn` returns warnings and errors. */
  level?: LogLevel;
  limit: number;
  /** Only entries with a smaller id (paging backwards). */
  beforeId?: number;
}

/**
 * The queries of a page of the log, newest first, as the API asks for it: run in order, each for
 * what the ones before left of the limit. Everyone's lines are read by id. A strategy's are read
 * first from the log itself above `indexedUpTo` (lines SQLite has not indexed yet: a second's worth,
 * by id), then through its entries in `log_strategy_lines` in the page's order, up to
 * `indexedUpTo` (null: every line is indexed, as on PostgreSQL). The next page seeks to `beforeId`:
 * no query reads and sorts a strategy's whole history.
 */
export function logPages(entries: Repository<LogEntry>, query: LogQuery, indexedUpTo: number | null): SelectQueryBuilder<LogEntry>[] {
  const levels = query.level ? LOG_LEVELS.slice(LOG_LEVELS.indexOf(query.level)) : null;
  const page = (key: string) => {
    const builder = entries.createQueryBuilder('line').orderBy(key, 'DESC').limit(query.limit);
    if (levels) builder.andWhere('line.level IN (:...levels)', { levels });
    if (query.beforeId) builder.andWhere(`${key} < :beforeId`, { beforeId: query.beforeId });
    return builder;
  };
  const { strategyId } = query;
  if (!strategyId) return [page('line.id')];
  const indexed = page('mark.id')
    .innerJoin(LogStrategyLine, 'mark', 'mark.id = line.id')
    .andWhere('mark.strategyId = :strategyId', { strategyId });
  if (indexedUpTo === null) return [indexed];
  const newest = page('line.id').andWhere('line.strategyId = :strategyId AND line.id > :indexedUpTo', { strategyId, indexedUpTo });
  return [newest, indexed.andWhere('mark.id <= :indexedUpTo', { indexedUpTo })];
}

/**
 * The trader-facing log: every webhook outcome, order, fill and plugin event, stored and printed.
 * Every line is cut to about 2 KB and kept on one line (log-text.ts), and each strategy — and the
 * server's own lines — may write `log.maxLinesPerMinute` lines a minute: the rest are dropped and
 * counted, and one line says how many once the minute is over.
 */
@Injectable()
export class LogsService implements OnModuleInit, OnModuleDestroy {
  private readonly console = new Logger('Tradeloop');
  private readonly allowance: MinuteAllowance;
  private readonly sweeper: NodeJS.Timeout;
  private indexer?: NodeJS.Timeout;
  /**
   * SQLite: every strategy's line up to this id has its entry in `log_strategy_lines`; the lines
   * above it are read from the log itself. Null on PostgreSQL, where each line is indexed as it is
   * written.
   */
  private indexedUpTo: number | null;
  /** Lines were written since the indexer last looked (SQLite); at start, a stop may have left some. */
  private unindexed = true;
  private indexing?: Promise<void>;
  /** Where the lines of a transaction are gathered until it commits. */
  private readonly lines: RowSink<LogLine> = {
    write: (manager, rows) => this.insert(manager, rows),
    lost: (rows, error) => {
      // A chunk written before the failure was rolled back with the rest: its ids name no row.
      for (const row of rows) row.id = undefined;
      this.console.error(`${rows.length} log line(s) not stored: ${(error as Error).message}`);
    },
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(LogEntry) private readonly entries: Repository<LogEntry>,
    private readonly database: DatabaseService,
    private readonly bus: EventBus,
    private readonly statements: Statements,
  ) {
    this.allowance = new MinuteAllowance(config.log.maxLinesPerMinute);
    // A strategy that went quiet after a flood still gets its count.
    this.sweeper = setInterval(() => void this.closeMinutes(), 15_000).unref();
    // Until the newest entry is read (onModuleInit), every line counts as not indexed yet: right, if slow.
    this.indexedUpTo = database.type === 'sqlite' ? 0 : null;
  }

  async onModuleInit(): Promise<void> {
    if (this.indexedUpTo === null) return;
    // Lines above the newest entry may be indexed already (the server's own lines have none): indexed
    // again, they are ignored.
    const newest = await this.statements.get<{ id: unknown }>(undefined, NEWEST_INDEXED_LINE);
    this.indexedUpTo = Math.max(this.indexedUpTo, num(newest?.id));
    this.indexer = setInterval(() => void this.indexLines(), this.config.log.indexIntervalMs).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.indexer);
    await this.closeMinutes(Number.POSITIVE_INFINITY);
    await this.indexLines();
  }

  /**
   * SQLite: gives the strategies' lines written since the last time their entries in
   * `log_strategy_lines`, in one commit sorted by strategy, so each strategy's page of that index
   * is changed once, not once for each commit that wrote one of its lines.
   */
  indexLines(): Promise<void> {
    this.indexing ??= this.indexNewLines()
      .catch((error: unknown) => this.console.error(`could not index the log's newest lines: ${(error as Error).message}`))
      .finally(() => (this.indexing = undefined));
    return this.indexing;
  }

  private async indexNewLines(): Promise<void> {
    if (this.indexedUpTo === null || !this.unindexed) return;
    this.unindexed = false;
    try {
      // Up to the newest line when the round began: lines written during it wait for the next round.
      let newest: number | null = null;
      for (;;) {
        const from: number = this.indexedUpTo;
        newest = await this.database.bookkeeping(async (manager) => {
          const last =
            newest ?? num((await this.statements.get<{ id: unknown }>(manager, 'SELECT max("id") AS "id" FROM "log_entries"'))?.id);
          const upTo = Math.min(last, from + LINES_PER_INDEXING);
          if (upTo <= from) return last;
          await this.statements.run(manager, INDEX_LINES, [from, upTo]);
          this.database.onCommitted(manager, () => (this.indexedUpTo = Math.max(this.indexedUpTo ?? 0, upTo)));
          return last;
        });
        if (this.indexedUpTo >= newest) return;
        await nextTurn();
      }
    } catch (error) {
      this.unindexed = true;
      throw error;
    }
  }

  /**
   * Writes inside the caller's transaction when given one, so the log and the change commit
   * together. A line over the strategy's per-minute allowance is dropped (and counted).
   */
  write(input: LogInput, manager?: EntityManager): Promise<void> {
    try {
      const decision = this.allowance.take(input.strategyId ?? '');
      if (decision.closed) void this.reportDropped(decision.closed);
      return decision.allowed ? this.store(input, manager) : DONE;
    } catch (error) {
      // As an async function would: the caller's `.catch()` and `void` still see every failure.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Ends the minutes that are over (every one at shutdown), writing how many lines each dropped. */
  async closeMinutes(now = Date.now()): Promise<void> {
    await Promise.all(this.allowance.close(now).map((closed) => this.reportDropped(closed)));
  }

  async query(query: LogQuery): Promise<LogEntryView[]> {
    const rows: LogEntry[] = [];
    for (const page of logPages(this.entries, query, this.indexedUpTo)) {
      rows.push(...(await page.limit(query.limit - rows.length).getMany()));
      if (rows.length >= query.limit) break;
    }
    return rows.map((row) => ({
      id: row.id,
      time: new Date(row.time).toISOString(),
      level: row.level,
      category: row.category,
      strategyId: row.strategyId,
      message: row.message,
      context: row.context ? (JSON.parse(row.context) as Record<string, unknown>) : null,
    }));
  }

  /** Not async: a line staged in the caller's unit of work (most lines) is done without a promise of its own. */
  private store(input: LogInput, manager?: EntityManager): Promise<void> {
    const entry: LogLine = {
      time: Date.now(),
      level: input.level,
      category: logText(input.category).slice(0, 32),
      strategyId: input.strategyId ?? null,
      message: logText(input.message),
      context: logContext(input.context),
    };
    this.print(entry);
    const announce = () =>
      this.bus.publish('LOG', {
        id: entry.id ?? null,
        time: entry.time,
        level: entry.level,
        category: entry.category,
        strategyId: entry.strategyId,
        message: entry.message,
      });
    // Inside the caller's transaction: written with its commit, announced only if it commits.
    if (manager && this.database.stage(manager, this.lines, entry)) {
      this.database.afterCommit(manager, announce);
      return DONE;
    }
    return this.storeAlone(entry, announce, manager);
  }

  private async storeAlone(entry: LogLine, announce: () => void, manager?: EntityManager): Promise<void> {
    if (manager) {
      await this.insert(manager, [entry]);
      this.database.afterCommit(manager, announce);
      return;
    }
    // Staging alone may run again: on PostgreSQL the lines of one turn share a transaction and a statement.
    await this.database.transaction(async (m) => {
      if (!this.database.stage(m, this.lines, entry)) await this.insert(m, [entry]);
    }, SHARED_BOOKKEEPING);
    announce();
  }

  /** Lines in as few statements as CHUNKS allow; each gets its id (ids rise in the order rows are inserted). */
  private async insert(manager: EntityManager, lines: LogLine[]): Promise<void> {
    for (let i = 0; i < lines.length;) {
      const size = CHUNKS.find((n) => n <= lines.length - i)!;
      const chunk = lines.slice(i, i + size);
      i += size;
      const params = chunk.flatMap((e) => [e.time, e.level, e.category, e.strategyId, e.message, e.context]);
      const sql = (this.indexedUpTo === null ? INSERT_INDEXED_LINES : INSERT_LINES).get(size)!;
      const rows = await this.statements.all<{ id: number | string }>(manager, sql, params);
      const ids = rows.map((row) => Number(row.id)).sort((x, y) => x - y);
      chunk.forEach((entry, j) => (entry.id = ids[j]));
      this.unindexed = true;
    }
  }

  private reportDropped(closed: ClosedMinute): Promise<void> {
    const strategyId = closed.key === '' || closed.key === OTHER_KEYS ? null : closed.key;
    const whose = strategyId ? 'this strategy' : "the server's own lines";
    return this.store({
      level: 'warn',
      category: 'system',
      strategyId,
      message: `${closed.dropped} log line(s) dropped between ${new Date(closed.start).toISOString()} and ${new Date(closed.end).toISOString()}: more than ${this.config.log.maxLinesPerMinute} a minute for ${whose}`,
    }).catch((error: unknown) => this.console.error(`could not write the count of dropped log lines: ${(error as Error).message}`));
  }

  private print(entry: Pick<LogEntry, 'category' | 'message' | 'level'>): void {
    const line = `[${entry.category}] ${entry.message}`;
    if (entry.level === 'error') this.console.error(line);
    else if (entry.level === 'warn') this.console.warn(line);
    else if (entry.level === 'debug') this.console.debug(line);
    else this.console.log(line);
  }
}
