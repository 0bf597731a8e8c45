import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements, withLiterals } from '../../../apps/server/src/database/statements.js';
import { openSchema } from '../../support/schema.js';

/**
 * On PostgreSQL every statement is a round trip, a write and a read on the socket: on the alert's
 * path they were a good part of the process's time. A bookkeeping transaction starts with
 * `synchronous_commit` off in the same round trip as its start, and a status no one waits on
 * (`Statements.runAlone`) is one round trip in all. What must not change: bookkeeping commits
 * without waiting for its WAL flush, a durable commit waits, and a failed statement leaves no
 * connection behind in an aborted transaction.
 */
describe('round trips on PostgreSQL', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let database: DatabaseService;
  let statements: Statements;
  /** What the pool's clients send, in order (every query, its text). */
  const sent: string[] = [];
  const query = pg.Client.prototype.query;

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema('postgres'));
    database = new DatabaseService(dataSource);
    statements = new Statements(database);
    await dataSource.query('CREATE TABLE "marks" ("id" text PRIMARY KEY, "note" text NOT NULL, "n" integer)');
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      sent.push(typeof config === 'string' ? config : (config.text ?? ''));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  afterEach(() => {
    sent.length = 0;
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await close?.();
  });

  const setting = (manager: { query(sql: string): Promise<{ s: string }[]> }) =>
    manager.query(`SELECT current_setting('synchronous_commit') AS "s"`).then((rows) => rows[0].s);

  it('starts a bookkeeping transaction with synchronous_commit off in the same round trip, and leaves a durable one as the server has it', async () => {
    const [{ s: serverDefault }] = (await dataSource.query(`SELECT current_setting('synchronous_commit') AS "s"`)) as { s: string }[];
    sent.length = 0;
    const inBookkeeping = await database.bookkeeping(async (m) => {
      await statements.run(m, 'INSERT INTO "marks" ("id", "note") VALUES (?, ?)', ['b1', 'bookkeeping']);
      return setting(m);
    });
    expect(inBookkeeping).toBe('off');
    // Start and setting, the insert, the setting read, the commit: no round trip for the setting alone.
    expect(sent).toEqual([
      'START TRANSACTION; SET LOCAL synchronous_commit = off',
      'INSERT INTO "marks" ("id", "note") VALUES ($1, $2)',
      `SELECT current_setting('synchronous_commit') AS "s"`,
      'COMMIT',
    ]);

    sent.length = 0;
    const inDurable = await database.transaction(async (m) => {
      await statements.run(m, 'INSERT INTO "marks" ("id", "note") VALUES (?, ?)', ['d1', 'durable']);
      return setting(m);
    });
    expect(inDurable).toBe(serverDefault);
    expect(sent[0]).toBe('START TRANSACTION');
    // After either, a connection from the pool has the server's own setting: SET LOCAL ended with its transaction.
    expect(await setting(dataSource.manager as never)).toBe(serverDefault);
    expect(await dataSource.query('SELECT "id" FROM "marks" ORDER BY "id"')).toEqual([{ id: 'b1' }, { id: 'd1' }]);
  });

  it('rolls a failed bookkeeping transaction back whole', async () => {
    await expect(
      database.bookkeeping(async (m) => {
        await statements.run(m, 'INSERT INTO "marks" ("id", "note") VALUES (?, ?)', ['r1', 'rolled back']);
        await statements.run(m, 'INSERT INTO "marks" ("id", "note") VALUES (?, ?)', ['b1', 'a duplicate']);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await dataSource.query(`SELECT "id" FROM "marks" WHERE "id" = 'r1'`)).toEqual([]);
    expect(await database.bookkeeping((m) => setting(m))).toBe('off');
  });

  it('writes a status no one waits on in one round trip, committed, with its values as literals', async () => {
    await dataSource.query(`INSERT INTO "marks" ("id", "note") VALUES ('s1', 'accepted')`);
    sent.length = 0;
    // A value with quotes, a backslash and SQL in it stays one value.
    const note = `it's \\ "processing"'; DROP TABLE "marks"; --`;
    const changed = await statements.runAlone('UPDATE "marks" SET "note" = ?, "n" = ? WHERE "id" = ? AND "note" <> ?', [
      note,
      7,
      's1',
      'done',
    ]);
    expect(changed).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^START TRANSACTION; SET LOCAL synchronous_commit = off; UPDATE "marks" SET .* COMMIT$/);
    expect(await dataSource.query(`SELECT "note", "n" FROM "marks" WHERE "id" = 's1'`)).toEqual([{ note, n: 7 }]);
    expect(await statements.runAlone('UPDATE "marks" SET "note" = ? WHERE "id" = ?', ['x', 'no such mark'])).toBe(0);
  });

  it('answers a failed status write with its error and gives the pool no connection left in an aborted transaction', async () => {
    const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    await expect(statements.runAlone('INSERT INTO "marks" ("id", "note") VALUES (?, ?)', ['b1', 'a duplicate'])).rejects.toThrow(
      /duplicate key/,
    );
    // Every connection the pool holds, each at once, answers outside any transaction.
    const clients = await Promise.all(Array.from({ length: pool.totalCount || 1 }, () => pool.connect()));
    try {
      for (const client of clients) {
        const { rows } = await client.query<{ s: string }>('SELECT 1 AS "s"');
        expect(rows).toEqual([{ s: 1 }]);
        expect((client as unknown as { getTransactionStatus(): string }).getTransactionStatus()).toBe('I');
      }
    } finally {
      for (const client of clients) client.release();
    }
    expect(await statements.runAlone('UPDATE "marks" SET "note" = ? WHERE "id" = ?', ['after', 'b1'])).toBe(1);
  });
});

