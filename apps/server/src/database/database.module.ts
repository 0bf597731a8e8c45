import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { dataSourceOptions, sqliteFile, type EntityList } from './data-source-options.js';
import { DatabaseService } from './database.service.js';
import { claimWriters, holdUntilShutdown, SecondWriterError } from './writers-lock.js';
import { Statements } from './statements.js';
import { StrategyListing } from './strategy-listing.js';

/** An arbitrary, fixed key: one migration run at a time across every process sharing the database. */
const MIGRATION_LOCK = 746_283_511;

/**
 * Without Redis this process must be the database's only writer (see soleWriter); with it, it
 * shares the database with the processes it meets there. It claims the database first (see
 * claimWriters), so a process of the other kind is refused before it migrates or reads anything.
 */
async function opened(options: DataSourceOptions, config: AppConfig): Promise<DataSource> {
  const database = config.database.url
    ? { type: 'postgres' as const, url: config.database.url }
    : { type: 'sqlite' as const, file: sqliteFile(config) };
  const lock = await claimWriters(database, soleWriter(config));
  try {
    const dataSource = await migrated(options);
    holdUntilShutdown(dataSource, lock);
    return dataSource;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Opens the database and brings its schema up to date. Several processes starting together on one
 * PostgreSQL database take turns (an advisory lock), so no two run the same migration.
 */
async function migrated(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  if (options.type !== 'postgres') {
    await wipeRemovedSecrets(dataSource, await dataSource.runMigrations());
    return dataSource;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await wipeRemovedSecrets(dataSource, await dataSource.runMigrations());
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}

/** Migrations that take a secret out of a table: the old rows' bytes must not stay behind in free pages. */
const REMOVE_SECRETS = new Set(['SealedWebhookTokens1765100000000']);

/**
 * After such a migration the database is rewritten, outside any transaction: SQLite's VACUUM (and
 * a checkpoint that empties the WAL), PostgreSQL's VACUUM FULL of the table.
 */
async function wipeRemovedSecrets(dataSource: DataSource, ran: { name: string }[]): Promise<void> {
  if (!ran.some((m) => REMOVE_SECRETS.has(m.name))) return;
  if (dataSource.options.type === 'postgres') {
    await dataSource.query('VACUUM FULL "strategies"');
    return;
  }
  await dataSource.query('VACUUM');
  await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
}

/**
 * The connection, the migrations, the unit of work (`DatabaseService.transaction`) and the hot
 * path's prepared statements (`Statements`), nothing more: each feature module registers its own entities (`TypeOrmModule.forFeature`) and hands
 * others a reader, never a repository.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(entities: EntityList, config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(config, entities),
            migrationsRun: false,
            // A database another process holds is refused at once; a server that is down is waited for.
            toRetry: (error: unknown) => !(error instanceof SecondWriterError),
          }),
          dataSourceFactory: async (options) => opened(options!, config),
        }),
      ],
      providers: [DatabaseService, Statements, StrategyListing],
      exports: [DatabaseService, Statements, StrategyListing],
    };
  }
}
