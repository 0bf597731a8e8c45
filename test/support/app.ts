import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../../apps/server/src/app.factory.js';
import type { AppConfig } from '../../apps/server/src/config/config.schema.js';
import { loadConfig, merge } from '../../apps/server/src/config/load-config.js';
import { TEST_LOG_LEVEL, TestLogger } from './test-log.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The admin every test server starts with; `startServer` signs in as it. */
export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password' };

export interface TestServer {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  /** The admin session token `http()` sends to this server ('' when started with `signInAs: null`). */
  token: string;
  /** Closes the app; `keepData` leaves the database for a restart test. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Merged key by key over the test defaults. */
  overrides?: Record<string, unknown>;
  /** Whom `startServer` signs in as; null: nobody (the server's admin may be another). */
  signInAs?: { username: string; password: string } | null;
}

/** A real server on a free port: real SQLite file (or PostgreSQL), real plugins, real HTTP. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tradeloop-test-'));
  const config = loadConfig({
    env: {},
    overrides: merge(
      {
        server: { port: 0, host: '127.0.0.1' },
        dataDir,
        database: { url: options.databaseUrl ?? '' },
        redis: { url: options.redisUrl ?? '' },
        // Test servers share one Redis: each gets its own keys.
        queue: { prefix: `tradeloop-test-${process.pid}-${Date.now()}` },
        plugins: { settings: { 'sim-feed': { seed: 42, quotesPerSecond: 20 } } },
        log: { level: TEST_LOG_LEVEL },
        auth: { adminUser: TEST_ADMIN.username, adminPassword: TEST_ADMIN.password },
        // Tests send the same alert body several times on purpose; the duplicate window has its own test.
        webhooks: { duplicateWindowSeconds: 0 },
        // Never the project's own strategies/ folder: each server gets an empty one unless the test names its own.
        strategies: { dir: join(dataDir, 'strategies') },
      },
      options.overrides ?? {},
    ),
  });
  // A prefix of its own (not named by the test) is this server's alone: its keys go with it.
  const ownPrefix = options.redisUrl && !(options.overrides as { queue?: { prefix?: unknown } } | undefined)?.queue?.prefix;
  // Logs go to the test's buffer, printed only if the test fails (or live with LOG_LEVEL).
  const app = await createApp(config, { logger: new TestLogger() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const signInAs = options.signInAs === undefined ? TEST_ADMIN : options.signInAs;
  const token = signInAs ? await login(url, signInAs) : '';
  return {
    app,
    url,
    config,
    token,
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (ownPrefix) await dropRedisKeys(options.redisUrl!, config.queue.prefix);
    },
  };
}

/** Deletes every key under `prefix`: what a test's queues left in the Redis the tests share. */
export async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Signs in as the test admin; later `http()` calls to this server carry the session token. */
export async function login(base: string, credentials = TEST_ADMIN): Promise<string> {
  const response = await http(base, 'POST', '/api/auth/login', credentials, { token: null });
  if (response.status !== 200) throw new Error(`test login failed: ${response.status} ${JSON.stringify(response.body)}`);
  signIn(base, response.body.token);
  return response.body.token;
}

/** A fresh PostgreSQL database for one test file; drop() removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tradeloop_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Credentials of each running test server, by base URL, so `http()` calls are signed in by default. */
const credentials = new Map<string, string>();

/** Registers the bearer token `http()` sends to a server (access control fills this in at start). */
export function signIn(base: string, token: string): void {
  credentials.set(base, token);
}

/** Headers that sign a request in to a test server: for raw fetch and WebSocket clients. */
export function authHeaders(base: string): Record<string, string> {
  const token = credentials.get(base);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Real HTTP with Node's fetch. `raw` sends a string body with the given content type. Requests
 * carry the server's signed-in token unless `token` says otherwise (`null`: anonymous).
 */
export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; raw?: boolean; token?: string | null } = {},
): Promise<HttpResult<T>> {
  const token = options.token === undefined ? credentials.get(base) : options.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    payload = options.raw ? String(body) : JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
