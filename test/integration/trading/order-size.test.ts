import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, login, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';
import { installBrokerPlugin } from '../../support/broker-plugin.js';
import { freePort, MAIN } from '../../support/processes.js';
import { createScripted, hook, logs, scriptsDir } from '../../support/scripts.js';

/**
 * A broker that reports fills no ledger can hold: for ES1! at once (the quantity times 1e300), for
 * MES1! a moment after acking the order working (at a price of Infinity). Counts its orders.
 */
const ROGUE_BROKER = `
const placed = (globalThis.rogueBrokerOrders ??= []);
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const fill = (order, fields) => ctx.reportFill({ fillId: 'R-' + order.clientOrderId, clientOrderId: order.clientOrderId, brokerOrderId: 'B-' + order.clientOrderId, ticker: order.ticker, side: order.side, quantity: order.quantity, price: 6800, commission: 0, time: Date.now(), ...fields });
    return {
      async placeOrder(order) {
        placed.push(order.clientOrderId);
        if (order.ticker === 'ES1!') {
          await fill(order, { quantity: order.quantity * 1e300 });
          return { brokerOrderId: 'B-' + order.clientOrderId, status: 'filled' };
        }
        setTimeout(() => void fill(order, { price: Infinity }).catch(() => undefined), 100);
        return { brokerOrderId: 'B-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder() { return false; },
    };
  },
};
`;

