import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import { LogsService } from '../../../apps/server/src/logs/logs.service.js';
import { createPostgresDatabase, http, startServer, type TestServer } from '../../support/app.js';

/**
 * The log's lines are written together just before their transaction commits: many units' lines
 * in a few statements. Each line must still get its own id (the one `/ws` announces and the admin
 * pages by), commit with the change that wrote it and vanish with one that rolled back.
 */
describe.each(['sqlite', 'postgres'] as const)('log lines written together (%s)', (kind) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let db: DataSource;
  let logs: LogsService;
  let database: DatabaseService;

  beforeAll(async () => {
    let databaseUrl = '';
    if (kind === 'postgres') ({ url: databaseUrl, drop } = await createPostgresDatabase());
    server = await startServer({ databaseUrl, overrides: { plugins: { disabled: ['sim-feed'] }, log: { maxLinesPerMinute: 1000 } } });
    db = server.app.get(DataSource);
    logs = server.app.get(LogsService);
    database = server.app.get(DatabaseService);
  });
  afterAll(async () => {
    await server.close();
    await drop?.();
  });

  const stored = async (ids: number[]) =>
    new Map(
      (
        (await db.query(`SELECT id, message FROM log_entries WHERE id IN (${ids.join(', ')})`)) as {
          id: number | string;
          message: string;
        }[]
      ).map((r) => [Number(r.id), r.message]),
    );

  it('gives each of 70 lines of one change (chunks of 64, 4 and 2: three statements) the id of its own row, rising in the order written', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'chatty' })).body;
    const announced: { id: number | null; message: string }[] = [];
    const stop = server.app.get(EventBus).subscribe((message) => {
      if (message.type === 'LOG' && message.data.strategyId === strategy.id) announced.push(message.data);
    });
    const statements = server.app.get(Statements);
    const all = statements.all;
    const inserts: number[] = [];
    statements.all = function (this: Statements, manager, sql, params) {
      if (/INSERT INTO "log_entries"/.test(sql)) inserts.push((sql.match(/\(\?, \?, \?, \?, \?, \?\)/g) ?? []).length);
      return all.call(this, manager, sql, params) as never;
    } as typeof all;
    try {
      // One change writing 70 lines: they are written together as it commits.
      await database.bookkeeping(async (m) => {
        for (let i = 0; i < 70; i++)
          await logs.write({ level: 'info', category: 'test', strategyId: strategy.id, message: `line ${i}` }, m);
      });
    } finally {
      stop();
      statements.all = all;
    }
    expect(inserts).toEqual([64, 4, 2]);
    expect(announced.map((a) => a.message)).toEqual(Array.from({ length: 70 }, (_, i) => `line ${i}`));
    const ids = announced.map((a) => a.id!);
    expect(ids.every(Number.isInteger)).toBe(true);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const rows = await stored(ids);
    for (const a of announced) expect(rows.get(a.id!)).toBe(a.message);
  });

  it('commits a line with the change that wrote it, and drops it with a change that rolled back', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'careful' })).body;
    const outcomes = await Promise.allSettled([
      database.bookkeeping(async (m) => {
        await logs.write({ level: 'info', category: 'test', strategyId: strategy.id, message: 'kept' }, m);
      }),
      database.bookkeeping(async (m) => {
        await logs.write({ level: 'info', category: 'test', strategyId: strategy.id, message: 'rolled back' }, m);
        throw new Error('the change failed');
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const messages = (
      (await db.query(`SELECT message FROM log_entries WHERE "strategyId" = '${strategy.id}'`)) as { message: string }[]
    ).map((r) => r.message);
    expect(messages).toEqual(['kept']);
    // What the API answers right after: the line is already there.
    const listed = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}`)).body as { message: string }[];
    expect(listed.map((l) => l.message)).toEqual(['kept']);
  });
});
