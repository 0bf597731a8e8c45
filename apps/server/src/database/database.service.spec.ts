import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseService, type RowSink } from './database.service.js';
import { CHECKPOINT_AT_FRAMES } from './wal-checkpointer.js';

/** Group commit on a real SQLite file: units share a transaction but fail alone. */
describe('DatabaseService on SQLite', () => {
  let dir: string;
  let dataSource: DataSource;
  let database: DatabaseService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-db-'));
    dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'db.sqlite'), enableWAL: true });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)');
    database = new DatabaseService(dataSource);
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (text: string) => (m: import('typeorm').EntityManager) => m.query('INSERT INTO notes (text) VALUES (?)', [text]);
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 2));
    expect(done()).toBe(true);
  };
  const texts = async () => ((await dataSource.query('SELECT text FROM notes ORDER BY id')) as { text: string }[]).map((r) => r.text);

  it('commits units that arrive together in one transaction, in arrival order', async () => {
    let transactions = 0;
    const original = dataSource.transaction.bind(dataSource);
    (dataSource as unknown as { transaction: unknown }).transaction = (work: never) => {
      transactions++;
      return original(work);
    };
    await Promise.all(['a', 'b', 'c', 'd'].map((t) => database.transaction(insert(t))));
    expect(await texts()).toEqual(['a', 'b', 'c', 'd']);
    // The commit waits one event-loop turn, so all four share it.
    expect(transactions).toBe(1);
  });

  it('commits a unit that arrives while a batch is committing in the next batch', async () => {
    let transactions = 0;
    const original = dataSource.transaction.bind(dataSource);
    (dataSource as unknown as { transaction: unknown }).transaction = (work: (m: import('typeorm').EntityManager) => Promise<unknown>) => {
      transactions++;
      return original(async (m) => {
        const result = await work(m);
        // Queued while the first batch is inside its transaction.
        if (transactions === 1) late = database.transaction(insert('late'));
        return result;
      });
    };
    let late: Promise<unknown> | undefined;
    await database.transaction(insert('early'));
    await late;
    expect(await texts()).toEqual(['early', 'late']);
    expect(transactions).toBe(2);
  });

  it('rolls back only the unit that failed: the others in its batch commit', async () => {
    await database.transaction(insert('taken'));
    const results = await Promise.allSettled([
      database.transaction(insert('first')),
      database.transaction(async (m) => {
        await m.query('INSERT INTO notes (text) VALUES (?)', ['half of a failing unit']);
        await m.query('INSERT INTO notes (text) VALUES (?)', ['taken']); // unique violation
      }),
      database.transaction(insert('last')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await texts()).toEqual(['taken', 'first', 'last']);
  });

  it('runs afterCommit callbacks only for units that committed, after the commit', async () => {
    const seen: string[] = [];
    await Promise.allSettled([
      database.transaction(async (m) => {
        await insert('kept')(m);
        database.afterCommit(m, () => seen.push('kept'));
        // Registered inside the unit: nothing runs before the commit.
        expect(seen).toEqual([]);
      }),
      database.transaction(async (m) => {
        database.afterCommit(m, () => seen.push('rolled back'));
        throw new Error('no');
      }),
    ]);
    expect(seen).toEqual(['kept']);
    expect(await texts()).toEqual(['kept']);
    // Outside a transaction a callback runs at once.
    database.afterCommit(undefined, () => seen.push('now'));
    expect(seen).toEqual(['kept', 'now']);
  });

  it('runs onCommitted callbacks at the commit, before the afterCommit ones, and never for a unit that rolled back', async () => {
    database.onModuleInit(); // durable units wait for the log's sync; onCommitted does not
    try {
      const seen: string[] = [];
      await Promise.allSettled([
        database.transaction(async (m) => {
          await insert('kept')(m);
          database.afterCommit(m, () => seen.push('after'));
          database.onCommitted(m, () => seen.push(`committed, ${database.walSyncs} syncs`));
          expect(seen).toEqual([]);
        }),
        database.transaction(async (m) => {
          database.onCommitted(m, () => seen.push('rolled back'));
          throw new Error('no');
        }),
      ]);
      expect(seen).toEqual(['committed, 0 syncs', 'after']);
      expect(database.walSyncs).toBe(1);
      database.onCommitted(undefined, () => seen.push('now'));
      expect(seen).toEqual(['committed, 0 syncs', 'after', 'now']);
    } finally {
      await database.onApplicationShutdown();
    }
  });

  it('answers every unit of a batch even when a commit callback throws', async () => {
    const seen: string[] = [];
    const results = await Promise.allSettled([
      database.transaction(async (m) => {
        database.onCommitted(m, () => {
          throw new Error('a broken listener');
        });
        database.afterCommit(m, () => {
          throw new Error('another');
        });
      }),
      database.transaction(async (m) => {
        await insert('next')(m);
        database.onCommitted(m, () => seen.push('committed'));
        database.afterCommit(m, () => seen.push('after'));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(seen).toEqual(['committed', 'after']);
    expect(await texts()).toEqual(['next']);
  });

  /** A sink that writes its rows into `notes` and remembers each call. */
  const notesSink = (calls: string[][], fail = false): RowSink<string> => ({
    async write(m, rows) {
      calls.push(rows);
      for (const row of rows) await m.query('INSERT INTO notes (text) VALUES (?)', [row]);
      if (fail) throw new Error('the sink refused');
    },
    lost(rows) {
      calls.push(['lost', ...rows]);
    },
  });

  it('writes the rows a batch stages in one call per sink, in unit order, just before its commit', async () => {
    const calls: string[][] = [];
    const sink = notesSink(calls);
    await Promise.all(
      ['a', 'b', 'c'].map((t) =>
        database.bookkeeping(async (m) => {
          expect(database.stage(m, sink, `${t}1`)).toBe(true);
          await insert(t)(m);
          database.stage(m, sink, `${t}2`);
        }),
      ),
    );
    expect(calls).toEqual([['a1', 'a2', 'b1', 'b2', 'c1', 'c2']]);
    expect(await texts()).toEqual(['a', 'b', 'c', 'a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
  });

  it('drops the rows of a unit that rolled back, and stages nothing for a transaction not its own', async () => {
    const calls: string[][] = [];
    const sink = notesSink(calls);
    await Promise.allSettled([
      database.transaction(async (m) => {
        database.stage(m, sink, 'kept');
      }),
      database.transaction(async (m) => {
        database.stage(m, sink, 'rolled back');
        throw new Error('no');
      }),
    ]);
    expect(calls).toEqual([['kept']]);
    expect(await texts()).toEqual(['kept']);
    await dataSource.transaction(async (m) => expect(database.stage(m, sink, 'foreign')).toBe(false));
    expect(database.stage(undefined, sink, 'none')).toBe(false);
  });

  it('commits the units of a batch whose staged rows fail, and reports those rows lost', async () => {
    const calls: string[][] = [];
    const results = await Promise.allSettled(
      ['x', 'y'].map((t) =>
        database.transaction(async (m) => {
          await insert(t)(m);
          database.stage(m, notesSink(calls, true), `${t} staged`);
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // Two sinks (one each), each written and rolled back alone.
    expect(calls).toEqual([['x staged'], ['lost', 'x staged'], ['y staged'], ['lost', 'y staged']]);
    expect(await texts()).toEqual(['x', 'y']);
  });

  it('fsyncs durable commits and relaxes bookkeeping ones', async () => {
    await database.bookkeeping(insert('bookkeeping'));
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]); // NORMAL
    await database.transaction(insert('accepted webhook'));
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]); // FULL
  });

  it('is settled only while no batch is waiting or open', async () => {
    expect(database.settled()).toBe(true);
    let inside: boolean | undefined;
    const unit = database.bookkeeping(async (m) => {
      inside = database.settled();
      await insert('x')(m);
    });
    expect(database.settled()).toBe(false);
    await unit;
    expect(inside).toBe(false);
    expect(database.settled()).toBe(true);
  });

  it('answers a durable unit once the log is synced off the event loop; bookkeeping does not wait for it', async () => {
    database.onModuleInit();
    try {
      await database.bookkeeping(insert('bookkeeping'));
      expect(database.walSyncs).toBe(0);
      // Its pages are synced in the background, so that the next durable commit's sync does not carry them.
      await until(() => database.walSyncs === 1);
      await database.transaction(insert('accepted webhook'));
      expect(database.walSyncs).toBe(2);
      // Durable units that arrive together share the sync as they share the commit.
      await Promise.all(['a', 'b', 'c'].map((t) => database.transaction(insert(t))));
      expect(database.walSyncs).toBe(3);
      // The commits themselves no longer hold the event loop for an fsync.
      expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
      expect(await texts()).toEqual(['bookkeeping', 'accepted webhook', 'a', 'b', 'c']);
    } finally {
      await database.onApplicationShutdown();
    }
  });

  it('gives a durable unit that a commit callback starts at once the sync of the unit it follows', async () => {
    database.onModuleInit();
    try {
      let order: Promise<unknown> | undefined;
      const answered: string[] = [];
      const alert = database.transaction(async (m) => {
        await insert('alert')(m);
        // As the engine starts on an alert the moment it commits: a few promise turns, then its order.
        database.onCommitted(m, () => {
          order = (async () => {
            for (let i = 0; i < 20; i++) await Promise.resolve();
            await database.transaction(insert('order'));
            answered.push('order');
          })();
        });
      });
      await alert;
      answered.push('alert');
      await order;
      // One sync for both, begun once the order had committed: the alert's answer waited for it too.
      expect(database.walSyncs).toBe(1);
      expect(answered).toEqual(['alert', 'order']);
      expect(await texts()).toEqual(['alert', 'order']);
    } finally {
      await database.onApplicationShutdown();
    }
  });

  it('answers the units of a sync that ask to go first (an order for a broker) before the others (the alerts)', async () => {
    database.onModuleInit();
    try {
      const answered: string[] = [];
      let orders: Promise<unknown> | undefined;
      const alerts = Promise.all(
        ['alert 1', 'alert 2'].map((text) =>
          database
            .transaction(async (m) => {
              await insert(text)(m);
              // The engine starts on an alert as it commits; its order commits next and shares the sync.
              if (text === 'alert 2')
                database.onCommitted(m, () => {
                  orders = Promise.all(
                    ['order 1', 'order 2'].map((order) =>
                      database.transaction(insert(order), { answerFirst: true }).then(() => void answered.push(order)),
                    ),
                  );
                });
            })
            .then(() => void answered.push(text)),
        ),
      );
      await alerts;
      await orders;
      expect(database.walSyncs).toBe(1);
      // Committed after the alerts, answered before them; each group in its own order.
      expect(answered).toEqual(['order 1', 'order 2', 'alert 1', 'alert 2']);
      expect(await texts()).toEqual(['alert 1', 'alert 2', 'order 1', 'order 2']);
    } finally {
      await database.onApplicationShutdown();
    }
  });

  it('syncs at most one commit later than a durable unit asked for, however long the queue stays full', async () => {
    database.onModuleInit();
    try {
      // Each commit's callback queues the next durable unit at once: the queue is never empty after a commit.
      const answeredAfter: number[] = [];
      const chain = (n: number): Promise<void> =>
        database
          .transaction(async (m) => {
            await insert(`unit ${n}`)(m);
            if (n < 6) database.onCommitted(m, () => void chain(n + 1));
          })
          .then(() => void answeredAfter.push(database.walSyncs));
      await chain(1);
      await until(() => answeredAfter.length === 6);
      // Units 1 and 2 share the first sync, begun while the rest of the chain went on committing;
      // the later ones share the next (a sync asked for while one runs follows it).
      expect(answeredAfter.slice(0, 2)).toEqual([1, 1]);
      expect(answeredAfter[5]).toBeGreaterThan(1);
      expect(await texts()).toHaveLength(6);
    } finally {
      await database.onApplicationShutdown();
    }
  });

  it('checkpoints the log in a worker thread, leaving the main connection a backstop', async () => {
    database.onModuleInit();
    try {
      expect(await dataSource.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 10000 }]);
      const file = join(dir, 'db.sqlite');
      const before = statSync(file).size;
      // A page of log a row, past the size at which the worker copies the log back (and far below
      // the backstop): only the worker copies these pages into the database file.
      const rows = CHECKPOINT_AT_FRAMES + 300;
      const text = 'x'.repeat(4000);
      await Promise.all(Array.from({ length: rows }, (_, i) => database.bookkeeping(insert(`${i}:${text}`))));
      const deadline = Date.now() + 10_000;
      while (statSync(file).size < before + rows * 4000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(statSync(file).size).toBeGreaterThanOrEqual(before + rows * 4000);
    } finally {
      await database.onApplicationShutdown();
    }
  });
});

describe('DatabaseService on PostgreSQL', () => {
  const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  let dataSource: DataSource;
  let database: DatabaseService;

  beforeEach(async () => {
    dataSource = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
    database = new DatabaseService(dataSource);
  });
  afterEach(async () => {
    await dataSource.destroy();
  });

  const setting = (m: import('typeorm').EntityManager) =>
    m.query('SHOW synchronous_commit').then((rows: { synchronous_commit: string }[]) => rows[0].synchronous_commit);

  it('commits bookkeeping without waiting for its WAL flush, and everything else durably', async () => {
    expect(await database.bookkeeping(setting)).toBe('off');
    expect(await database.transaction(setting)).toBe('on');
    // SET LOCAL: the connection goes back to the pool as it was.
    expect(await dataSource.query('SHOW synchronous_commit')).toEqual([{ synchronous_commit: 'on' }]);
  });

  describe('units that share their turn (shareTurn)', () => {
    const table = `shared_${process.pid}`;
    beforeEach(async () => {
      await dataSource.query(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, text TEXT NOT NULL UNIQUE)`);
      await dataSource.query(`TRUNCATE ${table}`);
    });
    afterEach(async () => {
      await dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    });
    const shared = { shareTurn: true };
    const txid = (m: import('typeorm').EntityManager) =>
      m.query('SELECT txid_current() AS "id"').then((rows: { id: string }[]) => rows[0].id);
    const insertText = (m: import('typeorm').EntityManager, text: string) => m.query(`INSERT INTO ${table} (text) VALUES ($1)`, [text]);
    const texts = async () => ((await dataSource.query(`SELECT text FROM ${table} ORDER BY id`)) as { text: string }[]).map((r) => r.text);

    it('runs the units of one turn in one transaction, in arrival order; a unit that may not share gets its own', async () => {
      const ids = await Promise.all([
        database.transaction(async (m) => (await insertText(m, 'a'), txid(m)), shared),
        database.transaction(async (m) => (await insertText(m, 'b'), txid(m)), { durable: false, shareTurn: true }),
        database.transaction(async (m) => (await insertText(m, 'alone'), txid(m))),
        database.transaction(async (m) => (await insertText(m, 'c'), txid(m)), shared),
      ]);
      expect(ids[1]).toBe(ids[0]);
      expect(ids[3]).toBe(ids[0]);
      expect(ids[2]).not.toBe(ids[0]);
      expect((await texts()).filter((t) => t !== 'alone')).toEqual(['a', 'b', 'c']);
      // A later turn: a transaction of its own.
      expect(await database.transaction(txid, shared)).not.toBe(ids[0]);
    });

    it('commits durably when any unit of the turn is durable, and without the flush when none is', async () => {
      const bookkeeping = { durable: false, shareTurn: true };
      expect(await Promise.all([database.transaction(setting, bookkeeping), database.transaction(setting, bookkeeping)])).toEqual([
        'off',
        'off',
      ]);
      expect(await Promise.all([database.transaction(setting, bookkeeping), database.transaction(setting, shared)])).toEqual(['on', 'on']);
      expect(await dataSource.query('SHOW synchronous_commit')).toEqual([{ synchronous_commit: 'on' }]);
    });

    it('fails only the unit that failed: the others run again alone and commit, their callbacks run once', async () => {
      await database.transaction((m) => insertText(m, 'taken'));
      const runs: string[] = [];
      const committed: string[] = [];
      const after: string[] = [];
      const unit =
        (text: string, ...more: string[]) =>
        (m: import('typeorm').EntityManager) => {
          runs.push(text);
          database.onCommitted(m, () => committed.push(text));
          database.afterCommit(m, () => after.push(text));
          return [text, ...more].reduce<Promise<unknown>>((done, t) => done.then(() => insertText(m, t)), Promise.resolve());
        };
      const results = await Promise.allSettled([
        database.transaction(unit('first'), shared),
        // Its second insert breaks the unique key, which aborts a PostgreSQL transaction: the whole turn's.
        database.transaction(unit('half of a failing unit', 'taken'), shared),
        database.transaction(unit('last'), shared),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/duplicate key|unique/i);
      expect(await texts()).toEqual(['taken', 'first', 'last']);
      // Together up to the failure, then each alone (side by side, so in any order); the callbacks
      // of the rolled-back try never run.
      expect(runs.slice(0, 2)).toEqual(['first', 'half of a failing unit']);
      expect(runs.slice(2).sort()).toEqual(['first', 'half of a failing unit', 'last']);
      expect(committed.sort()).toEqual(['first', 'last']);
      expect(after.sort()).toEqual(['first', 'last']);
    });

    it('runs the units of a shared transaction in the order of their lock keys: two side by side never each hold a row the other waits for', async () => {
      await dataSource.query(`INSERT INTO ${table} (text) VALUES ('r1'), ('r2')`);
      const lock = (m: import('typeorm').EntityManager, text: string) =>
        m.query(`SELECT "id" FROM ${table} WHERE "text" = $1 FOR UPDATE`, [text]);
      const runs: string[] = [];
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const unit =
        (name: string, row: string, wait?: Promise<void>) =>
        async (m: import('typeorm').EntityManager): Promise<string> => {
          runs.push(name);
          await lock(m, row);
          await wait;
          return txid(m);
        };
      const locking = (row: string) => ({ durable: false, shareTurn: true, lockKey: row });
      // One turn: r2's unit first, holding its row until the gate opens, then r1's.
      const first = [
        database.transaction(unit('first r2', 'r2', gate), locking('r2')),
        database.transaction(unit('first r1', 'r1'), locking('r1')),
      ];
      const later = () => new Promise((resolve) => setTimeout(resolve, 50));
      await later();
      // The next turn, side by side: r1's unit first, then r2's. In the order they came, the first
      // transaction would hold r2 and wait for r1, the second hold r1 and wait for r2.
      const second = [
        database.transaction(unit('second r1', 'r1'), locking('r1')),
        database.transaction(unit('second r2', 'r2'), locking('r2')),
      ];
      await later();
      open();
      const ids = await Promise.all([...first, ...second]);
      // Each unit ran once, in key order: no transaction was broken off and run again.
      expect(runs).toEqual(['first r1', 'first r2', 'second r1', 'second r2']);
      expect(ids[1]).toBe(ids[0]);
      expect(ids[3]).toBe(ids[2]);
      expect(ids[2]).not.toBe(ids[0]);
    });

    it("writes the turn's staged rows once per sink, in unit order, inside the shared transaction", async () => {
      const calls: string[][] = [];
      const sink: RowSink<string> = {
        async write(m, rows) {
          calls.push(rows);
          for (const row of rows) await insertText(m, row);
        },
        lost: () => undefined,
      };
      await Promise.all([
        database.transaction(async (m) => void database.stage(m, sink, 'one'), shared),
        database.transaction(async (m) => {
          database.stage(m, sink, 'two');
          database.stage(m, sink, 'three');
        }, shared),
      ]);
      expect(calls).toEqual([['one', 'two', 'three']]);
      expect(await texts()).toEqual(['one', 'two', 'three']);
    });
  });

  it('writes staged rows inside the transaction, and not at all when it rolls back', async () => {
    const table = `staged_${process.pid}_${Date.now()}`;
    await dataSource.query(`CREATE TABLE ${table} (id SERIAL PRIMARY KEY, text TEXT NOT NULL)`);
    try {
      const calls: string[][] = [];
      const sink: RowSink<string> = {
        async write(m, rows) {
          calls.push(rows);
          for (const row of rows) await m.query(`INSERT INTO ${table} (text) VALUES ($1)`, [row]);
        },
        lost: () => undefined,
      };
      await database.bookkeeping(async (m) => {
        database.stage(m, sink, 'one');
        database.stage(m, sink, 'two');
        // Not yet written: the rows wait for the end of the work.
        expect(await m.query(`SELECT text FROM ${table}`)).toEqual([]);
      });
      await expect(
        database.transaction(async (m) => {
          database.stage(m, sink, 'rolled back');
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(calls).toEqual([['one', 'two']]);
      expect(await dataSource.query(`SELECT text FROM ${table} ORDER BY id`)).toEqual([{ text: 'one' }, { text: 'two' }]);
    } finally {
      await dataSource.query(`DROP TABLE ${table}`);
    }
  });
});