/** Every order and position is bounded: by the configured sizes, and by a ceiling no setting lifts. */
describe('order and position size', () => {
  let server: TestServer;
  let plugins: string;
  let scripts: string;
  let strategy: { id: string; webhookToken: string; accountId: string };
  const quote = () => {
    const market = server.app.get(MarketService);
    for (const [ticker, bid] of [
      ['NQ1!', 25000],
      ['ES1!', 6800],
      ['MES1!', 6800],
    ] as const)
      market.publish({ ticker, bid, ask: bid + 0.25, time: Date.now() });
  };
  const eventOf = async (eventId: string) =>
    eventually(async () => {
      const event = (await http(server.url, 'GET', `/api/events/${eventId}`)).body;
      return event.status === 'done' || event.status === 'failed' ? event : null;
    });
  const ordersOf = async (strategyId: string) =>
    (await http(server.url, 'GET', `/api/orders?strategyId=${strategyId}`)).body.items as any[];

  beforeAll(async () => {
    plugins = mkdtempSync(join(tmpdir(), 'tradeloop-rogue-'));
    installBrokerPlugin(plugins, 'rogue-broker', ROGUE_BROKER);
    // The paper broker and the rogue one side by side.
    symlinkSync(resolve('plugins', 'paper-broker'), join(plugins, 'paper-broker'));
    server = await startServer({
      overrides: {
        plugins: { dir: plugins, disabled: ['sim-feed'] },
        strategies: {
          dir: (scripts = scriptsDir({
            'huge.ts': `export default defineStrategy({ onWebhook(alert, ctx) { ctx.buy('NQ1!', 1e300); } });`,
          })),
        },
      },
    });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'sized' })).body;
    quote();
  });
  afterAll(async () => {
    await server.close();
    for (const dir of [plugins, scripts]) rmSync(dir, { recursive: true, force: true });
  });

  it('answers alerts with sizes past any order or position 400, naming the field, and stores nothing', async () => {
    for (const [alert, message] of [
      [{ quantity: 1e300 }, 'quantity must be at most 1,000,000, got 1e+300'],
      [{ quantity: 1e15 }, 'quantity must be at most 1,000,000, got 1000000000000000'],
      [{ quantity: '1e300' }, /^quantity/],
      [{ positionSize: -1e300, action: undefined }, /^positionSize .*1,000,000/],
    ] as const) {
      const response = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', price: 25000, ...alert });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    }
    expect((await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}`)).body).toEqual([]);
  });

  it('rejects an alert order over the configured default (1,000 at once) with the reason, and moves no money', async () => {
    const sent = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 5000, price: 25000 });
    expect(sent.status).toBe(202);
    expect((await eventOf(sent.body.eventId)).status).toBe('done');
    expect((await ordersOf(strategy.id))[0]).toEqual(
      expect.objectContaining({
        quantity: 5000,
        status: 'rejected',
        reason: 'risk limit: strategy "sized" may order at most 1000 at once; this order is 5000',
      }),
    );
    const [paper] = (await http(server.url, 'GET', '/api/accounts')).body;
    expect([paper.balance, paper.position]).toEqual([50000, {}]);
  });

  it('holds a strategy to its own limits over the defaults, and positions to the default 10,000', async () => {
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { risk: { maxOrderQuantity: 20_000 } });
    const big = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', positionSize: 12_000, price: 25000 });
    await eventOf(big.body.eventId);
    expect((await ordersOf(strategy.id))[0].reason).toBe(
      'risk limit: strategy "sized" may hold at most 10000 in NQ1!; this order would make it 12000',
    );
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { risk: { maxOrderQuantity: 2 } });
    const three = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 3, price: 25000 });
    await eventOf(three.body.eventId);
    expect((await ordersOf(strategy.id))[0].reason).toBe('risk limit: strategy "sized" may order at most 2 at once; this order is 3');
    const two = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 2, price: 25000 });
    await eventOf(two.body.eventId);
    expect((await ordersOf(strategy.id))[0].status).toBe('filled');
    // Closing is never refused, whatever its size against the limits.
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { risk: { maxOrderQuantity: 1 } });
    const exit = await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'exit', price: 25000 });
    await eventOf(exit.body.eventId);
    expect((await ordersOf(strategy.id))[0]).toEqual(expect.objectContaining({ side: 'sell', quantity: 2, status: 'filled' }));
    const tooBig = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { risk: { maxPositionSize: 2_000_000 } });
    expect([tooBig.status, tooBig.body.message]).toEqual([400, 'risk.maxPositionSize must be at most 1,000,000, got 2000000']);
  });

  it('answers a manual order past any order 400, and rejects one over the account limit with the reason', async () => {
    const [paper] = (await http(server.url, 'GET', '/api/accounts')).body;
    const absurd = await http(server.url, 'POST', '/api/orders', { accountId: paper.id, ticker: 'NQ1!', side: 'buy', quantity: 1e300 });
    expect(absurd.status).toBe(400);
    expect(JSON.stringify(absurd.body.message)).toContain('quantity must not be greater than 1000000');
    const overDefault = await http(server.url, 'POST', '/api/orders', { accountId: paper.id, ticker: 'NQ1!', side: 'buy', quantity: 2000 });
    expect([overDefault.body.status, overDefault.body.reason]).toEqual([
      'rejected',
      'risk limit: account "Paper" may order at most 1000 at once; this order is 2000',
    ]);
  });

  it("refuses a script's ctx.buy('NQ1!', 1e300) with the reason in the strategy's log", async () => {
    const scripted = await createScripted(server, { name: 'huge', script: 'huge.ts' });
    const sent = await hook(server, scripted.webhookToken, { ticker: 'NQ1!', action: 'buy', price: 25000 });
    expect((await eventOf(sent.body.eventId)).status).toBe('done');
    expect((await logs(server, scripted.id)).map((l) => l.message)).toContain(
      'onWebhook: action refused: buy NQ1!: quantity 1e+300 is more than any order may be (at most 1,000,000)',
    );
    expect(await ordersOf(scripted.id)).toEqual([]);
  });

  it('makes a fill that can never be booked a dead letter with its reason at once, not a booking tried again and again', async () => {
    const rogue = (await http(server.url, 'POST', '/api/accounts', { name: 'Rogue', broker: 'rogue-broker', brokerAccountId: 'R1' })).body;
    const target = (await http(server.url, 'POST', '/api/strategies', { name: 'rogue', accountId: rogue.id })).body;
    const started = Date.now();
    const sent = await hook(server, target.webhookToken, { ticker: 'ES1!', action: 'buy', quantity: 1, price: 6800 });
    const event = await eventOf(sent.body.eventId);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(event.status).toBe('failed');
    expect(event.error).toMatch(
      /^fill R-.+ \(buy 1e\+300 ES1! @ 6800\) cannot be booked: fill quantity 1e\+300 is more than any order may be \(at most 1,000,000\)$/,
    );
    const [order] = await ordersOf(target.id);
    expect(order.status).toBe('rejected');
    expect(order.reason).toMatch(/^filled at the broker but not booked: fill quantity 1e\+300/);
    const placed = (globalThis as { rogueBrokerOrders?: string[] }).rogueBrokerOrders ?? [];
    expect(placed.filter((id) => id.startsWith(sent.body.eventId))).toHaveLength(1);
    expect(
      (await logs(server, target.id)).some(
        (l) => l.level === 'error' && /the broker holds this fill and the ledger does not/.test(l.message),
      ),
    ).toBe(true);
    expect((await http(server.url, 'GET', `/api/positions?strategyId=${target.id}`)).body).toEqual([]);

    // Reported after the event finished: the event turns into a dead letter then.
    const later = await hook(server, target.webhookToken, { ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800 });
    const failed = await eventually(async () => {
      const e = (await http(server.url, 'GET', `/api/events/${later.body.eventId}`)).body;
      return e.status === 'failed' ? e : null;
    });
    expect(failed.error).toMatch(/cannot be booked: fill price must be a price above 0 and at most 1,000,000,000, got Infinity$/);
    expect((await http(server.url, 'GET', '/api/events?status=failed')).body.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining([sent.body.eventId, later.body.eventId]),
    );
  });
});

/** A broker that takes a minute to answer: shutdown must not wait for it past its limit. */
const SLOW_BROKER = `
import { writeFileSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    return {
      async placeOrder(order) {
        writeFileSync(ctx.config.marker, order.clientOrderId);
        await new Promise((r) => setTimeout(r, 60_000));
        return { brokerOrderId: 'S-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder() { return false; },
    };
  },
};
`;

describe('shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-shutdown-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops within server.shutdownSeconds even while a broker call hangs, saying so, and exits 1', async () => {
    const marker = join(dir, 'placing');
    installBrokerPlugin(join(dir, 'plugins'), 'slow-broker', SLOW_BROKER);
    writeFileSync(
      join(dir, 'config.yaml'),
      `plugins:\n  dir: ${JSON.stringify(join(dir, 'plugins'))}\n  settings:\n    slow-broker:\n      marker: ${JSON.stringify(marker)}\n`,
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let stderr = '';
    const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        DATA_DIR: join(dir, 'data'),
        STRATEGIES_DIR: join(dir, 'strategies'),
        TRADELOOP_CONFIG: join(dir, 'config.yaml'),
        SHUTDOWN_SECONDS: '2',
        REDIS_URL: '',
        DATABASE_URL: '',
        ADMIN_USER: TEST_ADMIN.username,
        ADMIN_PASSWORD: TEST_ADMIN.password,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      await eventually(
        async () => (await http(base, 'GET', '/api/health', undefined, { token: null })).status === 200,
        30_000,
        'server start',
      );
      await login(base);
      const account = (await http(base, 'POST', '/api/accounts', { name: 'Slow', broker: 'slow-broker', brokerAccountId: 'S1' })).body;
      const strategy = (await http(base, 'POST', '/api/strategies', { name: 'slow', accountId: account.id })).body;
      expect((await http(base, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', price: 6800 })).status).toBe(
        202,
      );
      await eventually(async () => existsSync(marker), 10_000, 'the order to reach the broker');

      const asked = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      expect(Date.now() - asked).toBeLessThan(6000);
      expect(code).toBe(1);
      expect(stderr).toContain('shutdown did not finish within 2 s: stopping now; unfinished events run again at the next start');
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
