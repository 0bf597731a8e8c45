// Soak: webhooks, ticks and /ws clients together for a few minutes while processes are killed
// with SIGKILL at random, then the ledger is proved: the broker holds exactly one order per unique
// accepted signal, every accepted event ended, positions and P&L match the fills to the cent.
// Not part of CI. Run with `npm run bench:soak` (SOAK_SECONDS per mode, default 90; SOAK_RATE alerts/s, default 40; SOAK_MODES
// embedded,cluster). Exits non-zero when the ledger does not add up.
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVE_NODE_FLAGS } from './lib/common.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const STRATEGIES = Number(process.env.SOAK_STRATEGIES ?? 20);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 10);
/** Alerts a second over all strategies (a busy desk, far above a trader's day); each strategy's are jittered ±50 %. */
const RATE = Number(process.env.SOAK_RATE ?? 40);
const KILLS = process.env.SOAK_KILLS !== '0';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const MAIN = resolve('apps/server/dist/main.js');
const ADMIN = { username: 'admin', password: 'soak-admin-password' };
// The futures the signals trade, on their tick grids (the server's catalog must agree: checked below).
const TICKERS = [
  { ticker: 'MES1!', base: 6800, tickSize: 0.25, tickValueCents: 125 },
  { ticker: 'MNQ1!', base: 25000, tickSize: 0.25, tickValueCents: 50 },
  { ticker: 'MGC1!', base: 4100, tickSize: 0.1, tickValueCents: 100 },
];

