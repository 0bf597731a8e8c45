import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, dropRedisKeys, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { freePort, launchServer, MAIN } from '../../support/processes.js';

const quiet = { plugins: { disabled: ['sim-feed'] } };
const ALONE_REFUSED = /another Tradeloop process is using this database/;
const SHARED_REFUSED = /a Tradeloop process without Redis is using this database/;

/**
 * The built server started as `npm start` runs it, expected to refuse: its exit code and output.
 * A process, not an app in this one: a start refused with Redis has opened connections to it.
 */
function refusedStart(
  where: { dataDir?: string; databaseUrl?: string },
  redis: boolean,
  ownDir: string,
): Promise<{ code: number | null; output: string }> {
  // Its queue keys under this test's prefix, not the default one a real server on this Redis uses.
  const config = join(ownDir, 'writers-test.yaml');
  writeFileSync(config, `queue:\n  prefix: writers-${process.pid}-refused\n`);
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: {
      ...process.env,
      TRADELOOP_CONFIG: config,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      DATA_DIR: where.dataDir ?? ownDir,
      DATABASE_URL: where.databaseUrl ?? '',
      REDIS_URL: redis ? REDIS_URL : '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (text: Buffer) => (output += text.toString()));
  // One that starts after all is stopped, and the test fails on its exit code.
  const started = setTimeout(() => child.kill('SIGKILL'), 30000);
  return new Promise((done) =>
    child.once('exit', (code) => {
      clearTimeout(started);
      done({ code, output });
    }),
  );
}

/**
 * Without Redis a process holds copies of its own writes in memory (positions, orders, accounts),
 * so it must be its database's only writer; processes with Redis share theirs. A process of the
 * other kind is refused at start, with a message saying why, before it migrates or reads anything.
 */
describe.each(['SQLite', 'PostgreSQL'] as const)('one writer without Redis (%s)', (kind) => {
  const running: TestServer[] = [];
  const drops: (() => Promise<void>)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-writers-'));

  afterEach(async () => {
    while (running.length) await running.pop()!.close({ keepData: true });
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
    rmSync(dataDir, { recursive: true, force: true });
    await dropRedisKeys(REDIS_URL, `writers-${process.pid}-`);
  });

  /** One database for the test, the same for every process it starts. */
  const database = async () => {
    if (kind === 'SQLite') return { dataDir: mkdtempSync(join(dataDir, 'db-')) };
    const created = await createPostgresDatabase();
    drops.push(created.drop);
    return { databaseUrl: created.url };
  };
  const start = async (where: { dataDir?: string; databaseUrl?: string }, redis: boolean) => {
    const server = await startServer({
      ...where,
      // Each process needs a data folder of its own for its key when the database is PostgreSQL.
      ...(where.databaseUrl ? { dataDir: mkdtempSync(join(dataDir, 'own-')) } : {}),
      ...(redis ? { redisUrl: REDIS_URL } : {}),
      overrides: { ...quiet, ...(redis ? { queue: { prefix: `writers-${process.pid}-${Date.now()}` } } : {}) },
    });
    running.push(server);
    return server;
  };

  it('refuses a second process without Redis, and one with Redis, while one without runs; the next starts once it stops', async () => {
    const where = await database();
    const first = await start(where, false);
    const created = await http(first.url, 'POST', '/api/strategies', { name: 'written by the first' });
    expect(created.status).toBe(201);

    await expect(start(where, false)).rejects.toThrow(ALONE_REFUSED);
    const withRedis = await refusedStart(where, true, mkdtempSync(join(dataDir, 'own-')));
    expect(withRedis.code).toBe(2);
    expect(withRedis.output).toMatch(SHARED_REFUSED);
    expect(withRedis.output).toMatch(/Tradeloop cannot start: .*set REDIS_URL on every process sharing the database/);
    // Still the first's, and still answering.
    expect((await http(first.url, 'GET', `/api/strategies/${created.body.id}`)).status).toBe(200);

    await running.pop()!.close({ keepData: true });
    const next = await start(where, false);
    expect((await http(next.url, 'GET', `/api/strategies/${created.body.id}`)).body.name).toBe('written by the first');
  }, 60000);

  it('lets processes with Redis share a database, and refuses one without Redis beside them', async () => {
    const where = await database();
    const a = await start(where, true);
    const b = await start(where, true);
    expect((await http(a.url, 'GET', '/api/health')).status).toBe(200);
    expect((await http(b.url, 'GET', '/api/health')).status).toBe(200);
    await expect(start(where, false)).rejects.toThrow(ALONE_REFUSED);
    const withoutRedis = await refusedStart(where, false, mkdtempSync(join(dataDir, 'own-')));
    expect(withoutRedis.code).toBe(2);
    expect(withoutRedis.output).toMatch(ALONE_REFUSED);
  }, 60000);

  it('a killed process does not lock out its restart', async () => {
    const where = await database();
    const port = await freePort();
    const child = await launchServer(port, {
      DATA_DIR: where.dataDir ?? mkdtempSync(join(dataDir, 'child-')),
      DATABASE_URL: where.databaseUrl ?? '',
    });
    try {
      await expect(start(where, false)).rejects.toThrow(ALONE_REFUSED);
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    }
    const restarted = await start(where, false);
    expect((await http(restarted.url, 'GET', '/api/health')).status).toBe(200);
  }, 60000);
});

describe('the claim on PostgreSQL, when its connection is lost', () => {
  let server: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-writers-lost-'));
  afterAll(async () => {
    await server?.close();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the server running and answering (the lost connection is reported, not thrown)', async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    server = await startServer({ dataDir, databaseUrl: database.url, overrides: quiet });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // The session holding the advisory lock, ended by the database server (as a restart of it would).
      const ended = await admin.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
         WHERE locktype = 'advisory' AND objid = 746283512 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(ended.rows.map((row) => row.ended)).toEqual([true]);
    } finally {
      await admin.end();
    }
    await new Promise((done) => setTimeout(done, 200));
    expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
    // Reads still go through its pool, untouched by the loss.
    expect((await http(server.url, 'GET', '/api/accounts')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Paper' })]),
    );
  }, 60000);
});
