import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { LogsService } from '../../../apps/server/src/logs/logs.service.js';
import { eventually, http, login, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';
import { freePort, MAIN } from '../../support/processes.js';

// Short enough to be quoted whole in the log line that names the alert (its own id is clipped at 40 characters).
const FORGED = 'x\n[Nest] 1 LOG KILL SWITCH\u001b[2J\u001b[31m';

/** The log sink: bounded lines, one line each, a bounded number a minute per strategy. */
describe('the log', () => {
  let server: TestServer;
  let db: DataSource;

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        log: { maxLinesPerMinute: 40 },
        webhooks: { rateLimit: { perTokenPerMinute: 10_000, perIpPerMinute: 10_000 } },
      },
    });
    db = server.app.get(DataSource);
  });
  afterAll(() => server.close());

  const rowsOf = async (strategyId: string | null) =>
    (await db.query(
      strategyId ? 'SELECT message, context FROM log_entries WHERE "strategyId" = ?' : 'SELECT message, context FROM log_entries',
      strategyId ? [strategyId] : [],
    )) as { message: string; context: string | null }[];

  it('stores an alert id with a newline and terminal escapes written out, on one line', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'forger' })).body;
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      price: 25000,
      id: FORGED,
    });
    expect(sent.status).toBe(202);
    const rows = await eventually(async () => {
      const found = (await rowsOf(strategy.id)).filter((r) => r.message.includes('KILL SWITCH'));
      return found.length ? found : null;
    });
    for (const row of rows) {
      expect(row.message).not.toMatch(/[\n\r\u001b]/);
      expect(row.message).toContain('x\\n[Nest] 1');
      expect(row.message).toContain('\\u001b[2J');
    }
  });

  it('cuts every message and stack to about 2 KB, and keeps at most the allowance a minute per strategy, then says how many it dropped', async () => {
    const logs = server.app.get(LogsService);
    const flooded = (await http(server.url, 'POST', '/api/strategies', { name: 'flooded' })).body;
    const neighbour = (await http(server.url, 'POST', '/api/strategies', { name: 'neighbour' })).body;
    const huge = 'E'.repeat(400_000);
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        logs.write({
          level: 'warn',
          category: 'script',
          strategyId: flooded.id,
          message: `onTick failed: ${huge}`,
          context: { eventId: `e${i}`, stack: `Error: ${huge}\n    at onTick` },
        }),
      ),
    );
    await logs.write({ level: 'info', category: 'script', strategyId: neighbour.id, message: 'still heard' });

    const kept = await rowsOf(flooded.id);
    expect(kept).toHaveLength(40);
    for (const row of kept) {
      expect(row.message.length).toBeLessThanOrEqual(2100);
      expect(row.message).toMatch(/more characters cut\]$/);
      expect(row.context!.length).toBeLessThanOrEqual(4000);
    }
    expect((await rowsOf(neighbour.id)).map((r) => r.message)).toEqual(['still heard']);

    // Once the minute is over, one line says what was dropped.
    await logs.closeMinutes(Date.now() + 60_000);
    const summary = await eventually(async () => (await rowsOf(flooded.id)).find((r) => /dropped/.test(r.message)));
    expect(summary.message).toMatch(/^460 log line\(s\) dropped between .+: more than 40 a minute for this strategy$/);
  });

  it('holds a strategy flooded with alerts to its allowance', async () => {
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'busy' })).body;
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
          ticker: 'NQ1!',
          action: i % 2 ? 'sell' : 'buy',
          price: 25000,
          id: `a${i}`,
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect((await rowsOf(strategy.id)).length).toBeLessThanOrEqual(40);
  });
});

/** What the operator sees on the console: no line forged by an alert, no escape sequence reaching the terminal. */
describe('the console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-console-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints an alert id with a newline and ANSI escapes on the same line, written out', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATA_DIR: join(dir, 'data'),
        STRATEGIES_DIR: join(dir, 'strategies'),
        REDIS_URL: '',
        DATABASE_URL: '',
        ADMIN_USER: TEST_ADMIN.username,
        ADMIN_PASSWORD: TEST_ADMIN.password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await eventually(
      async () => (await http(base, 'GET', '/api/health', undefined, { token: null })).status === 200,
      30_000,
      'server start',
    );
    await login(base);
    const strategy = (await http(base, 'POST', '/api/strategies', { name: 'forger' })).body;
    expect(
      (await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', price: 25000, id: FORGED })).status,
    ).toBe(202);
    await eventually(async () => output.includes('KILL SWITCH'), 10_000, 'the alert on the console');

    const lines = output.split('\n');
    // The forged text never starts a line of its own; every line holding it is the server's "alert accepted" line.
    expect(lines.filter((l) => l.startsWith('[Nest] 1 LOG'))).toEqual([]);
    for (const line of lines.filter((l) => l.includes('KILL SWITCH'))) {
      expect(line).toMatch(/\[webhook\] alert accepted: buy NQ1! @ 25000 \(#[0-9a-f]{8} "x\\n\[Nest\] 1 LOG/);
      expect(line).toContain('\\u001b[2J\\u001b[31m');
      expect(line).not.toContain('\u001b[2J');
    }
  });
});
