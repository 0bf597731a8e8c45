import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { LINES_PER_INDEXING, LogsService } from '../../../apps/server/src/logs/logs.service.js';
import { createPostgresDatabase, http, startServer, type TestServer } from '../../support/app.js';
import { turnCounter } from '../../support/turns.js';

/**
 * A strategy's lines are found through `log_strategy_lines`. SQLite writes its entries once a
 * second, in one commit sorted by strategy; until then its page reads the newest lines from the
 * log itself. Either way the API must answer every line at once, in order, and a line the indexer
 * never reached (the process was killed first) must be indexed after a restart.
 */
describe.each(['sqlite', 'postgres'] as const)('a strategy’s log lines, indexed (%s)', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-log-index-'));
  let server: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl = '';
  afterAll(async () => {
    await server?.close();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    server = await startServer({
      dataDir,
      databaseUrl,
      overrides: { plugins: { disabled: ['sim-feed'] }, log: { maxLinesPerMinute: 1000, indexIntervalMs: 3_600_000 } },
    });
    return {
      db: server.app.get(DataSource),
      logs: server.app.get(LogsService),
      database: server.app.get(DatabaseService),
      url: server.url,
    };
  };
  const marks = async (db: DataSource, strategyId: string) =>
    Number(
      ((await db.query(`SELECT count(*) AS "n" FROM "log_strategy_lines" WHERE "strategyId" = '${strategyId}'`)) as { n: unknown }[])[0].n,
    );
  const listed = async (url: string, query: string) =>
    ((await http(url, 'GET', `/api/logs?${query}`)).body as { id: number; message: string }[]).map((line) => line.message);

  it('answers every line at once, in order, across the lines indexed and those not yet', async () => {
    if (kind === 'postgres') ({ url: databaseUrl, drop } = await createPostgresDatabase());
    const { db, logs, database, url } = await start();
    const [a, b] = await Promise.all(
      ['alpha', 'beta'].map(async (name) => (await http(url, 'POST', '/api/strategies', { name })).body as { id: string }),
    );
    const write = (strategyId: string, from: number, count: number) =>
      database.bookkeeping(async (m) => {
        for (let i = from; i < from + count; i++)
          await logs.write({ level: i % 5 === 0 ? 'warn' : 'info', category: 'test', strategyId, message: `line ${i}` }, m);
      });
    await Promise.all([write(a.id, 0, 12), write(b.id, 0, 3)]);
    await logs.indexLines();
    await Promise.all([write(a.id, 12, 8), write(b.id, 3, 3)]);
    const newestFirst = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${to - 1 - i}`);

    // SQLite: the last 8 of alpha's lines have no entry yet; PostgreSQL wrote each with its line.
    expect(await marks(db, a.id)).toBe(kind === 'sqlite' ? 12 : 20);
    expect(await listed(url, `strategyId=${a.id}`)).toEqual(newestFirst(0, 20));
    expect(await listed(url, `strategyId=${a.id}&limit=10`)).toEqual(newestFirst(10, 20));
    expect(await listed(url, `strategyId=${a.id}&level=warn`)).toEqual(['line 15', 'line 10', 'line 5', 'line 0']);
    expect(await listed(url, `strategyId=${b.id}`)).toEqual(newestFirst(0, 6));
    const page = (await http(url, 'GET', `/api/logs?strategyId=${a.id}&limit=5`)).body as { id: number }[];
    expect(await listed(url, `strategyId=${a.id}&beforeId=${page[4].id}&limit=5`)).toEqual(newestFirst(10, 15));

    await logs.indexLines();
    expect(await marks(db, a.id)).toBe(20);
    expect(await listed(url, `strategyId=${a.id}`)).toEqual(newestFirst(0, 20));
    expect(await listed(url, `strategyId=${a.id}&beforeId=${page[4].id}&limit=5`)).toEqual(newestFirst(10, 15));
  });

  it('indexes after a restart the lines a killed process left unindexed (SQLite)', async () => {
    if (kind === 'postgres') return; // PostgreSQL writes a line and its entry in one statement
    const strategy = (await http(server!.url, 'POST', '/api/strategies', { name: 'gamma' })).body as { id: string };
    await server!.close({ keepData: true });
    server = undefined;
    // Committed lines the indexer never saw, as when the process is killed within its second.
    const file = new Database(join(dataDir, 'tradeloop.sqlite'));
    try {
      const insert = file.prepare(
        `INSERT INTO "log_entries" ("time", "level", "category", "strategyId", "message", "context") VALUES (?, 'info', 'test', ?, ?, NULL)`,
      );
      for (const i of [0, 1, 2]) insert.run(Date.now(), strategy.id, `line ${i}`);
    } finally {
      file.close();
    }
    const { db, logs, url } = await start();
    expect(await listed(url, `strategyId=${strategy.id}`)).toEqual(['line 2', 'line 1', 'line 0']);
    await logs.indexLines();
    expect(await marks(db, strategy.id)).toBe(3);
    expect(await listed(url, `strategyId=${strategy.id}`)).toEqual(['line 2', 'line 1', 'line 0']);
  });

  it('indexes more lines than one commit takes in several, the event loop turning between them (SQLite)', async () => {
    if (kind === 'postgres') return; // each line is indexed as it is written
    const db = server!.app.get(DataSource);
    const logs = server!.app.get(LogsService);
    const database = server!.app.get(DatabaseService);
    const strategies = await Promise.all(
      [0, 1, 2, 3, 4].map(
        async (i) => ((await http(server!.url, 'POST', '/api/strategies', { name: `delta ${i}` })).body as { id: string }).id,
      ),
    );
    // 4,500 lines: under each strategy's allowance of 1,000 a minute, more than two commits' worth.
    await database.bookkeeping(async (m) => {
      for (const strategyId of strategies)
        for (let i = 0; i < 900; i++) await logs.write({ level: 'info', category: 'test', strategyId, message: `line ${i}` }, m);
    });
    const file = new Database(join(dataDir, 'tradeloop.sqlite'), { readonly: true });
    const indexed = () => (file.prepare('SELECT count(*) AS "n" FROM "log_strategy_lines"').get() as { n: number }).n;
    const strategyLines = () =>
      (file.prepare('SELECT count(*) AS "n" FROM "log_entries" WHERE "strategyId" IS NOT NULL').get() as { n: number }).n;
    const commits: { turn: number; indexed: number }[] = [];
    const watcher: EntitySubscriberInterface = {
      afterTransactionCommit: () => void commits.push({ turn: turns.turn, indexed: indexed() }),
    };
    const before = indexed();
    const turns = turnCounter();
    db.subscribers.push(watcher);
    try {
      await logs.indexLines();
    } finally {
      turns.stop();
      db.subscribers.splice(db.subscribers.indexOf(watcher), 1);
    }
    try {
      // The commits that indexed lines (others may have run beside them), and how many each took.
      const steps = commits
        .map((commit, i) => ({ turn: commit.turn, added: commit.indexed - (i ? commits[i - 1].indexed : before) }))
        .filter((step) => step.added > 0);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      for (const step of steps) expect(step.added).toBeLessThanOrEqual(LINES_PER_INDEXING);
      expect(new Set(steps.map((step) => step.turn)).size).toBe(steps.length);
      expect(indexed()).toBe(strategyLines());
    } finally {
      file.close();
    }
    for (const strategyId of strategies) expect(await marks(db, strategyId)).toBe(900);
    const messages = await listed(server!.url, `strategyId=${strategies[4]}&limit=3`);
    expect(messages).toEqual(['line 899', 'line 898', 'line 897']);
  });
});
