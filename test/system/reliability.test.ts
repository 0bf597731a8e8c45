import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { StaleEventSweeper } from '../../apps/server/src/webhooks/stale-event-sweeper.js';
import { eventually, http, REDIS_URL, startServer, type TestServer } from '../support/app.js';
import { freePort, launchServer } from '../support/processes.js';

/** A Redis of the test's own, with an append-only file, that the test can kill and bring back. */
async function privateRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      { stdio: 'ignore' },
    );
    await eventually(
      () =>
        new Promise<boolean>((ok) => {
          const probe = new Socket();
          probe.once('connect', () => {
            probe.destroy();
            ok(true);
          });
          probe.once('error', () => ok(false));
          probe.connect(port, '127.0.0.1');
        }),
      10000,
      'redis to start',
    );
  };
  const kill = async () => {
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, kill, stop: async () => (child && child.exitCode === null ? kill() : undefined), dir };
}

describe('Redis goes away and comes back', () => {
  let redis: Awaited<ReturnType<typeof privateRedis>>;
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const hook = (id: string) =>
    http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800, id });
  const position = async () =>
    ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[])[0]?.quantity ?? 0;

  beforeAll(async () => {
    redis = await privateRedis();
    server = await startServer({ redisUrl: redis.url, overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'through an outage' })).body;
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
    rmSync(redis.dir, { recursive: true, force: true });
  });

  it('answers 503 at once while Redis is down, accepts nothing it cannot queue, and trades again once it is back', async () => {
    expect((await hook('before')).status).toBe(202);
    await eventually(async () => (await position()) === 1, 10000, 'the first buy');

    await redis.kill();
    // Until the server has seen the connection drop, a probe may still be taken (a 202 is a promise: it must trade).
    let probes = 0;
    let probesTaken = 0;
    await eventually(
      async () => {
        const status = (await hook(`probe-${++probes}`)).status;
        if (status === 202) probesTaken++;
        return status === 503;
      },
      5000,
      'a 503',
    );
    const started = Date.now();
    const refused = await hook('during');
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/queue is unreachable/);
    // Well inside TradingView's 3 s.
    expect(Date.now() - started).toBeLessThan(1000);
    const db = server.app.get(DataSource);
    expect(await db.query(`SELECT COUNT(*) AS n FROM webhook_events WHERE "idempotencyKey" = 'during'`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT COUNT(*) AS n FROM webhook_events WHERE "idempotencyKey" LIKE 'probe-%'`)).toEqual([{ n: probesTaken }]);

    await redis.start();
    await eventually(async () => (await hook('after')).status === 202, 20000, 'intake to accept again');
    // The workers reconnected by themselves.
    await eventually(async () => (await position()) === 2 + probesTaken, 20000, 'the buy after the outage');
  }, 60000);

  it('queues again an accepted event that never reached a worker', async () => {
    const db = server.app.get(DataSource);
    const id = randomUUID();
    // As if Redis had dropped between the commit and the enqueue.
    await db.query(
      `INSERT INTO webhook_events (id, "strategyId", "idempotencyKey", status, alert, "sourceIp", "receivedAt", "processedAt", error) VALUES (?, ?, ?, 'accepted', ?, NULL, ?, NULL, NULL)`,
      [id, strategy.id, 'missed', JSON.stringify({ ticker: 'MES1!', action: 'buy', quantity: 1, price: 6801 }), Date.now() - 60_000],
    );
    const before = await position();
    expect(await server.app.get(StaleEventSweeper).sweep(30_000)).toBe(1);
    await eventually(async () => (await position()) === before + 1, 10000, 'the missed event to run');
    expect((await http(server.url, 'GET', `/api/events/${id}`)).body.status).toBe('done');
  });
});

describe('dead letters', () => {
  let server: TestServer;
  let db: DataSource;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    db = server.app.get(DataSource);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'dead letters' })).body;
  });
  afterAll(() => server.close());

  it('lists failed events, retries one exactly once (its order is not placed again), and dismisses another', async () => {
    const accepted = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'MYM1!',
      action: 'buy',
      quantity: 1,
      price: 47000,
    });
    await eventually(async () => (await http(server.url, 'GET', `/api/events/${accepted.body.eventId}`)).body.status === 'done');
    // Say it failed after its order reached the broker (a crash between the two).
    await db.query(`UPDATE webhook_events SET status = 'failed', error = 'worker died' WHERE id = ?`, [accepted.body.eventId]);
    const failed = (await http(server.url, 'GET', '/api/events?status=failed')).body as any[];
    expect(failed.map((e) => [e.id, e.error])).toEqual([[accepted.body.eventId, 'worker died']]);

    const retried = await http(server.url, 'POST', `/api/events/${accepted.body.eventId}/retry`);
    expect(retried.status).toBe(200);
    await eventually(async () => (await http(server.url, 'GET', `/api/events/${accepted.body.eventId}`)).body.status === 'done');
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body;
    expect(orders.total).toBe(1);

    expect((await http(server.url, 'POST', `/api/events/${accepted.body.eventId}/retry`)).status).toBe(409);
    await db.query(`UPDATE webhook_events SET status = 'failed', error = 'broker down' WHERE id = ?`, [accepted.body.eventId]);
    const dismissed = await http(server.url, 'POST', `/api/events/${accepted.body.eventId}/dismiss`);
    expect(dismissed.body.status).toBe('dismissed');
    expect((await http(server.url, 'GET', '/api/events?status=failed')).body).toEqual([]);
    expect((await http(server.url, 'GET', '/api/events?status=bogus')).status).toBe(400);
  });
});

describe('graceful shutdown', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-term-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const launch = (port: number) => launchServer(port, { DATA_DIR: dataDir, TRADELOOP_CONFIG: join(dataDir, 'test.yaml') });

  it('on SIGTERM finishes or hands back what it accepted, exits cleanly, and loses nothing', async () => {
    writeFileSync(join(dataDir, 'test.yaml'), 'plugins:\n  disabled: [sim-feed]\n');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = await launch(port);
    const strategy = (await http(base, 'POST', '/api/strategies', { name: 'term test' })).body;
    const sends = Array.from({ length: 25 }, (_, i) =>
      http(base, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MNQ1!',
        action: 'buy',
        quantity: 1,
        price: 25000 + i,
        id: `term-${i}`,
      }),
    );
    const answers = await Promise.all(sends);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    child = await launch(port);
    const position = await eventually(
      async () => {
        const [p] = (await http(base, 'GET', `/api/positions?strategyId=${strategy.id}`)).body;
        return p?.quantity === 25 ? p : undefined;
      },
      20000,
      'all 25 buys',
    );
    expect(position.quantity).toBe(25);
    expect((await http(base, 'GET', `/api/orders?strategyId=${strategy.id}&limit=100`)).body.total).toBe(25);
  }, 90000);
});

describe('working orders across a restart', () => {
  it('sends them to the broker again, so a resting paper order still fills after the server restarted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-resting-'));
    const options = { dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } };
    try {
      const first = await startServer(options);
      const strategy = (await http(first.url, 'POST', '/api/strategies', { name: 'resting' })).body;
      const { MarketService } = await import('../../apps/server/src/market/market.service.js');
      first.app.get(MarketService).publish({ ticker: 'MNQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
      await http(first.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MNQ1!',
        action: 'buy',
        quantity: 1,
        orderType: 'limit',
        limitPrice: 24990,
        id: 'rest',
      });
      await eventually(async () => (await http(first.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.total === 1);
      await first.close({ keepData: true });

      const second = await startServer(options);
      try {
        const logs = (await http(second.url, 'GET', '/api/logs?limit=50')).body as any[];
        expect(logs.some((l) => l.message === 'restored 1 working order(s) at their brokers after the start')).toBe(true);
        second.app.get(MarketService).publish({ ticker: 'MNQ1!', bid: 24989.75, ask: 24990, time: Date.now() });
        const [order] = await eventually(async () => {
          const items = (await http(second.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=filled`)).body.items;
          return items.length ? items : undefined;
        });
        expect([order.type, order.avgFillPrice]).toEqual(['limit', 24990]);
        expect((await http(second.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body[0].quantity).toBe(1);
      } finally {
        await second.close({ keepData: true });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the database locked while a fill comes in', () => {
  it('books the fill once the lock is gone: one fill, the position and the order together, nothing half-written', async () => {
    const server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    try {
      const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'locked fill' })).body;
      const { MarketService } = await import('../../apps/server/src/market/market.service.js');
      const market = server.app.get(MarketService);
      market.publish({ ticker: 'MNQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
      await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MNQ1!',
        action: 'buy',
        quantity: 2,
        orderType: 'limit',
        limitPrice: 24990,
        id: 'locked-fill',
      });
      await eventually(
        async () => (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.total === 1,
      );

      const { default: Database } = await import('better-sqlite3');
      const other = new Database(join(server.config.dataDir, 'tradeloop.sqlite'));
      const count = (table: string) => (other.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      other.exec('BEGIN EXCLUSIVE');
      try {
        // The paper broker fills the resting order on this quote, while nothing can be written.
        market.publish({ ticker: 'MNQ1!', bid: 24989.75, ask: 24990, time: Date.now() });
        // Longer than one try's busy wait (2 s): the first booking fails and rolls back.
        await new Promise((r) => setTimeout(r, 3500));
        expect([count('fills'), count('trades')]).toEqual([0, 0]);
        expect((other.prepare('SELECT quantity FROM positions').all() as { quantity: number }[]).every((p) => p.quantity === 0)).toBe(true);
      } finally {
        other.exec('COMMIT');
      }
      const [order] = await eventually(async () => {
        const items = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=filled`)).body.items;
        return items.length ? items : undefined;
      }, 20000);
      expect([order.filledQuantity, order.avgFillPrice]).toEqual([2, 24990]);
      expect(count('fills')).toBe(1);
      other.close();
      const [position] = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body;
      expect([position.quantity, position.avgPrice]).toEqual([2, 24990]);
      const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=50`)).body as any[];
      expect(logs.some((l) => /^fill .* booked on try [2-9]: the database refused it before \(.*locked.*\)$/.test(l.message))).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);
});

/**
 * A broker that can tell what happened while the server was down: its state file holds the fills
 * and positions it reports in its snapshot; orders rest until a fill is written there.
 */
const SNAPSHOT_BROKER = `
import { existsSync, readFileSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const state = () => (existsSync(ctx.config.state) ? JSON.parse(readFileSync(ctx.config.state, 'utf8')) : { fills: [], positions: [] });
    return {
      async placeOrder(order) {
        const filled = state().fills.some((f) => f.clientOrderId === order.clientOrderId);
        return { brokerOrderId: 'B-' + order.clientOrderId, status: filled ? 'filled' : 'working' };
      },
      async cancelOrder() { return false; },
      async snapshot(brokerAccountId) {
        const { fills, positions } = state();
        return { brokerAccountId, positions, workingOrders: [], fills, cash: null };
      },
    };
  },
};
`;

describe('reconciling with a broker after a start', () => {
  it('books the fills it missed while down (its own order and one made in the broker’s app), and reports a position that still differs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-reconcile-'));
    const pluginsDir = join(dataDir, 'plugins');
    mkdirSync(join(pluginsDir, 'snapshot-broker'), { recursive: true });
    writeFileSync(
      join(pluginsDir, 'snapshot-broker', 'package.json'),
      JSON.stringify({ name: 'snapshot-broker', type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
    );
    writeFileSync(join(pluginsDir, 'snapshot-broker', 'index.js'), SNAPSHOT_BROKER);
    const state = join(dataDir, 'broker-state.json');
    const options = { dataDir, overrides: { plugins: { dir: pluginsDir, settings: { 'snapshot-broker': { state } } } } };
    try {
      const first = await startServer(options);
      const account = (await http(first.url, 'POST', '/api/accounts', { name: 'Remote', broker: 'snapshot-broker', brokerAccountId: 'R1' }))
        .body;
      const strategy = (await http(first.url, 'POST', '/api/strategies', { name: 'reconciled', accountId: account.id })).body;
      await http(first.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MES1!',
        action: 'buy',
        quantity: 2,
        orderType: 'limit',
        limitPrice: 6800,
        id: 'resting-entry',
      });
      const [working] = await eventually(async () => {
        const items = (await http(first.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items;
        return items.length ? items : undefined;
      });
      await first.close({ keepData: true });

      // While the server was down: the resting order filled, the trader bought one more on the phone, and one more the broker reports only as a position.
      const time = Date.now();
      writeFileSync(
        state,
        JSON.stringify({
          fills: [
            {
              fillId: 'X-1',
              clientOrderId: working.clientOrderId,
              brokerOrderId: `B-${working.clientOrderId}`,
              ticker: 'MES1!',
              side: 'buy',
              quantity: 2,
              price: 6800,
              commission: 0,
              time,
            },
            {
              fillId: 'X-2',
              clientOrderId: 'phone-1',
              brokerOrderId: 'P-1',
              ticker: 'MES1!',
              side: 'buy',
              quantity: 1,
              price: 6802.25,
              commission: 0,
              time: time + 1,
            },
          ],
          positions: [{ ticker: 'MES1!', contract: 'MESZ6', quantity: 4, avgPrice: 6801 }],
        }),
      );
      const second = await startServer(options);
      try {
        const [order] = (await http(second.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items;
        expect([order.status, order.filledQuantity, order.avgFillPrice]).toEqual(['filled', 2, 6800]);
        const positions = (await http(second.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[];
        expect(positions.map((p) => [p.strategyId === strategy.id ? 'strategy' : 'manual', p.quantity, p.avgPrice]).sort()).toEqual([
          ['manual', 1, 6802.25],
          ['strategy', 2, 6800],
        ]);
        const logs = (await http(second.url, 'GET', '/api/logs?limit=100')).body as any[];
        const reconciled = logs.find((l) => l.message.startsWith('reconciled account Remote'));
        expect(reconciled.level).toBe('error');
        expect(reconciled.message).toBe(
          'reconciled account Remote with snapshot-broker: 2 fill(s) the ledger missed booked; positions differ (MES1!: the broker holds 4, the ledger 3): settle them at the broker or flatten',
        );
        // A working order the broker has filled is not sent to it again.
        expect(logs.some((l) => /restored \d+ working order/.test(l.message))).toBe(false);
      } finally {
        await second.close({ keepData: true });
      }

      // Once the two agree, a start says so and books nothing twice.
      writeFileSync(
        state,
        JSON.stringify({
          ...JSON.parse(readFileSync(state, 'utf8')),
          positions: [{ ticker: 'MES1!', contract: 'MESZ6', quantity: 3, avgPrice: 6801 }],
        }),
      );
      const third = await startServer(options);
      try {
        const logs = (await http(third.url, 'GET', '/api/logs?limit=100')).body as any[];
        expect(logs.find((l) => l.message.startsWith('reconciled account Remote')).message).toBe(
          'reconciled account Remote with snapshot-broker: 0 fill(s) the ledger missed booked; positions agree',
        );
        expect(
          (await http(third.url, 'GET', `/api/positions?accountId=${account.id}`)).body.reduce((n: number, p: any) => n + p.quantity, 0),
        ).toBe(3);
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.each([
  ['the in-process queue', ''],
  ['BullMQ on Redis', REDIS_URL],
])('closing while the broker works (%s)', (_label, redisUrl) => {
  it('lets the in-flight order finish at its broker before plugins stop: filled, not refused for a stopped broker', async () => {
    (globalThis as { slowBrokerCalled?: boolean }).slowBrokerCalled = false;
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-closing-'));
    const pluginsDir = join(dataDir, 'plugins');
    mkdirSync(join(pluginsDir, 'slow-broker'), { recursive: true });
    writeFileSync(
      join(pluginsDir, 'slow-broker', 'package.json'),
      JSON.stringify({ name: 'slow-broker', type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
    );
    writeFileSync(
      join(pluginsDir, 'slow-broker', 'index.js'),
      `export default { kind: 'broker', apiVersion: 1, create(ctx) {
        return {
          async placeOrder(order) {
            globalThis.slowBrokerCalled = true;
            await new Promise((r) => setTimeout(r, 400));
            await ctx.reportFill({ fillId: 'F-' + order.clientOrderId, clientOrderId: order.clientOrderId, brokerOrderId: 'B1', ticker: order.ticker, side: order.side, quantity: order.quantity, price: order.referencePrice, commission: 0, time: Date.now() });
            return { brokerOrderId: 'B1', status: 'filled' };
          },
          async cancelOrder() { return false; },
        };
      } };`,
    );
    const server = await startServer({ dataDir, redisUrl, overrides: { plugins: { dir: pluginsDir } } });
    try {
      const account = (await http(server.url, 'POST', '/api/accounts', { name: 'Slow', broker: 'slow-broker', brokerAccountId: 'S1' }))
        .body;
      const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'closing', accountId: account.id })).body;
      const accepted = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MES1!',
        action: 'buy',
        quantity: 1,
        price: 6800,
        id: 'in-flight',
      });
      expect(accepted.status).toBe(202);
      await eventually(async () => (globalThis as { slowBrokerCalled?: boolean }).slowBrokerCalled === true, 5000, 'the broker call');
      await server.close({ keepData: true });

      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(dataDir, 'tradeloop.sqlite'), { readonly: true });
      try {
        expect(db.prepare('SELECT status, filledQuantity, reason FROM orders').all()).toEqual([
          { status: 'filled', filledQuantity: 1, reason: null },
        ]);
        expect(db.prepare('SELECT status FROM webhook_events').all()).toEqual([{ status: 'done' }]);
        expect(db.prepare('SELECT COUNT(*) AS n FROM fills').get()).toEqual({ n: 1 });
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