describe('a statement with its values as PostgreSQL literals', () => {
  it.each<[string, unknown[], string]>([
    ['a string, quoted', ['abc'], `SELECT 'abc'`],
    ['a quote, doubled', [`it's`], `SELECT 'it''s'`],
    // pg writes a leading space before E: harmless, and kept as pg writes it.
    ['a backslash, as an escape string', ['a\\b'], "SELECT  E'a\\\\b'"],
    ['null', [null], 'SELECT NULL'],
    // Numbers quoted, as parameters are sent: of no type until their place gives them one.
    ['a number', [-12.5], `SELECT '-12.5'`],
    ['a bigint', [2n ** 63n - 1n], `SELECT '9223372036854775807'`],
  ])('%s', (_, params, expected) => {
    expect(withLiterals('SELECT ?', params as never)).toBe(expected);
  });

  it('gives a number the type of its place, as a parameter has, and keeps a negative one a value after a minus', async () => {
    const { dataSource, close } = await openSchema('postgres');
    try {
      await dataSource.query('CREATE TEMPORARY TABLE "kinds" ("flag" boolean, "amount" numeric, "big" bigint, "text" text)');
      // The hot path binds booleans as 0/1 on both databases (better-sqlite3 takes no booleans).
      await dataSource.query(withLiterals('INSERT INTO "kinds" VALUES (?, ?, ?, ?)', [0, 0.1, 2n ** 62n, 5]));
      await dataSource.query(withLiterals('INSERT INTO "kinds" VALUES (?, ?, ?, ?)', [1, -7, -1, 'x']));
      expect(await dataSource.query('SELECT * FROM "kinds" ORDER BY "text"')).toEqual([
        { flag: false, amount: '0.1', big: String(2n ** 62n), text: '5' },
        { flag: true, amount: '-7', big: '-1', text: 'x' },
      ]);
      // `1-?` with -2 must not be `1--2`: the rest of the line a comment.
      expect(await dataSource.query(withLiterals('SELECT 1-? AS "n"', [-2]))).toEqual([{ n: 3 }]);
    } finally {
      await close();
    }
  });

  it('refuses what it cannot write as a literal, and a count of values that does not match', () => {
    expect(() => withLiterals('SELECT ?', [Number.NaN])).toThrow(/cannot be written as a literal: NaN/);
    expect(() => withLiterals('SELECT ?', [Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => withLiterals('SELECT ?', [Buffer.from('x')])).toThrow(/a buffer/);
    expect(() => withLiterals('SELECT ?, ?', ['a'])).toThrow(/more placeholders than the 1 value/);
    expect(() => withLiterals('SELECT ?', ['a', 'b'])).toThrow(/2 value\(s\) given for 1 placeholder/);
  });
});
