import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { DataSource, type AfterQueryEvent, type BeforeQueryEvent, type EntityManager, type QueryRunner } from 'typeorm';
import { nextTurn } from '../common/next-turn.js';
import { releaseWriters } from './writers-lock.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

export interface TransactionOptions {
  /**
   * Whether the commit must survive a power cut, not only a crash of the process (default: yes).
   * On SQLite a durable commit is fsynced before its unit is answered (the log synced off the
   * event loop, see WalSync; `synchronous=FULL` where the service was not started with a file). The engine's own bookkeeping on
   * the hot path (event status, broker acks, fills, log lines) passes `false`: it is written with
   * `NORMAL` — safe when the process is killed, and made durable by the next durable commit, which
   * syncs the whole log. What may not be lost — an accepted webhook, an order before it reaches a
   * broker, settings — stays durable. On PostgreSQL bookkeeping commits with `synchronous_commit =
   * off`: the same promise (a killed Tradeloop loses nothing, a crash of PostgreSQL or the machine
   * at most the last fraction of a second of it, never half a transaction; the next durable commit
   * flushes the WAL up to itself).
   */
  durable?: boolean;
  /**
   * PostgreSQL: the unit may share one transaction with the other such units of its event-loop
   * turn — one start, one commit and one WAL flush for all of them (durable if any of them is), as
   * SQLite's group commit gives every unit. Should the shared transaction fail, each of its units
   * runs again alone, so a unit's failure stays its own. Only for work that may run again after a
   * rollback (what it changes in memory it changes through the commit hooks, or may change twice,
   * like a log line's allowance) and takes no row lock another transaction could hold (inserts of
   * new rows, updates of a row of its own) — or names the one row it locks (`lockKey`). A unit
   * that waits for a lock holds up its whole turn's transaction. SQLite: no effect.
   */
  shareTurn?: boolean;
  /**
   * PostgreSQL, with `shareTurn`: the row the unit locks for its change, as a key (a fill: its
   * position). A shared transaction runs its units in the order of these keys — units without one
   * first, units with the same key in the order they came — so two shared transactions side by side
   * take their locks in one order and never each hold a row the other waits for (a deadlock, which
   * PostgreSQL breaks only after a second). SQLite: no effect.
   */
  lockKey?: string;
  /**
   * SQLite: once the log is synced, this unit is answered before the units of that sync that are
   * not. For an order on its way to a broker: it goes out before the alerts committed beside it
   * are answered, as each `202` written holds the event loop (about 0.4 ms here), and a burst's
   * answers would otherwise all be written before its first order left. PostgreSQL: no effect (an
   * alert and its order commit in transactions of their own there).
   */
  answerFirst?: boolean;
}

/** Bookkeeping that may share its turn's transaction on PostgreSQL (see shareTurn). */
export const SHARED_BOOKKEEPING: TransactionOptions = Object.freeze({ durable: false, shareTurn: true });

/**
 * A table many units of work add rows to (the log): the rows a transaction stages are written
 * together just before it commits, in one statement where there would be one a row.
 */
export interface RowSink<Row> {
  /** Writes the rows, in their order, inside the transaction of `manager`. */
  write(manager: EntityManager, rows: Row[]): Promise<void>;
  /** The rows could not be written (SQLite: the rest of the batch commits without them). */
  lost(rows: Row[], error: unknown): void;
}

/** A savepoint's statements on SQLite's one connection, prepared once. */
interface Savepoint {
  begin: BetterSqlite3.Statement;
  release: BetterSqlite3.Statement;
  rollback: BetterSqlite3.Statement;
}

interface Staged {
  sink: RowSink<unknown>;
  row: unknown;
}

/** What a unit of work leaves for its commit; dropped if it rolls back. */
interface UnitHooks {
  /** Run the moment the transaction commits, before a durable unit's log is synced. */
  committed: (() => void)[];
  /** Run once the unit is answered (durable: its log synced). */
  afterCommit: (() => void)[];
  /** Rows written together just before the commit. */
  staged: Staged[];
}

const noHooks = (): UnitHooks => ({ committed: [], afterCommit: [], staged: [] });

