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
  readonly type: 'sqlite' | 'postgres';

  constructor(readonly dataSource: DataSource) {
    this.type = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.type === 'postgres') return this.dataSource.transaction(work);
    const run = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = run.catch(() => undefined);
    return run;
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
