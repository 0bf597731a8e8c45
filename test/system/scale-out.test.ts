import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, dropRedisKeys, eventually, http, login, REDIS_URL, TEST_ADMIN } from '../support/app.js';
import { freePort, logOutputOf, MAIN } from '../support/processes.js';
import { TEST_LOG_LEVEL } from '../support/test-log.js';
import { connectWs, type WsClient } from '../support/ws-client.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `cluster-test-${process.pid}-`)]));

/**
 * The production layout on this machine: two api processes and two workers, real processes on one
 * Redis and one PostgreSQL database, sharing nothing else.
 */
describe('two api processes and two workers on Redis and PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-cluster-'));
  const processes: ChildProcess[] = [];
  const apis: string[] = [];
  const clients: WsClient[] = [];
  let drop: (() => Promise<void>) | undefined;
  let env: NodeJS.ProcessEnv;

  const launch = async (role: 'api' | 'worker', port?: number) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
      env: { ...env, ROLE: role, PORT: String(port ?? 0), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logOutputOf(child);
    processes.push(child);
    if (port) {
      const base = `http://127.0.0.1:${port}`;
      await eventually(
        async () => (await http(base, 'GET', '/api/health', undefined, { token: null })).status === 200,
        // Four Node processes starting at once on two cores (and migrating an empty database) can take a while.
        90_000,
        `${role} on ${port}`,
      );
      apis.push(base);
    }
    return child;
  };

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    writeFileSync(
      join(dir, 'cluster.yaml'),
      [
        `queue:\n  prefix: cluster-test-${process.pid}-${Date.now()}\n  partitions: 4`,
        // The simulated feed runs in whichever worker leads the feeds; quotes reach every process through Redis.
        'plugins:\n  disabled: [ws-data-feed, tradovate]\n  settings:\n    sim-feed:\n      seed: 7\n      quotesPerSecond: 10',
        `strategies:\n  dir: ${JSON.stringify(join(dir, 'strategies'))}`,
      ].join('\n'),
    );
    env = {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL,
      DATA_DIR: dir,
      LOG_LEVEL: TEST_LOG_LEVEL,
      TRADELOOP_CONFIG: join(dir, 'cluster.yaml'),
      ADMIN_USER: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
    };
    // All four start at once on an empty database: they take turns migrating it.
    const [first, second] = [await freePort(), await freePort()];
    await Promise.all([launch('api', first), launch('api', second), launch('worker'), launch('worker')]);
    apis.sort((a, b) => Number(a.split(':')[2]) - Number(b.split(':')[2]));
    // One session, good on both api processes: they share the database.
    const token = await login(apis[0]);
    const { signIn } = await import('../support/app.js');
    signIn(apis[1], token);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((r) => {
            if (p.exitCode !== null) return r();
            p.once('exit', () => r());
            p.kill('SIGTERM');
            setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('keeps each strategy in arrival order across workers, and shows every update to clients of either api process', async () => {
    for (const base of apis) {
      const client = await connectWs(base);
      client.send({ type: 'SUBSCRIBE', channels: ['FILL'] });
      await client.next('SUBSCRIBED');
      clients.push(client);
    }
    const strategies = [];
    for (let s = 0; s < 3; s++) strategies.push((await http(apis[0], 'POST', '/api/strategies', { name: `cluster ${s}` })).body);

    // 15 alerts per strategy, interleaved across strategies, each sent to either api process.
    const sent: Record<string, string[]> = {};
    for (let i = 0; i < 15; i++) {
      for (const [s, strategy] of strategies.entries()) {
        const response = await http(apis[(i + s) % 2], 'POST', `/webhooks/${strategy.webhookToken}`, {
          ticker: 'MYM1!',
          action: i % 2 ? 'sell' : 'buy',
          quantity: i + 1,
          price: 47000 + i,
        });
        expect(response.status).toBe(202);
        (sent[strategy.id] ??= []).push(response.body.eventId);
      }
    }
    for (const strategy of strategies) {
      await eventually(
        async () => {
          const events = (await http(apis[1], 'GET', `/api/events?strategyId=${strategy.id}&limit=100`)).body as any[];
          return events.length === 15 && events.every((e) => e.status === 'done');
        },
        60000,
        `all events of ${strategy.name}`,
      );
      // +1 −2 +3 … +15 = +8
      const [position] = (await http(apis[0], 'GET', `/api/positions?strategyId=${strategy.id}`)).body;
      expect(position.quantity).toBe(8);
      // The engine logs each event as it finishes, in commit order: the arrival order.
      const logs = (await http(apis[1], 'GET', `/api/logs?strategyId=${strategy.id}&limit=500`)).body as any[];
      const finished = logs.filter((l) => l.category === 'engine' && l.context?.eventId).reverse();
      expect(finished.map((l) => l.context.eventId)).toEqual(sent[strategy.id]);
    }
    // Every fill reached the clients of both api processes.
    for (const client of clients) {
      await eventually(async () => client.messages.filter((m) => m.type === 'FILL').length >= 45, 20000, 'every fill on /ws');
    }
  }, 120_000);

  it('records P&L in one process and runs the feeds in one worker', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const logs = (await http(apis[0], 'GET', '/api/logs?limit=500')).body as any[];
    expect(logs.filter((l) => /^P&L recorder: this process records now/.test(l.message))).toHaveLength(1);
    const feeds = logs.filter((l) => /^feeds: this process runs them now/.test(l.message));
    expect(feeds).toHaveLength(1);
    expect(feeds[0].message).toMatch(/\(worker, pid \d+\)/);
  });

  it('quotes a ticker a client of an api process watches: the watch reaches the worker running the feeds', async () => {
    const client = await connectWs(apis[1]);
    clients.push(client);
    client.send({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['CL1!'] });
    await client.next('SUBSCRIBED');
    const quote = await client.next('DATA', (m) => m.data.ticker === 'CL1!', 15000);
    expect(quote.data.tickinfo).toEqual({ step: 0.01, amnt: 10 });
    // The other api process has it in its quote cache too.
    const quotes = (await http(apis[0], 'GET', '/api/market/quotes')).body as any[];
    expect(quotes.map((q) => q.ticker)).toContain('CL1!');
  });

  it('runs manual commands from an api process in a worker, answering the api’s caller', async () => {
    const paper = (await http(apis[0], 'GET', '/api/accounts')).body[0].id;
    const refused = await http(apis[1], 'POST', '/api/positions/reverse', { accountId: paper, ticker: 'GC1!' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/nothing to reverse/);
    const killed = await http(apis[1], 'POST', '/api/kill-switch', { reason: 'cluster test' });
    expect(killed.status).toBe(200);
    expect(killed.body).toEqual(expect.objectContaining({ engaged: true, strategiesDisabled: 3 }));
    expect(killed.body.orders.map((o: any) => o.status)).toEqual(['filled', 'filled', 'filled']);
    expect((await http(apis[0], 'GET', '/api/kill-switch')).body.engaged).toBe(true);
    expect(((await http(apis[0], 'GET', '/api/positions')).body as any[]).length).toBe(0);
  }, 60_000);

  it("enforces an account's prop-firm rules set through one api process in every other process", async () => {
    const paper = (await http(apis[0], 'GET', '/api/accounts')).body[0].id;
    const rulesAt = async (api: string) => (await http(api, 'GET', `/api/accounts/${paper}/rules`)).body;
    expect((await rulesAt(apis[1])).preset).toBeNull();
    const set = await http(apis[0], 'PUT', `/api/accounts/${paper}/rules`, { preset: 'apex-50k-intraday', rules: { warnAtPercent: 30 } });
    expect(set.status).toBe(200);
    // The other api process's intake checks orders against the same rules.
    await eventually(async () => (await rulesAt(apis[1])).preset === 'apex-50k-intraday', 10_000, 'the rules in the other api process');
    expect((await rulesAt(apis[1])).rules).toEqual(expect.objectContaining({ warnAtPercent: 30 }));
    expect(await http(apis[1], 'DELETE', `/api/accounts/${paper}/rules`)).toEqual(expect.objectContaining({ status: 200 }));
    await eventually(async () => (await rulesAt(apis[0])).preset === null, 10_000, 'the rules gone from the first api process');
  });

  it('stops every api process and worker cleanly on one SIGTERM: exit code 0', async () => {
    for (const client of clients) await client.close();
    const codes = await Promise.all(
      processes.map(
        (p) =>
          new Promise<number | null>((r) => {
            p.once('exit', (code) => r(code));
            p.kill('SIGTERM');
          }),
      ),
    );
    expect(codes).toEqual(processes.map(() => 0));
  }, 30_000);
});