interface Unit extends UnitHooks {
  work: (manager: EntityManager) => Promise<unknown>;
  durable: boolean;
  lockKey?: string;
  answerFirst: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** At most this many units share one SQLite commit. */
const MAX_BATCH = 256;

/**
 * The one way to write.
 *
 * SQLite has one connection and one writer, and a commit's fsync is most of its cost. Units of
 * work that arrive while a commit is in progress are therefore run together in the next
 * transaction, each inside its own savepoint (one unit's failure rolls back only that unit), and
 * share one commit: group commit. better-sqlite3 is synchronous, so a batch holds the lock for
 * well under a millisecond plus one fsync. PostgreSQL runs transactions concurrently instead.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly console = new Logger('Database');
  private readonly checkpointer = new WalCheckpointer();
  /** SQLite on a file: durable commits are synced off the event loop (see WalSync). */
  private walSync?: WalSync;
  /** The hooks of the unit of work a manager is running now. */
  private readonly hooks = new WeakMap<EntityManager, UnitHooks>();
  private readonly queue: Unit[] = [];
  /** PostgreSQL: this turn's units that may share a transaction (`shareTurn`). */
  private turn: Unit[] = [];
  private draining = false;
  /** A batch's transaction is open (SQLite): reads on the connection would see its uncommitted rows. */
  private open = false;
  private synchronous: 'FULL' | 'NORMAL' | null = null;
  private readonly savepoints = new Map<string, Savepoint>();
  /** Durable units committed whose log has not been synced yet: their answers, given once it is. */
  private unsynced: { settle: () => void; fail: (error: unknown) => void; first: boolean }[] = [];
  /** Commits since the log was last synced, or since a sync that covers them began. */
  private dirty = false;
  /** SQLite: this turn's reads share a read transaction, open now (see readTogether). */
  private reading = false;
  /** SQLite: statements of the ORM other than reads between their hook and their run: no read transaction opens meanwhile. */
  private readsHeld = 0;
  private readTransaction?: { connection: BetterSqlite3.Database; begin: BetterSqlite3.Statement; end: BetterSqlite3.Statement };
  readonly type: 'sqlite' | 'postgres';

