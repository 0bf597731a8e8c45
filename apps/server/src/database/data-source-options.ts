import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseLogger } from './database-logger.js';
import { ENTITIES, MIGRATIONS } from './entities.js';

export type DatabaseType = 'sqlite' | 'postgres';

export const databaseType = (config: AppConfig): DatabaseType => (config.database.url ? 'postgres' : 'sqlite');

export const sqliteFile = (config: AppConfig) => join(resolve(config.dataDir), 'tradeloop.sqlite');

/** Migrations run at start; the schema is never synchronized from the entities. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: ['error', 'warn'] as ('error' | 'warn')[],
    logger: new DatabaseLogger(),
  };
  if (databaseType(config) === 'postgres') {
    return { type: 'postgres', url: config.database.url, ...common };
  }
  mkdirSync(resolve(config.dataDir), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: sqliteFile(config),
    enableWAL: true,
    // FULL: a webhook answered 202 is on disk even if the machine loses power right after.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('synchronous = FULL');
      // Bounded well inside TradingView's 3 s: a locked database answers the webhook 503, not a timeout.
      db.pragma('busy_timeout = 2000');
    },
    ...common,
  };
}
