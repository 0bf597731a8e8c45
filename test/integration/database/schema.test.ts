import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../apps/server/src/config/load-config.js';
import { dataSourceOptions } from '../../../apps/server/src/database/data-source-options.js';
import { ENTITIES } from '../../../apps/server/src/entities.js';
import { createPostgresDatabase } from '../../support/app.js';

/** The migrations alone must build exactly the schema the entities describe, and undo cleanly. */
describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-schema-'));
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await drop?.();
  });

  it('match the entities and are reversible', async () => {
    let url = '';
    if (kind === 'postgres') {
      const database = await createPostgresDatabase();
      url = database.url;
      drop = database.drop;
    }
    const config = loadConfig({ env: {}, overrides: { dataDir, database: { url } } });
    const dataSource = new DataSource(dataSourceOptions(config, ENTITIES));
    await dataSource.initialize(); // runs the migrations
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      if (kind === 'sqlite') {
        expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
        expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]); // FULL
      }
      // Every migration undoes cleanly, newest first, down to an empty database.
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query(
        kind === 'sqlite'
          ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('migrations', 'sqlite_sequence')`
          : `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
