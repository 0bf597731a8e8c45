import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DatabaseService } from './database.service.js';
import { Statements } from './statements.js';

const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The same statements, on a real SQLite file and a real PostgreSQL schema of their own. */
describe.each(['sqlite', 'postgres'] as const)('Statements on %s', (type) => {
  let dir: string;
  let dataSource: DataSource;
  let database: DatabaseService;
  let statements: Statements;
  const schema = `statements_spec_${process.pid}_${Date.now().toString(36)}`;

  beforeEach(async () => {
    let options: DataSourceOptions;
    if (type === 'sqlite') {
      dir = mkdtempSync(join(tmpdir(), 'tradeloop-statements-'));
      options = { type: 'better-sqlite3', database: join(dir, 'db.sqlite'), enableWAL: true };
    } else {
      const admin = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await admin.destroy();
      options = { type: 'postgres', url: POSTGRES_URL, schema, extra: { options: `-c search_path=${schema}` } };
    }
    dataSource = await new DataSource(options).initialize();
    await dataSource.query('CREATE TABLE fills (id varchar(36) PRIMARY KEY, price double precision NOT NULL, "timeMs" bigint NOT NULL)');
    database = new DatabaseService(dataSource);
    statements = new Statements(database);
  });
  afterEach(async () => {
    if (type === 'postgres') await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await dataSource.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const insert = 'INSERT INTO fills (id, price, "timeMs") VALUES (?, ?, ?)';

  it('writes inside a unit of work and reads the rows back with their values', async () => {
    await database.transaction(async (manager) => {
      expect(await statements.run(manager, insert, ['a', 6797.25, 1_764_900_000_123])).toBe(1);
      expect(await statements.run(manager, insert, ['b', 6797.5, 1_764_900_000_456])).toBe(1);
    });
    const rows = await statements.all<{ id: string; price: number; timeMs: string | number }>(undefined, 'SELECT * FROM fills ORDER BY id');
    expect(rows.map((r) => [r.id, r.price, Number(r.timeMs)])).toEqual([
      ['a', 6797.25, 1_764_900_000_123],
      ['b', 6797.5, 1_764_900_000_456],
    ]);
    expect(await statements.get(undefined, 'SELECT id FROM fills WHERE price > ?', [6797.3])).toEqual({ id: 'b' });
    expect(await statements.get(undefined, 'SELECT id FROM fills WHERE price > ?', [7000])).toBeUndefined();
  });

  it('rolls its writes back with the unit of work that failed', async () => {
    await expect(
      database.transaction(async (manager) => {
        await statements.run(manager, insert, ['c', 1, 1]);
        throw new Error('the unit fails after its write');
      }),
    ).rejects.toThrow('the unit fails after its write');
    expect(await statements.all(undefined, 'SELECT id FROM fills')).toEqual([]);
  });

  it('counts the rows an update changed, none when nothing matched', async () => {
    await database.transaction((manager) => statements.run(manager, insert, ['d', 1, 1]));
    expect(await database.transaction((m) => statements.run(m, 'UPDATE fills SET price = ? WHERE id = ?', [2, 'd']))).toBe(1);
    expect(await database.transaction((m) => statements.run(m, 'UPDATE fills SET price = ? WHERE id = ?', [2, 'missing']))).toBe(0);
  });
});