  constructor(readonly dataSource: DataSource) {
    this.type = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** SQLite: checkpoints move to a worker thread (see WalCheckpointer). */
  onModuleInit(): void {
    if (this.type !== 'sqlite') return;
    const file = (this.dataSource.options as { database?: unknown }).database;
    if (typeof file !== 'string' || file === '' || file === ':memory:') return;
    this.checkpointer.start(file, this.connection());
    this.walSync = new WalSync(`${file}-wal`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.endReads();
    await this.checkpointer.stop();
    await this.walSync?.close();
    await releaseWriters(this.dataSource);
  }

  /** How many times the log was synced off the event loop (tests). */
  get walSyncs(): number {
    return this.walSync?.count ?? 0;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const durable = options.durable !== false;
    if (this.type === 'postgres' && !options.shareTurn) return this.postgresTransaction(work, durable);
    return new Promise<T>((resolve, reject) => {
      const unit: Unit = {
        work,
        durable,
        lockKey: options.lockKey,
        answerFirst: options.answerFirst === true,
        ...noHooks(),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (this.type === 'postgres') {
        this.turn.push(unit);
        if (this.turn.length === 1) setImmediate(() => this.shareTurns());
        return;
      }
      this.queue.push(unit);
      void this.drain();
    });
  }

  /** A transaction for the engine's own bookkeeping on the hot path: `transaction(work, { durable: false })`. */
  bookkeeping<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.transaction(work, { durable: false });
  }

  /**
   * Runs `callback` once the transaction of `manager` has committed — never if it rolls back — or
   * at once when `manager` is not one of ours. For news that must not get ahead of the data.
   */
  afterCommit(manager: EntityManager | undefined, callback: () => void): void {
    const hooks = manager && this.hooks.get(manager);
    if (hooks) hooks.afterCommit.push(callback);
    else callback();
  }

  /**
   * Runs `callback` the moment the transaction of `manager` commits — before a durable unit's log
   * is synced, when a read on the database already sees the change — never if it rolls back; at
   * once when `manager` is not one of ours. For what mirrors the records in memory.
   */
  onCommitted(manager: EntityManager | undefined, callback: () => void): void {
    const hooks = manager && this.hooks.get(manager);
    if (hooks) hooks.committed.push(callback);
    else callback();
  }

  /**
   * Adds a row to `sink` as part of the unit of work of `manager`: written with the rest of its
   * transaction's rows just before the commit (SQLite: the whole batch's), dropped if the unit
   * rolls back. False when `manager` is not one of ours (then the caller writes the row itself).
   */
  stage<Row>(manager: EntityManager | undefined, sink: RowSink<Row>, row: Row): boolean {
    const hooks = manager && this.hooks.get(manager);
    if (!hooks) return false;
    hooks.staged.push({ sink: sink as RowSink<unknown>, row });
    return true;
  }

  /**
   * SQLite: a read outside a unit of work is a transaction of its own, which takes and drops the
   * log's read lock (two `fcntl` calls: about 6 of the 9 µs of a key lookup here).
   * Statements' reads in one event-loop turn share one read transaction instead (with Redis the
   * engine reads its orders, positions and accounts about 15 times an alert): the first opens it,
   * and it ends with the turn or before anything else runs on the connection — a batch's commit,
   * a statement through the ORM other than a SELECT, a write through Statements. So no write ever
   * joins it, and a read after a write of this process sees the write. Another process's commit
   * (with Redis) is seen from the next turn on, as if the read had come a moment sooner.
   */
  readTogether(): void {
    if (this.reading || this.readsHeld || this.open || this.type !== 'sqlite') return;
    const connection = this.connection();
    // Inside a transaction of the ORM's own (not a batch of ours): the read is part of it, as always.
    if (connection.inTransaction) return;
    this.readTransaction ??= this.prepareReadTransaction(connection);
    this.readTransaction.begin.run();
    this.reading = true;
    setImmediate(this.endReads);
  }

  /** Ends the turn's read transaction, if one is open. */
  readonly endReads = (): void => {
    if (!this.reading) return;
    this.reading = false;
    // The connection closes at shutdown, when a read transaction has nothing left to end.
    if (this.readTransaction!.connection.open) this.readTransaction!.end.run();
  };

  private prepareReadTransaction(connection: BetterSqlite3.Database): NonNullable<DatabaseService['readTransaction']> {
    // Everything the ORM runs passes here before and after it runs. A statement that is not a
    // read ends the read transaction, and none opens until it has run: between the hook and the
    // statement (a BEGIN, say) the ORM awaits, and a read there must not start one the BEGIN would
    // run into. After a BEGIN the connection is in the ORM's transaction, and reads join that.
    const read = (query: string) => /^\s*SELECT\b/i.test(query);
    this.dataSource.subscribers.push({
      beforeQuery: ({ query }: BeforeQueryEvent) => {
        if (read(query)) return;
        this.endReads();
        this.readsHeld++;
      },
      afterQuery: ({ query }: AfterQueryEvent) => {
        if (!read(query) && this.readsHeld > 0) this.readsHeld--;
      },
    });
    return { connection, begin: connection.prepare('BEGIN'), end: connection.prepare('COMMIT') };
  }

  /**
   * Whether a read outside a unit of work sees only committed rows: always on PostgreSQL; on
   * SQLite (one connection) only while no batch is open or waiting.
   */
  settled(): boolean {
    return this.type === 'postgres' || (!this.open && this.queue.length === 0);
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async postgresTransaction<T>(work: (manager: EntityManager) => Promise<T>, durable: boolean): Promise<T> {
    const hooks = noHooks();
    const [result] = await this.postgresCommit([{ ...hooks, work, durable }]);
    this.runAll(hooks.afterCommit);
    return result as T;
  }

  /**
   * Units' work in one PostgreSQL transaction, in order, then their staged rows; the units'
   * `committed` callbacks once it has committed. Durable if any unit is.
   */
  private async postgresCommit(units: (UnitHooks & Pick<Unit, 'work' | 'durable'>)[]): Promise<unknown[]> {
    const runner = this.dataSource.createQueryRunner();
    // Bookkeeping does not wait for its WAL flush (a crash of PostgreSQL itself may lose the last
    // few, never half of one); the next durable commit flushes them with its own, as on SQLite.
    if (!units.some((unit) => unit.durable)) startsAsBookkeeping(runner);
    let values: unknown[];
    try {
      values = await runner.manager.transaction(async (manager) => {
        const results: unknown[] = [];
        for (const unit of units) {
          this.hooks.set(manager, unit);
          results.push(await unit.work(manager));
        }
        // A failure here fails the transaction, as the row's own statement inside the work would have.
        for (const [sink, rows] of bySink(units.flatMap((unit) => unit.staged))) await sink.write(manager, rows);
        return results;
      });
    } finally {
      await runner.release();
    }
    for (const unit of units) this.runAll(unit.committed);
    return values;
  }

  /** PostgreSQL: this turn's `shareTurn` units, in one transaction a batch, each batch in the order of its units' locks. */
  private shareTurns(): void {
    while (this.turn.length) void this.postgresShared(byLockKey(this.turn.splice(0, MAX_BATCH)));
  }

  private async postgresShared(batch: Unit[]): Promise<void> {
    let values: unknown[] | undefined;
    if (batch.length > 1) {
      try {
        values = await this.postgresCommit(batch);
      } catch {
        // One unit's failure aborts a PostgreSQL transaction: each runs again alone (below), and
        // only what failed there fails.
        for (const unit of batch) unit.committed.length = unit.afterCommit.length = unit.staged.length = 0;
      }
    }
    if (values) {
      batch.forEach((unit, i) => {
        unit.resolve(values![i]);
        this.runAll(unit.afterCommit);
      });
      return;
    }
    await Promise.all(
      batch.map(async (unit) => {
        try {
          const [value] = await this.postgresCommit([unit]);
          unit.resolve(value);
        } catch (error) {
          unit.reject(error);
          return;
        }
        this.runAll(unit.afterCommit);
      }),
    );
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      // One event-loop turn first: requests whose bodies arrived together get to add their units,
      // and share the commit (and its fsync) instead of each paying for one.
      await nextTurn();
      while (this.queue.length) {
        const waiting = this.unsynced.length > 0;
        await this.commit(this.queue.splice(0, MAX_BATCH));
        // A sync waits for at most one commit more than its own.
        if (waiting) this.syncLog();
        // One turn before the log is synced: what a commit's callbacks start at once (the engine
        // on an alert just committed, whose order must be on disk before a broker hears of it)
        // commits next and shares the alert's sync, instead of waiting for it and then for one of its own.
        else if (this.unsynced.length && !this.queue.length) await nextTurn();
      }
      if (this.unsynced.length) this.syncLog();
      else if (this.dirty) this.walSync?.syncIfIdle();
      this.dirty = false;
    } finally {
      this.draining = false;
    }
  }

  /** Syncs the log for the durable units committed since the last sync, then answers them. */
  private syncLog(): void {
    if (!this.unsynced.length) return;
    this.dirty = false;
    const waiting = this.unsynced;
    this.unsynced = [];
    this.walSync!.sync().then(
      () => {
        for (const unit of waiting) if (unit.first) unit.settle();
        for (const unit of waiting) if (!unit.first) unit.settle();
      },
      (error: unknown) => {
        for (const unit of waiting) unit.fail(error);
      },
    );
  }

  private async commit(batch: Unit[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const savepoints = this.savepoint('unit');
    // Open from here: no read transaction starts until the batch's own has ended.
    this.open = true;
    this.endReads();
    try {
      const durable = batch.some((u) => u.durable);
      await this.setSynchronous(durable && !this.walSync ? 'FULL' : 'NORMAL');
      await this.dataSource.transaction(async (manager) => {
        for (const unit of batch) {
          this.hooks.set(manager, unit);
          savepoints.begin.run();
          try {
            const value = await unit.work(manager);
            savepoints.release.run();
            outcomes.push({ ok: true, value });
          } catch (error) {
            savepoints.rollback.run();
            savepoints.release.run();
            unit.committed.length = 0;
            unit.afterCommit.length = 0;
            unit.staged.length = 0;
            outcomes.push({ ok: false, error });
          }
        }
        await this.writeStaged(manager, batch);
      });
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch was written.
      this.open = false;
      for (const unit of batch) unit.reject(error);
      return;
    }
    this.open = false;
    this.dirty = true;
    batch.forEach((unit, i) => {
      if (outcomes[i].ok) this.runAll(unit.committed);
    });
    // Durable units are answered once the log is on disk (see drain); the next batch need not wait for that.
    batch.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (!outcome.ok) return unit.reject(outcome.error);
      const settle = () => {
        unit.resolve(outcome.value);
        this.runAll(unit.afterCommit);
      };
      if (unit.durable && this.walSync) this.unsynced.push({ settle, fail: (error) => unit.reject(error), first: unit.answerFirst });
      else settle();
    });
  }

  /** Commit callbacks: one that throws is reported and stops neither the others nor the batch's answers. */
  private runAll(callbacks: (() => void)[]): void {
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        this.console.error(`a callback after a commit failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * The batch's staged rows, each sink's in one call. Inside a savepoint of its own: rows that
   * cannot be written are reported lost, and the units' own changes still commit.
   */
  private async writeStaged(manager: EntityManager, batch: Unit[]): Promise<void> {
    const staged = batch.flatMap((unit) => unit.staged);
    if (!staged.length) return;
    const savepoint = this.savepoint('staged');
    for (const [sink, rows] of bySink(staged)) {
      savepoint.begin.run();
      try {
        await sink.write(manager, rows);
        savepoint.release.run();
      } catch (error) {
        savepoint.rollback.run();
        savepoint.release.run();
        sink.lost(rows, error);
      }
    }
  }

  /**
   * SQLite has one connection: the savepoints around each unit go straight to it, prepared once,
   * instead of through the ORM's query path (four statements a unit).
   */
  private savepoint(name: 'unit' | 'staged'): Savepoint {
    let savepoint = this.savepoints.get(name);
    if (!savepoint) {
      const connection = this.connection();
      savepoint = {
        begin: connection.prepare(`SAVEPOINT ${name}`),
        release: connection.prepare(`RELEASE ${name}`),
        rollback: connection.prepare(`ROLLBACK TO ${name}`),
      };
      this.savepoints.set(name, savepoint);
    }
    return savepoint;
  }

  private connection(): BetterSqlite3.Database {
    return (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  }

  private async setSynchronous(level: 'FULL' | 'NORMAL'): Promise<void> {
    if (this.synchronous === level) return;
    await this.dataSource.query(`PRAGMA synchronous = ${level}`);
    this.synchronous = level;
  }
}

/** Units in the order of their lock keys (see TransactionOptions.lockKey); the sort is stable. */
function byLockKey(units: Unit[]): Unit[] {
  if (!units.some((unit) => unit.lockKey !== undefined)) return units;
  const key = (unit: Unit) => unit.lockKey ?? '';
  return units.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Staged rows grouped by sink, each group in staging order. */
function bySink(staged: Staged[]): Map<RowSink<unknown>, unknown[]> {
  const groups = new Map<RowSink<unknown>, unknown[]>();
  for (const { sink, row } of staged) {
    const rows = groups.get(sink);
    if (rows) rows.push(row);
    else groups.set(sink, [row]);
  }
  return groups;
}

/**
 * PostgreSQL: a bookkeeping transaction starts with `synchronous_commit` off in the same round trip
 * as its `START TRANSACTION` (a query without parameters may hold several statements), not one
 * more: on the hot path each round trip is a write and a read on the socket, a good part of the
 * process's time.
 */
export const START_BOOKKEEPING = 'START TRANSACTION; SET LOCAL synchronous_commit = off';

function startsAsBookkeeping(runner: QueryRunner): void {
  const query = runner.query.bind(runner);
  // TypeORM starts its transaction with this statement; a test holds bookkeeping to `off`.
  runner.query = ((sql: string, ...rest: unknown[]) =>
    (query as (...args: unknown[]) => Promise<unknown>)(
      sql === 'START TRANSACTION' ? START_BOOKKEEPING : sql,
      ...rest,
    )) as QueryRunner['query'];
}
