import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/** An arbitrary, fixed key, beside the migrations' own: the processes writing a database. */
const WRITERS_LOCK = 746_283_512;

/** What the process refused is told: the copies a process without Redis holds in memory are why. */
const NOT_ALONE =
  'without Redis a process writes its database alone and keeps its positions, orders and accounts in memory, so no other ' +
  'process may write beside it. Run one process without Redis, or set REDIS_URL on every process sharing the database';

/** The database is another process's: not a moment's failure to connect, so not tried again. */
export class SecondWriterError extends Error {}

export interface WritersLock {
  /** Lets the others in; the operating system (SQLite) or the server (PostgreSQL) does so anyway when this process dies. */
  release(): Promise<void>;
}

export type LockedDatabase = { type: 'sqlite'; file: string } | { type: 'postgres'; url: string };

/**
 * Claims the database: `alone` (no Redis) for this process only, else shared with the processes
 * that meet through Redis. Either is refused (SecondWriterError) while the other kind is held, and
 * `alone` while anyone holds either. SQLite: a lock on a file beside the database
 * (`<file>-writer`) held by a connection of its own, exclusive or shared; PostgreSQL: a session
 * advisory lock, exclusive or shared, on a connection of its own. Both end with the process,
 * however it ends, so a killed server never locks out its own restart. A database in memory is
 * this process's anyway.
 */
export async function claimWriters(database: LockedDatabase, alone: boolean): Promise<WritersLock> {
  if (database.type === 'postgres') return claimPostgres(database.url, alone);
  if (database.file === '' || database.file === ':memory:') return { release: async () => undefined };
  return claimSqlite(`${database.file}-writer`, alone);
}

function claimSqlite(file: string, alone: boolean): WritersLock {
  // timeout 0: a lock held by another process is an answer at once, not after a wait.
  const connection = new Database(file, { timeout: 0 });
  try {
    if (alone) {
      // The file only carries the lock: nothing is written to it, so no journal is left beside it.
      connection.pragma('journal_mode = MEMORY');
      // In exclusive locking mode a lock once taken is kept until the connection closes.
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.exec('BEGIN EXCLUSIVE; COMMIT');
    } else {
      // A read transaction left open holds a shared lock: others may read, nobody may write.
      connection.exec('BEGIN');
      connection.prepare('SELECT count(*) FROM sqlite_master').get();
    }
  } catch (error) {
    connection.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw refusal(alone, `${file} is locked`);
    throw error;
  }
  return {
    release: async () => {
      if (connection.open) connection.close();
    },
  };
}

async function claimPostgres(url: string, alone: boolean): Promise<WritersLock> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // A lost connection gives the lock up: this process goes on, and says so once.
  client.once('error', (error: Error) =>
    new Logger('Database').warn(
      `the connection holding this process's claim on the database was lost (${error.message}): ` +
        'another process could now start beside this one; restart this one to claim the database again',
    ),
  );
  client.on('error', () => undefined);
  try {
    const sql = alone ? 'SELECT pg_try_advisory_lock($1) AS held' : 'SELECT pg_try_advisory_lock_shared($1) AS held';
    const { rows } = await client.query<{ held: boolean }>(sql, [WRITERS_LOCK]);
    if (!rows[0]?.held) throw refusal(alone, 'its advisory lock is held');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { release: () => client.end().catch(() => undefined) };
}

function refusal(alone: boolean, detail: string): SecondWriterError {
  const who = alone ? 'another Tradeloop process is using this database' : 'a Tradeloop process without Redis is using this database';
  return new SecondWriterError(`${who} (${detail}): ${NOT_ALONE}`);
}

/** The claim on each database this process writes, by its DataSource. */
const held = new WeakMap<DataSource, WritersLock>();

/** Keeps `lock` until `releaseWriters(dataSource)` (DatabaseService, as the server shuts down). */
export function holdUntilShutdown(dataSource: DataSource, lock: WritersLock): void {
  held.set(dataSource, lock);
}

export async function releaseWriters(dataSource: DataSource): Promise<void> {
  const lock = held.get(dataSource);
  held.delete(dataSource);
  await lock?.release();
}
