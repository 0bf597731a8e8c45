import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
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

/**
 * SQLite: the reads of one event-loop turn outside a unit of work share a read transaction (the
 * log's read lock taken once, not once a read); nothing else ever runs inside it.
 */
describe('Statements on SQLite: the reads of one turn together', () => {
  let dir: string;
  let file: string;
  let dataSource: DataSource;
  let database: DatabaseService;
  let statements: Statements;
  /** Another connection to the same file: what a second process would see. */
  let other: BetterSqlite3.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-reads-'));
    file = join(dir, 'db.sqlite');
    dataSource = await new DataSource({ type: 'better-sqlite3', database: file, enableWAL: true }).initialize();
    await dataSource.query('CREATE TABLE fills (id varchar(36) PRIMARY KEY, price double precision NOT NULL, "timeMs" bigint NOT NULL)');
    database = new DatabaseService(dataSource);
    statements = new Statements(database);
    other = new Database(file);
  });
  afterEach(async () => {
    other.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const connection = () => (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const insert = 'INSERT INTO fills (id, price, "timeMs") VALUES (?, ?, ?)';
  const ids = () =>
    other
      .prepare('SELECT id FROM fills ORDER BY id')
      .all()
      .map((row) => (row as { id: string }).id);
  const count = () => statements.get<{ n: number }>(undefined, 'SELECT count(*) AS n FROM fills');

  it('holds one read transaction for the reads of a turn and ends it with the turn', async () => {
    expect(connection().inTransaction).toBe(false);
    expect(await count()).toEqual({ n: 0 });
    expect(connection().inTransaction).toBe(true);
    expect(await statements.all(undefined, 'SELECT id FROM fills')).toEqual([]);
    expect(connection().inTransaction).toBe(true);
    await nextTurn();
    expect(connection().inTransaction).toBe(false);
  });

  it('ends the read transaction before a write of its own turn, which commits at once', async () => {
    await count();
    expect(await statements.run(undefined, insert, ['a', 1, 1])).toBe(1);
    expect(connection().inTransaction).toBe(false);
    expect(ids()).toEqual(['a']); // committed: another connection sees it in the same turn
    expect(await count()).toEqual({ n: 1 }); // and the next read, a new transaction, sees it too
  });

  it('ends it before a batch commits in the same turn', async () => {
    // The read comes first in the turn the batch commits in: its transaction is open when the batch begins.
    let during: boolean | undefined;
    setImmediate(() => void count().then(() => (during = connection().inTransaction)));
    await database.transaction((manager) => statements.run(manager, insert, ['b', 1, 1]));
    expect(during).toBe(true);
    expect(ids()).toEqual(['b']);
    expect(await count()).toEqual({ n: 1 });
  });

  it('ends it before a statement through the ORM that is not a read, and opens none until that statement has run', async () => {
    await count();
    await dataSource.query('INSERT INTO fills (id, price, "timeMs") VALUES (?, ?, ?)', ['c', 1, 1]);
    expect(ids()).toEqual(['c']);
    expect(await count()).toEqual({ n: 1 });
    expect(connection().inTransaction).toBe(true); // a new read transaction, after the insert
    // The ORM awaits between its hook and its statement: reads on every step in between, while it
    // begins a transaction of its own, must not open one its BEGIN would run into.
    let reading = true;
    const reads = (async () => {
      while (reading) await count();
    })();
    await dataSource.transaction((manager) => manager.query('INSERT INTO fills (id, price, "timeMs") VALUES (?, ?, ?)', ['d', 1, 1]));
    reading = false;
    await reads;
    expect(ids()).toEqual(['c', 'd']);
    expect(await count()).toEqual({ n: 2 });
  });

  it("sees another process's commit from the next turn on", async () => {
    expect(await count()).toEqual({ n: 0 });
    other.prepare(insert).run('e', 1, 1);
    expect(await count()).toEqual({ n: 0 }); // the turn's snapshot, as if read a moment sooner
    await nextTurn();
    expect(await count()).toEqual({ n: 1 });
  });

  it('ends an open read transaction at shutdown', async () => {
    await count();
    await database.onApplicationShutdown();
    expect(connection().inTransaction).toBe(false);
  });
});
