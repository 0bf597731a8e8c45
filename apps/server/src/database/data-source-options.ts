import { Logger } from '@nestjs/common';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { loadConfiguredKey, SecretBox } from '../infra/secrets/secret-box.js';
import { DatabaseLogger } from './database-logger.js';
import { migrations } from './migrations.js';

export type DatabaseType = 'sqlite' | 'postgres';

export const databaseType = (config: AppConfig): DatabaseType => (config.database.url ? 'postgres' : 'sqlite');

export const sqliteFile = (config: AppConfig) => join(resolve(config.dataDir), 'tradeloop.sqlite');

/** The entity classes the DataSource maps (the app's list is `ENTITIES`, beside the app module). */
export type EntityList = MixedList<Function | string | EntitySchema>;

/** Migrations run at start; the schema is never synchronized from the entities. */
export function dataSourceOptions(config: AppConfig, entities: EntityList): DataSourceOptions {
  let box: SecretBox | undefined;
  const secrets = () => (box ??= new SecretBox(loadConfiguredKey(config).key));
  const common = {
    entities,
    migrations: migrations(secrets),
    migrationsRun: true,
    synchronize: false,
    logging: ['error', 'warn'] as ('error' | 'warn')[],
    logger: new DatabaseLogger(),
  };
  if (databaseType(config) === 'postgres') {
    return { type: 'postgres', url: config.database.url, ...common };
  }
  const file = privateSqliteFile(config);
  return {
    type: 'better-sqlite3',
    database: sqliteFile(config),
    enableWAL: true,
    // FULL: a webhook answered 202 is on disk even if the machine loses power right after.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('synchronous = FULL');
      // Bounded well inside TradingView's 3 s: a locked database answers the webhook 503, not a timeout.
      db.pragma('busy_timeout = 2000');
      // Group commit runs each unit of work in a savepoint, and a page an earlier unit of the batch
      // changed is copied to the savepoint's journal before the next changes it. Past 64 KiB that
      // journal spills to a temporary file, a new one each batch, written page by page: in memory
      // it costs a copy, and it never outlives its transaction.
      db.pragma('temp_store = MEMORY');
      // SQLite gives its -wal and -shm files the database file's mode; ones left by an older version are made private too.
      for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra)) chmodSync(extra, 0o600);
    },
    ...common,
  };
}

/**
 * The data folder is made private when it is created (0700) and the database file always is
 * (0600): it holds the account's whole history. A folder that already existed keeps its mode —
 * it may be shared on purpose — but one others can read is reported.
 */
function privateSqliteFile(config: AppConfig): string {
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    new Logger('Database').warn(`the data folder ${dir} is open to other users (mode ${mode.toString(8)}); run chmod 700 on it`);
  }
  const file = sqliteFile(config);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  return file;
}
