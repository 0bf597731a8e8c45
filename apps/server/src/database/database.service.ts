import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * The one way to write. On SQLite TypeORM shares a single connection, so two transactions started
 * at once would interleave on it; writes are serialized here (better-sqlite3 is synchronous, so a
 * write holds the lock for well under a millisecond). PostgreSQL runs them concurrently.
 */
@Injectable()
export class DatabaseService {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pendingAfterCommit = new WeakMap<EntityManager, (() => void)[]>();
  readonly type: 'sqlite' | 'postgres';

  constructor(readonly dataSource: DataSource) {
    this.type = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const tracked = async () => {
      const callbacks: (() => void)[] = [];
      const result = await this.dataSource.transaction((manager) => {
        this.pendingAfterCommit.set(manager, callbacks);
        return work(manager);
      });
      for (const callback of callbacks) callback();
      return result;
    };
    if (this.type === 'postgres') return tracked();
    const run = this.tail.then(tracked);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `callback` once the transaction of `manager` has committed — never if it rolls back — or
   * at once when `manager` is not one of ours. For news that must not get ahead of the data.
   */
  afterCommit(manager: EntityManager | undefined, callback: () => void): void {
    const pending = manager && this.pendingAfterCommit.get(manager);
    if (pending) pending.push(callback);
    else callback();
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
