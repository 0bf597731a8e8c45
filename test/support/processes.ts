import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { eventually, http, login, TEST_ADMIN } from './app.js';
import { serverLog, TEST_LOG_LEVEL } from './test-log.js';

/** The built server's entry point, as `npm start` runs it. */
export const MAIN = resolve('apps/server/dist/main.js');

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

/**
 * The built server as a real process on `port`, signed in as the test admin once its health
 * answers. `env` adds to (or overrides) the defaults: no Redis, no PostgreSQL, errors-only logs.
 */
export async function launchServer(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: TEST_LOG_LEVEL,
      REDIS_URL: '',
      DATABASE_URL: '',
      ADMIN_USER: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logOutputOf(child);
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => (await http(base, 'GET', '/api/health', undefined, { token: null })).status === 200, 30000, 'server start');
  await login(base);
  return child;
}

/** A server process's output, line by line, into the test's log (printed if the test fails). */
export function logOutputOf(child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) serverLog(`[pid ${child.pid}] ${line}`);
    });
    stream.on('end', () => pending && serverLog(`[pid ${child.pid}] ${pending}`));
  }
}
