// Failover: how long a strategy stands still when its server is killed (SIGKILL) while an order is
// at the broker, and the server is started again at once. The figure is kill → the first order
// placed after it, with its parts (kill → healthy again, healthy → that order). In-process queue,
// then BullMQ (the killed worker's job is taken back at start). The broker answers in 2 × 150 ms,
// so a kill always lands during an order. Run through `npm run bench`, or alone:
// `npm run build:bench && node --no-node-snapshot bench/dist/failover-bench.js` (BENCH_QUICK=1 for one kill per mode).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, dropRedisPrefix, freePort, login, QUICK, REDIS_URL, redisReachable, report, ROOT, sleep, stats } from './lib/common.js';

const KILLS = Number(process.env.BENCH_KILLS ?? (QUICK ? 1 : 3));
const BROKER_DELAY_MS = 150;
const SIGNALS = 30;

const BROKER = `
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const journal = ctx.config.journal;
    const orders = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    const fill = (o) => ctx.reportFill({ fillId: 'F-' + o.clientOrderId, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, ticker: o.ticker, side: o.side, quantity: o.quantity, price: o.price, commission: 0, time: Date.now() });
    return {
      async placeOrder(order) {
        const known = orders().find((o) => o.clientOrderId === order.clientOrderId);
        if (known) {
          await fill(known);
          return { brokerOrderId: known.brokerOrderId, status: 'filled' };
        }
        await new Promise((r) => setTimeout(r, ctx.config.delayMs));
        const placed = { clientOrderId: order.clientOrderId, brokerOrderId: 'B-' + order.clientOrderId, ticker: order.ticker, side: order.side, quantity: order.quantity, price: order.referencePrice ?? 100, at: Date.now() };
        appendFileSync(journal, JSON.stringify(placed) + '\\n');
        await new Promise((r) => setTimeout(r, ctx.config.delayMs));
        await fill(placed);
        return { brokerOrderId: placed.brokerOrderId, status: 'filled' };
      },
      async cancelOrder() {
        return false;
      },
    };
  },
};
`;

const journaled = (file) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function call(base, token, method, path, body?) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** One kill: a fresh server, signals flowing, SIGKILL during an order, a restart at once. */
async function killOnce(mode, redisUrl, n) {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-bench-failover-'));
  const prefix = `tradeloop-bench-failover-${process.pid}-${Date.now()}`;
  const journal = join(dir, 'journal.jsonl');
  mkdirSync(join(dir, 'plugins', 'journal-broker'), { recursive: true });
  writeFileSync(
    join(dir, 'plugins', 'journal-broker', 'package.json'),
    JSON.stringify({ name: 'journal-broker', type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
  );
  writeFileSync(join(dir, 'plugins', 'journal-broker', 'index.js'), BROKER);
  const config = join(dir, 'bench.yaml');
  writeFileSync(
    config,
    [
      `plugins:\n  dir: ${JSON.stringify(join(dir, 'plugins'))}\n  disabled: [sim-feed]\n  settings:\n    journal-broker:\n      journal: ${JSON.stringify(journal)}\n      delayMs: ${BROKER_DELAY_MS}`,
      `queue:\n  prefix: ${prefix}`,
    ].join('\n'),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = () =>
    spawn(process.execPath, ['--no-node-snapshot', join(ROOT, 'apps/server/dist/main.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        TRADELOOP_CONFIG: config,
        TRADELOOP_CONFIG_DIR: join(ROOT, 'config'),
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(dir, 'data'),
        DATABASE_URL: '',
        REDIS_URL: redisUrl,
        STRATEGIES_DIR: join(dir, 'strategies'),
        ADMIN_DIR: join(dir, 'no-admin'),
        ADMIN_USER: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'error',
      },
    });
  const healthy = () => until(async () => (await fetch(`${base}/api/health`)).status === 200, 60_000, 'the server');
  let child = start();
  try {
    await healthy();
    const token = await login(base);
    const account = await call(base, token, 'POST', '/api/accounts', { name: 'Journal', broker: 'journal-broker', brokerAccountId: 'J' });
    const strategy = await call(base, token, 'POST', '/api/strategies', { name: 'failover', accountId: account.id });
    for (let i = 0; i < SIGNALS; i++) {
      await call(base, null, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MES1!',
        action: 'buy',
        quantity: 1,
        price: 6800 + i,
        id: `s-${i}`,
      });
    }
    // Into the middle of an order: a few placed, then half a broker delay into the next.
    await until(async () => journaled(journal).length >= 3 + (n % 3), 60_000, 'orders at the broker');
    await sleep(BROKER_DELAY_MS / 2);
    const exited = new Promise((r) => child.once('exit', r));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;
    const placedBefore = journaled(journal).filter((o) => o.at <= killedAt).length;
    child = start();
    await healthy();
    const healthyAt = Date.now();
    const next = await until(async () => journaled(journal)[placedBefore], 120_000, 'the next order');
    await until(
      async () => {
        const events = await call(base, await login(base), 'GET', `/api/events?strategyId=${strategy.id}&limit=100`);
        return events.length === SIGNALS && events.every((e) => e.status === 'done');
      },
      120_000,
      'every event done',
    );
    const ids = journaled(journal).map((o) => o.clientOrderId);
    if (ids.length !== SIGNALS || new Set(ids).size !== SIGNALS)
      throw new Error(`${ids.length} orders at the broker for ${SIGNALS} signals`);
    const r = { killToOrderMs: next.at - killedAt, killToHealthyMs: healthyAt - killedAt, healthyToOrderMs: next.at - healthyAt };
    console.log(
      `[${mode}] kill ${n + 1}: kill → first order ${r.killToOrderMs} ms (back up after ${r.killToHealthyMs} ms, then ${r.healthyToOrderMs} ms); ${SIGNALS} orders at the broker, each once`,
    );
    return r;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    if (redisUrl) await dropRedisPrefix(redisUrl, prefix).catch(() => undefined);
  }
}

const runs = [];
const modes = [['in-process queue, SQLite', '']];
if (await redisReachable()) modes.push(['BullMQ, SQLite', REDIS_URL]);
else console.log('Redis not reachable: BullMQ skipped');
for (const [mode, redisUrl] of modes) {
  const kills = [];
  for (let n = 0; n < KILLS; n++) kills.push(await killOnce(mode, redisUrl, n));
  runs.push({
    mode,
    kills: kills.length,
    killToOrder: stats(kills.map((k) => k.killToOrderMs)),
    killToHealthy: stats(kills.map((k) => k.killToHealthyMs)),
    healthyToOrder: stats(kills.map((k) => k.healthyToOrderMs)),
  });
}
report({ failover: runs });