/** A broker that remembers its orders in a journal, as a real one does across our crashes. */
const JOURNAL_BROKER = `
import { appendFileSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const journal = ctx.config.journal;
    const known = new Map();
    let offset = 0;
    let partial = '';
    // Reads only what was appended since the last look (by this process or another worker).
    const reload = () => {
      if (!existsSync(journal)) return;
      const size = statSync(journal).size;
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(journal, 'r');
      try { readSync(fd, buffer, 0, buffer.length, offset); } finally { closeSync(fd); }
      offset = size;
      const lines = (partial + buffer.toString('utf8')).split('\\n');
      partial = lines.pop();
      for (const line of lines) if (line) { const o = JSON.parse(line); known.set(o.clientOrderId, o); }
    };
    const fill = (o) => ctx.reportFill({ fillId: 'F-' + o.clientOrderId, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, ticker: o.ticker, side: o.side, quantity: o.quantity, price: o.price, commission: 0, time: Date.now() });
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * ctx.config.delayMs));
    return {
      async placeOrder(order) {
        reload(); // another worker may have placed it before it died
        const seen = known.get(order.clientOrderId);
        if (seen) { await fill(seen); return { brokerOrderId: seen.brokerOrderId, status: 'filled' }; }
        await pause();
        const placed = { clientOrderId: order.clientOrderId, brokerOrderId: 'B-' + order.clientOrderId, ticker: order.ticker, side: order.side, quantity: order.quantity, price: order.referencePrice };
        appendFileSync(journal, JSON.stringify(placed) + '\\n');
        known.set(placed.clientOrderId, placed);
        await pause();
        await fill(placed);
        return { brokerOrderId: placed.brokerOrderId, status: 'filled' };
      },
      async cancelOrder() { return false; },
    };
  },
};
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (items) => items[Math.floor(Math.random() * items.length)];
const freePort = () =>
  new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
const reachable = (port) =>
  new Promise((done) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => (probe.destroy(), done(true)));
    probe.once('error', () => done(false));
  });
const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};

async function request(base, method, path, body?, token?, raw?): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

/** FIFO realized P&L in cents, the way a futures statement books it; independent of the server's code. */
function fifoRealizedCents(fills, spec) {
  const lots = []; // { ticks (signed qty), priceTicks }
  let realized = 0;
  let position = 0;
  for (const { quantity, price } of fills) {
    const priceTicks = Math.round(price / spec.tickSize);
    let remaining = quantity; // signed
    while (remaining !== 0 && lots.length && Math.sign(lots[0].qty) !== Math.sign(remaining)) {
      const lot = lots[0];
      const closed = Math.min(Math.abs(lot.qty), Math.abs(remaining));
      realized += closed * Math.sign(lot.qty) * (priceTicks - lot.priceTicks) * spec.tickValueCents;
      lot.qty -= Math.sign(lot.qty) * closed;
      remaining -= Math.sign(remaining) * closed;
      if (lot.qty === 0) lots.shift();
    }
    if (remaining !== 0) lots.push({ qty: remaining, priceTicks });
    position += quantity;
  }
  return { realized, position };
}

async function soak(mode) {
  const dir = mkdtempSync(join(tmpdir(), `tradeloop-soak-${mode}-`));
  const journal = join(dir, 'broker-journal.jsonl');
  const pluginsDir = join(dir, 'plugins');
  mkdirSync(join(pluginsDir, 'journal-broker'), { recursive: true });
  writeFileSync(
    join(pluginsDir, 'journal-broker', 'package.json'),
    JSON.stringify({ name: 'journal-broker', type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
  );
  writeFileSync(join(pluginsDir, 'journal-broker', 'index.js'), JOURNAL_BROKER);
  symlinkSync(resolve('plugins/sim-feed'), join(pluginsDir, 'sim-feed'), 'dir');
  const prefix = `soak-${process.pid}-${Date.now()}`;
  writeFileSync(
    join(dir, 'soak.yaml'),
    [
      `plugins:\n  dir: ${JSON.stringify(pluginsDir)}\n  settings:\n    journal-broker:\n      journal: ${JSON.stringify(journal)}\n      delayMs: 10\n    sim-feed:\n      quotesPerSecond: 200`,
      `queue:\n  prefix: ${prefix}\n  lockSeconds: 2\n  stalledSeconds: 1\n  sweepSeconds: 2`,
      'webhooks:\n  rateLimit:\n    perTokenPerMinute: 1000000\n    perIpPerMinute: 1000000',
      `strategies:\n  dir: ${JSON.stringify(join(dir, 'strategies'))}`,
    ].join('\n'),
  );

  let database = { url: '', drop: async () => {} };
  if (mode === 'cluster') {
    const name = `tradeloop_soak_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    database = {
      url: url.toString(),
      drop: async () => {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const env = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    REDIS_URL: mode === 'cluster' ? REDIS_URL : '',
    DATABASE_URL: database.url,
    TRADELOOP_CONFIG: join(dir, 'soak.yaml'),
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
  };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const processes = new Map(); // role label → child
  const kills = [];
  const launch = async (label) => {
    const role = mode === 'embedded' ? 'all' : label.startsWith('worker') ? 'worker' : 'api';
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, MAIN], {
      env: { ...env, ROLE: role, PORT: role === 'worker' ? '0' : String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    processes.set(label, child);
    if (role !== 'worker') {
      for (let i = 0; ; i++) {
        try {
          if ((await request(base, 'GET', '/api/health')).status === 200) break;
        } catch {
          /* not up yet */
        }
        if (i > 300) throw new Error(`${label} did not start`);
        await sleep(100);
      }
    }
    return child;
  };
  const labels = mode === 'embedded' ? ['server'] : ['api', 'worker-1', 'worker-2'];
  // Workers first on an empty database would race the api's migrations; the api migrates, then workers join.
  await launch(labels[0]);
  await Promise.all(labels.slice(1).map(launch));
  const token = (await request(base, 'POST', '/api/auth/login', ADMIN)).body.token;
  const api = (method, path, body?) => request(base, method, path, body, token);

  const catalog = (await api('GET', '/api/market/instruments')).body;
  for (const spec of TICKERS) {
    const known = catalog.find((i) => i.ticker === spec.ticker);
    if (!known || known.tickSize !== spec.tickSize || Math.round(known.tickValue * 100) !== spec.tickValueCents)
      throw new Error(`${spec.ticker}: the soak's tick spec disagrees with the server's catalog`);
  }
  const account = (await api('POST', '/api/accounts', { name: 'Journal', broker: 'journal-broker', brokerAccountId: 'J1' })).body;
  const strategies = [];
  for (let i = 0; i < STRATEGIES; i++) {
    const created = (await api('POST', '/api/strategies', { name: `soak ${i}`, accountId: account.id })).body;
    const spec = TICKERS[i % TICKERS.length];
    strategies.push({ ...created, spec, target: 0, priceTicks: Math.round(spec.base / spec.tickSize), accepted: [], sent: 0 });
  }

  // /ws clients for the whole run, reconnecting after a kill the way the admin does.
  const wsCounts = { messages: 0, DATA: 0, PNL: 0, FILL: 0, reconnects: 0 };
  let running = true;
  const sockets = new Set<WebSocket>();
  const connectClient = () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
    sockets.add(socket);
    socket.on('message', (data) => {
      wsCounts.messages++;
      const type = JSON.parse(data.toString()).type;
      if (type in wsCounts) wsCounts[type]++;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (running) setTimeout(() => (wsCounts.reconnects++, connectClient()), 500);
    });
  };
  for (let i = 0; i < CLIENTS; i++) connectClient();

  const stats = { sent: 0, accepted: 0, duplicates: 0, garbage: 0, garbageRefused: 0, retries: 0, unexpected: [] };
  // Sends until the server answers, as a client that knows its alert id may: after a kill an
  // unanswered alert may or may not have been accepted, and the id makes a resend safe.
  const deliver = async (strategy, body) => {
    for (;;) {
      try {
        const response = await request(base, 'POST', `/webhooks/${strategy.webhookToken}`, body);
        if (response.status === 503 || response.status === 429) {
          stats.retries++;
          await sleep(200);
          continue;
        }
        return response;
      } catch {
        stats.retries++;
        await sleep(200);
      }
    }
  };
  const GARBAGE = ['{"ticker":"MES1!","action":"hold"}', '{"ticker":', '[]', '{"action":"buy","quantity":-3,"ticker":"MES1!"}', 'null'];
  // One signal in flight per strategy, so the order of acceptance is the order of the signals.
  const sender = async (strategy) => {
    while (running) {
      const roll = Math.random();
      if (roll < 0.05) {
        stats.garbage++;
        try {
          const refused = await request(base, 'POST', `/webhooks/${strategy.webhookToken}`, undefined, undefined, pick(GARBAGE));
          if (refused.status >= 400 && refused.status < 500 && refused.body?.message) stats.garbageRefused++;
          else if (refused.status !== 503) stats.unexpected.push(`garbage answered ${refused.status}`);
        } catch {
          /* server down: counts as neither */
        }
      } else if (roll < 0.12 && strategy.accepted.length) {
        const again = pick(strategy.accepted);
        const response = await deliver(strategy, again.body);
        if (response.status === 200 && response.body.duplicate) stats.duplicates++;
        else stats.unexpected.push(`resent ${again.body.id} answered ${response.status} ${JSON.stringify(response.body)}`);
      } else {
        const choices = [-2, -1, 0, 1, 2].filter((t) => t !== strategy.target);
        const target = pick(choices);
        strategy.priceTicks += Math.round((Math.random() - 0.5) * 16);
        const price = Number((strategy.priceTicks * strategy.spec.tickSize).toFixed(2));
        const body = {
          id: `${strategy.id.slice(0, 8)}-${strategy.sent++}`,
          ticker: strategy.spec.ticker,
          action: target > strategy.target ? 'buy' : 'sell',
          quantity: Math.abs(target - strategy.target),
          positionSize: target,
          price,
        };
        stats.sent++;
        const response = await deliver(strategy, body);
        if (response.status === 202 || (response.status === 200 && response.body?.duplicate)) {
          // 200 duplicate here means an earlier try was accepted before the server died unanswered.
          stats.accepted++;
          strategy.accepted.push({ body, target, fill: { quantity: target - strategy.target, price } });
          strategy.target = target;
        } else stats.unexpected.push(`signal ${body.id} answered ${response.status} ${JSON.stringify(response.body)}`);
      }
      await sleep(((0.5 + Math.random()) * STRATEGIES * 1000) / RATE);
    }
  };

  const memory: Record<string, Record<string, number>> = { start: Object.fromEntries([...processes].map(([l, c]) => [l, rssMb(c.pid)])) };
  const startedAt = Date.now();
  const senders = strategies.map(sender);
  // Chaos: every 10–25 s a process dies with SIGKILL and comes back 1–3 s later.
  const chaos = (async () => {
    while (running && KILLS) {
      const killAt = Date.now() + 10_000 + Math.random() * 15_000;
      while (running && Date.now() < killAt) await sleep(200);
      if (!running) break;
      const victim = mode === 'embedded' ? 'server' : pick(labels.filter((l) => l.startsWith('worker')));
      const child = processes.get(victim);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      kills.push({ at: Math.round((Date.now() - startedAt) / 1000), victim });
      await sleep(1000 + Math.random() * 2000);
      await launch(victim);
    }
  })();
  await sleep(SECONDS * 1000);
  running = false;
  await Promise.all(senders);
  await chaos;
  memory.end = Object.fromEntries([...processes].map(([l, c]) => [l, rssMb(c.pid)]));
  const elapsed = (Date.now() - startedAt) / 1000;

  // Drain: every accepted event reaches an end.
  const db =
    mode === 'cluster'
      ? await (async () => {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          return {
            all: async (sql) => (await client.query(sql.replaceAll(/\b([a-z]+[A-Z][A-Za-z]*)\b/g, '"$1"'))).rows,
            close: () => client.end(),
          };
        })()
      : (() => {
          const sqlite = new Database(join(dir, 'data', 'tradeloop.sqlite'), { readonly: true });
          return { all: async (sql) => sqlite.prepare(sql).all(), close: () => sqlite.close() };
        })();
  // Waits as long as events keep finishing; a minute without progress is a stuck queue.
  const drainStart = Date.now();
  let unfinished = Infinity;
  let progressAt = Date.now();
  for (;;) {
    const [{ n }] = await db.all(`SELECT COUNT(*) AS n FROM webhook_events WHERE status IN ('accepted','processing')`);
    if (Number(n) === 0) break;
    if (Number(n) < unfinished) [unfinished, progressAt] = [Number(n), Date.now()];
    if (Date.now() - progressAt > 60_000) break;
    await sleep(250);
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const took = (await db.all(`SELECT processedAt - receivedAt AS ms FROM webhook_events WHERE status = 'done'`))
    .map((r) => Number(r.ms))
    .sort((a, b) => a - b);
  const alertToDone = { p50: took[Math.floor(took.length * 0.5)], p99: took[Math.floor(took.length * 0.99)], max: took.at(-1) };

  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  const expectedSignals = strategies.reduce((n, s) => n + s.accepted.length, 0);
  const events = await db.all(`SELECT status, COUNT(*) AS n FROM webhook_events GROUP BY status`);
  const byStatus = Object.fromEntries(events.map((e) => [e.status, Number(e.n)]));
  const eventTotal = Object.values(byStatus).reduce((a, b) => a + b, 0);
  check('one event per unique accepted signal', eventTotal === expectedSignals, `${eventTotal} events, ${expectedSignals} signals`);
  check('every event ended: done', byStatus.done === expectedSignals, JSON.stringify(byStatus));
  const orders = await db.all(`SELECT clientOrderId, strategyId, status, quantity, filledQuantity FROM orders`);
  const ledgerIds = new Set(orders.map((o) => o.clientOrderId));
  check(
    'one order in the ledger per signal',
    orders.length === expectedSignals && ledgerIds.size === orders.length,
    `${orders.length} orders`,
  );
  check(
    'every order filled in full',
    orders.every((o) => o.status === 'filled' && Number(o.filledQuantity) === Number(o.quantity)),
    `${orders.filter((o) => o.status !== 'filled').length} not filled`,
  );
  const atBroker = existsSync(journal)
    ? readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  const brokerIds = new Set(atBroker.map((o) => o.clientOrderId));
  check(
    'the broker holds exactly one order per signal',
    atBroker.length === expectedSignals && brokerIds.size === atBroker.length && [...brokerIds].every((id) => ledgerIds.has(id)),
    `${atBroker.length} at the broker, ${brokerIds.size} distinct`,
  );
  const fills = await db.all(`SELECT COUNT(*) AS n, COUNT(DISTINCT brokerFillId) AS d FROM fills`);
  check(
    'one fill booked per order',
    Number(fills[0].n) === expectedSignals && Number(fills[0].d) === expectedSignals,
    `${fills[0].n} fills`,
  );

  const positions = await db.all(`SELECT strategyId, ticker, quantity, realizedCents FROM positions`);
  const trades = await db.all(`SELECT strategyId, SUM(pnlCents) AS cents, COUNT(*) AS n FROM trades GROUP BY strategyId`);
  const strategyOf = new Map(orders.map((o) => [o.clientOrderId, o.strategyId]));
  let positionMismatches = 0;
  let pnlMismatches = 0;
  let expectedRealizedTotal = 0;
  for (const strategy of strategies) {
    const { realized, position } = fifoRealizedCents(
      strategy.accepted.map((a) => a.fill),
      strategy.spec,
    );
    expectedRealizedTotal += realized;
    const held = positions.filter((p) => p.strategyId === strategy.id).reduce((n, p) => n + Number(p.quantity), 0);
    const brokerNet = atBroker
      .filter((o) => strategyOf.get(o.clientOrderId) === strategy.id)
      .reduce((n, o) => n + (o.side === 'buy' ? o.quantity : -o.quantity), 0);
    if (held !== position || held !== strategy.target || brokerNet !== held) positionMismatches++;
    const booked = Number(trades.find((t) => t.strategyId === strategy.id)?.cents ?? 0);
    const onPosition = positions.filter((p) => p.strategyId === strategy.id).reduce((n, p) => n + Number(p.realizedCents), 0);
    const summary = (await api('GET', `/api/pnl/summary?strategyId=${strategy.id}`)).body;
    if (booked !== realized || onPosition !== realized || Math.round(summary.realizedPnl * 100) !== realized) pnlMismatches++;
  }
  check('positions: the signals, the ledger and the broker agree', positionMismatches === 0, `${positionMismatches} strategies off`);
  check(
    'realized P&L: FIFO from the fills = trades = positions = /api/pnl/summary, to the cent',
    pnlMismatches === 0,
    `${pnlMismatches} strategies off`,
  );
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit' }).format(new Date());
  const calendar = (await api('GET', `/api/pnl/calendar?month=${month}`)).body;
  check(
    "the calendar's month total matches",
    Math.round(calendar.total * 100) === expectedRealizedTotal,
    `calendar ${calendar.total}, fills ${(expectedRealizedTotal / 100).toFixed(2)}`,
  );
  check(
    'garbage refused with a 4xx and a message',
    stats.garbageRefused > 0 && stats.unexpected.length === 0,
    stats.unexpected.slice(0, 3).join('; '),
  );
  check('/ws clients received fills and quotes throughout', wsCounts.FILL > 0 && wsCounts.DATA > 0, JSON.stringify(wsCounts));

  await db.close();
  for (const socket of sockets) socket.terminate();
  for (const child of processes.values()) child.kill('SIGTERM');
  await Promise.all([...processes.values()].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
  return { mode, seconds: elapsed, drainSeconds, alertToDone, kills, stats, ws: wsCounts, memory, checks, signals: expectedSignals };
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(
  `Tradeloop soak — ${machine}; ${SECONDS} s per mode, ${STRATEGIES} strategies at ${RATE} alerts/s in all, ${CLIENTS} /ws clients`,
);
const modes = (process.env.SOAK_MODES ?? 'embedded,cluster').split(',');
const results = [];
for (const mode of modes) {
  if (mode === 'cluster' && !((await reachable(6379)) && (await reachable(5432)))) {
    console.log('\ncluster: skipped (needs Redis on 6379 and PostgreSQL on 5432)');
    continue;
  }
  const result = await soak(mode);
  results.push(result);
  const label =
    mode === 'embedded'
      ? 'one process, SQLite, in-process queue; the server is killed'
      : 'api + 2 workers, PostgreSQL, BullMQ; a worker is killed';
  console.log(`\n${mode}: ${label}`);
  console.log(
    `  ${result.seconds.toFixed(0)} s, ${result.signals} signals accepted (${(result.signals / result.seconds).toFixed(1)}/s), ` +
      `${result.stats.duplicates} resent ids answered as duplicates, ${result.stats.garbageRefused} garbage bodies refused, ` +
      `${result.stats.retries} sends retried while down; drained in ${result.drainSeconds.toFixed(1)} s`,
  );
  console.log(
    `  alert received → event done: p50 ${result.alertToDone.p50} ms, p99 ${result.alertToDone.p99} ms, max ${result.alertToDone.max} ms (kills and backlog included)`,
  );
  console.log(`  SIGKILLs: ${result.kills.map((k) => `${k.victim} at ${k.at}s`).join(', ') || 'none'}`);
  console.log(
    `  /ws: ${result.ws.messages} messages (${result.ws.DATA} DATA, ${result.ws.PNL} PNL, ${result.ws.FILL} FILL), ${result.ws.reconnects} reconnects`,
  );
  console.log(
    `  RSS MB at start → end: ${Object.keys(result.memory.end)
      .map((l) => `${l} ${result.memory.start[l]?.toFixed(0) ?? '?'} → ${result.memory.end[l].toFixed(0)}`)
      .join(', ')} (a restarted process starts over)`,
  );
  for (const c of result.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/soak.json', JSON.stringify({ machine, at: new Date().toISOString(), results }, null, 2));
const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok));
if (failed.length) {
  console.log(`\n${failed.length} ledger check(s) failed`);
  process.exit(1);
}
console.log('\nledger proved in every mode');
process.exit(0);
