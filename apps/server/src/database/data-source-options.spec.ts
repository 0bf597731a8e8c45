import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config.js';
import { ENTITIES } from '../entities.js';
import { dataSourceOptions } from './data-source-options.js';
import { DatabaseService } from './database.service.js';

/** The files this process holds open that SQLite made for itself (its temporary files are named etilqs_…). */
const sqliteTempFiles = () =>
  readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.includes('etilqs_'));

/** The SQLite connection as the server opens it. */
describe('the SQLite connection', () => {
  let dir: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-options-'));
    const config = loadConfig({ env: {}, overrides: { dataDir: dir, database: { url: '' } } });
    dataSource = await new DataSource(dataSourceOptions(config, ENTITIES)).initialize();
    await dataSource.query('CREATE TABLE pages (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the journal of a unit in a batch in memory: no temporary file written page by page', async () => {
    const database = new DatabaseService(dataSource);
    let during: string[] = ['not looked'];
    // The second unit changes 30 pages the first changed in the same transaction: it copies each
    // (4 KiB) to its savepoint's journal, past the 64 KiB SQLite keeps in memory by default.
    await Promise.all([
      database.transaction(async (m) => {
        for (let i = 0; i < 60; i++) await m.query('INSERT INTO pages (text) VALUES (?)', ['x'.repeat(1500)]);
      }),
      database.transaction(async (m) => {
        await m.query("UPDATE pages SET text = replace(text, 'x', 'y')");
        during = sqliteTempFiles();
      }),
    ]);
    expect(during).toEqual([]);
    expect(await dataSource.query("SELECT count(*) AS n FROM pages WHERE text LIKE 'y%'")).toEqual([{ n: 60 }]);
  });
});
