// P&L recorder and history queries against the built server, in this process. Run through
// `npm run bench`, or alone: `npm run build:bench && node --no-node-snapshot bench/dist/pnl-bench.js`.
//
// 1. One recorder pass over STRATEGIES active strategies (each holding BENCH_TICKERS open
//    positions whose quotes move every pass, so every scope changes and is written), and an idle
//    pass (no quote moved).
// 2. A year of one strategy running around the clock, at the default retention: 2 days of
//    per-second points, 90 days of 1m bars, a year of 1h and 1d bars, TRADES_PER_DAY trades a day.
//    Then the calendar, series and summary queries over it, through HTTP and in the service.
import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { createApp } from '#server/app.factory.js';
import { loadConfig } from '#server/config/load-config.js';
import { MarketService } from '#server/market/market.service.js';
import { Clock } from '#server/pnl/clock.js';
import { PnlQueryService } from '#server/pnl/pnl-query.service.js';
import { PnlRecorder } from '#server/pnl/pnl-recorder.service.js';
import { PnlRollups } from '#server/pnl/pnl-rollup.service.js';
import { PnlSql } from '#server/pnl/pnl-sql.js';
import { QUICK, report, stats, STRATEGY_COLUMNS, strategyRow } from './lib/common.js';

const STRATEGIES = Number(process.env.BENCH_STRATEGIES ?? 1000);
const TICKERS = ['NQ1!', 'ES1!', 'CL1!', 'GC1!'].slice(0, Number(process.env.BENCH_TICKERS ?? 2));
const PASSES = Number(process.env.BENCH_PASSES ?? (QUICK ? 20 : 60));
const HELD_PASSES = QUICK ? 5 : 10;
const TRADES_PER_DAY = Number(process.env.BENCH_TRADES_PER_DAY ?? 50);
const QUERIES = QUICK ? 10 : 50;
const DAY = 86_400_000;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  max ${sorted.at(-1).toFixed(2)} ms  (n=${sorted.length})`;
};
const timed = async (fn) => {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
};
/** The longest stretch `fn` runs without letting the event loop turn (a turn is marked by setImmediate), and its result. */
const longestTurn = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const mark = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(mark);
  };
  setImmediate(mark);
  const result = await fn();
  running = false;
  return [Math.max(longest, performance.now() - last), result];
};
/** Wall time and this process's CPU time (user + system), ms. */
const timedCpu = async (fn) => {
  const cpu = process.cpuUsage();
  const [ms, result] = await timed(fn);
  const used = process.cpuUsage(cpu);
  return [ms, (used.user + used.system) / 1000, result];
};

/** The disk as the recorder finds it: 1,000 rows like its points, in one synchronous=FULL transaction. */
function rawCommit(dir) {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE p (s TEXT, id TEXT, t INTEGER, a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f INTEGER, PRIMARY KEY (s, id, t)) WITHOUT ROWID',
  );
  db.exec('CREATE INDEX pt ON p (t)');
  const ids = Array.from({ length: 1000 }, () => randomUUID());
  const insert = db.prepare('INSERT INTO p VALUES (?, ?, ?, 1, 2, 3, 4, 5, 6)');
  const write = db.transaction((t) => ids.forEach((id) => insert.run('strategy', id, t)));
  const times = [];
  for (let t = 0; t < 40; t++) {
    const start = performance.now();
    write(t * 1000);
    times.push(performance.now() - start);
  }
  db.close();
  return times.slice(10);
}

async function run(label, databaseUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-pnl-bench-'));
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      dataDir,
      database: { url: databaseUrl },
      plugins: { disabled: ['sim-feed'] },
      // Passes and rollups are driven here, not by the schedule.
      pnl: { recorder: false },
      log: { level: 'error' },
      auth: { adminUser: 'admin', adminPassword: 'bench-admin-password' },
    },
  });
  const app = await createApp(config, { logger: ['error'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const sql = app.get(PnlSql);
  const dataSource = app.get(DataSource);
  const market = app.get(MarketService);
  const recorder = app.get(PnlRecorder);
  const rollups = app.get(PnlRollups);
  const queries = app.get(PnlQueryService);
  const [{ id: accountId }] = await sql.query(`SELECT "id" FROM "accounts"`);
  const insert = (table, columns, key, rows) => dataSource.transaction((m) => sql.upsert(m, table, columns, key, rows));

  // --- 1. recorder passes ---------------------------------------------------------------------
  const now = Date.parse('2026-11-24T15:00:00Z');
  const strategies = Array.from({ length: STRATEGIES }, () => randomUUID());
  await insert(
    'strategies',
    STRATEGY_COLUMNS,
    ['id'],
    strategies.map((id, i) => strategyRow(id, `bench ${i}`, accountId, now)),
  );
  const prices = { 'NQ1!': 25000, 'ES1!': 6800, 'CL1!': 62, 'GC1!': 4100 };
  const positions = strategies.flatMap((strategyId, i) =>
    TICKERS.map((ticker, k) => {
      const quantity = ((i + k) % 2 ? 1 : -1) * (1 + ((i + k) % 3));
      const lots = [{ quantity, price: prices[ticker], time: now - 3_600_000, commissionCents: 210 }];
      return [randomUUID(), accountId, strategyId, ticker, quantity, prices[ticker], (i % 7) * 1000, JSON.stringify(lots), now - 3_600_000];
    }),
  );
  await insert(
    'positions',
    ['id', 'accountId', 'strategyId', 'ticker', 'quantity', 'avgPrice', 'realizedCents', 'lots', 'updatedAt'],
    ['id'],
    positions,
  );
  const quoteAll = (pass) => {
    for (const ticker of TICKERS) {
      const step = ticker === 'CL1!' ? 0.01 : ticker === 'GC1!' ? 0.1 : 0.25;
      const mid = prices[ticker] + (pass % 2 ? 3 : -2) * step + (pass % 5) * step;
      market.publish({ ticker, bid: mid, ask: mid + step, time: now + pass * 1000 });
    }
  };
  quoteAll(0);
  await recorder.recordPass(now); // loads state, first records of every scope
  const busy = [];
  const busyCpu = [];
  let written = 0;
  for (let pass = 1; pass <= PASSES; pass++) {
    quoteAll(pass);
    const [ms, cpu, result] = await timedCpu(() => recorder.recordPass(now + pass * 1000));
    busy.push(ms);
    busyCpu.push(cpu);
    written = result.recorded;
  }
  // The longest a pass holds the event loop (a webhook arriving then waits that long), in passes
  // of their own: what watches the turns would add to the timed ones.
  const held = [];
  for (let pass = PASSES + 1; pass <= PASSES + HELD_PASSES; pass++) {
    quoteAll(pass);
    held.push((await longestTurn(() => recorder.recordPass(now + pass * 1000)))[0]);
  }
  await recorder.flush();
  const idle = [];
  for (let pass = PASSES + HELD_PASSES + 1; pass <= PASSES + HELD_PASSES + 20; pass++)
    idle.push((await timed(() => recorder.recordPass(now + pass * 1000)))[0]);
  // The rollup's total time, and the longest it holds the event loop (SQLite runs synchronously).
  const [rollupStallMs, [rollupMs]] = await longestTurn(() => timed(() => rollups.rollUp(now + (PASSES + HELD_PASSES + 30) * 1000)));
  const [{ n: pointRows }] = await sql.query(`SELECT COUNT(*) AS "n" FROM "pnl_points"`);

  // --- 2. a year of history ------------------------------------------------------------------
  const year = randomUUID();
  const yearEnd = Date.parse('2026-11-25T00:00:00Z');
  const yearStart = yearEnd - 365 * DAY;
  await insert('strategies', STRATEGY_COLUMNS, ['id'], [strategyRow(year, 'a year around the clock', accountId, yearStart)]);
  // Trades: TRADES_PER_DAY a day, P&L drifting up, on the account index like real ones.
  const trades = [];
  let realized = 0;
  for (let t = yearStart; t < yearEnd; t += DAY / TRADES_PER_DAY) {
    const pnl = Math.round((Math.sin(t / 7e6) + 0.05) * 5000);
    realized += pnl;
    trades.push([
      randomUUID(),
      accountId,
      year,
      'NQ1!',
      pnl > 0 ? 'long' : 'short',
      1,
      25000,
      25001,
      t - 600_000,
      Math.round(t),
      pnl + 420,
      420,
      pnl,
      randomUUID(),
    ]);
  }
  await insert(
    'positions',
    ['id', 'accountId', 'strategyId', 'ticker', 'quantity', 'avgPrice', 'realizedCents', 'lots', 'updatedAt'],
    ['id'],
    [[randomUUID(), accountId, year, 'NQ1!', 0, null, realized, '[]', yearEnd]],
  );
  await insert(
    'trades',
    [
      'id',
      'accountId',
      'strategyId',
      'ticker',
      'direction',
      'quantity',
      'entryPrice',
      'exitPrice',
      'entryTime',
      'exitTime',
      'grossCents',
      'commissionCents',
      'pnlCents',
      'exitFillId',
    ],
    ['id'],
    trades,
  );
  // Recorded history at the default retention, from a random walk of total P&L.
  let total = 0;
  let peak = 0;
  const walk = () => {
    total += Math.round((Math.random() - 0.49) * 2000);
    peak = Math.max(peak, total);
    return total;
  };
  const bars = (resolution, step, from, to) => {
    const rows = [];
    for (let bucket = from; bucket < to; bucket += step) {
      const o = walk();
      const h = Math.max(o, walk());
      const l = Math.min(o, walk());
      const c = walk();
      rows.push([resolution, 'strategy', year, bucket, bucket, bucket + step - 1000, o, Math.max(h, c), Math.min(l, c), c, c, peak]);
    }
    return rows;
  };
  const barColumns = [
    'resolution',
    'scope',
    'scopeId',
    'bucket',
    'firstTime',
    'lastTime',
    'totalOpenCents',
    'totalHighCents',
    'totalLowCents',
    'totalCloseCents',
    'realizedCents',
    'peakCents',
  ];
  const barKey = ['resolution', 'scope', 'scopeId', 'bucket'];
  await insert('pnl_bars', barColumns, barKey, bars('1d', DAY, yearStart, yearEnd));
  await insert('pnl_bars', barColumns, barKey, bars('1h', 3_600_000, yearStart, yearEnd));
  await insert('pnl_bars', barColumns, barKey, bars('1m', 60_000, yearEnd - 90 * DAY, yearEnd));
  const points = [];
  for (let t = yearEnd - 2 * DAY; t < yearEnd; t += 1000) {
    const c = walk();
    points.push(['strategy', year, t, c, 0, c, peak, 1, c]);
  }
  await insert(
    'pnl_points',
    ['scope', 'scopeId', 'time', 'realizedCents', 'openCents', 'totalCents', 'peakCents', 'positions', 'equityCents'],
    ['scope', 'scopeId', 'time'],
    points,
  );

  app.get(Clock).pin(yearEnd - 1000);
  const ref = { scope: 'strategy' as const, scopeId: year };
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }),
  });
  const authorization = `Bearer ${((await login.json()) as { token: string }).token}`;
  const get = async (path): Promise<any> => {
    const response = await fetch(`${base}${path}`, { headers: { authorization } });
    const body = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
  const cases = [
    [
      'calendar, one month (1,500 trades)',
      `/api/pnl/calendar?month=2026-10&strategyId=${year}`,
      () => queries.calendarMonth(ref, '2026-10'),
    ],
    [
      'series auto, the whole year (1d)',
      `/api/pnl/series?strategyId=${year}&from=${yearStart}&to=${yearEnd}`,
      () => queries.series(ref, { from: yearStart, to: yearEnd }),
    ],
    [
      'series auto, 30 days (1h)',
      `/api/pnl/series?strategyId=${year}&from=${yearEnd - 30 * DAY}&to=${yearEnd}`,
      () => queries.series(ref, { from: yearEnd - 30 * DAY, to: yearEnd }),
    ],
    [
      'series auto, 16 hours (1m)',
      `/api/pnl/series?strategyId=${year}&from=${yearEnd - 16 * 3_600_000}&to=${yearEnd}`,
      () => queries.series(ref, { from: yearEnd - 16 * 3_600_000, to: yearEnd }),
    ],
    [
      'series auto, 15 minutes (1s)',
      `/api/pnl/series?strategyId=${year}&from=${yearEnd - 900_000}&to=${yearEnd}`,
      () => queries.series(ref, { from: yearEnd - 900_000, to: yearEnd }),
    ],
    ['summary (best/worst day over the year)', `/api/pnl/summary?strategyId=${year}`, () => queries.summary(ref)],
  ];
  const results = [];
  for (const [name, path, direct] of cases) {
    const body = await get(path); // warm up, and check it answers
    const size = body.points?.length ?? body.days?.length ?? body.tradeCount;
    const overHttp = [];
    const inService = [];
    for (let i = 0; i < QUERIES; i++) {
      overHttp.push((await timed(() => get(path)))[0]);
      inService.push((await timed(direct))[0]);
    }
    results.push({ name, size, overHttp, inService });
  }
  const check = await get(`/api/pnl/summary?strategyId=${year}`);

  await app.close();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(`\n${label}`);
  console.log(
    `  recorder pass, ${STRATEGIES} strategies × ${TICKERS.length} open positions, quotes moving (${written} scopes recorded a pass):`,
  );
  console.log(`    wall: ${summary(busy)}`);
  console.log(`    CPU:  ${summary(busyCpu)}`);
  console.log(`    event loop held at most: ${summary(held)}`);
  console.log(`  recorder pass, nothing changed:  ${summary(idle)}`);
  console.log(
    `  rollup of ${PASSES} s of those passes (${pointRows} points) into 1m/1h/1d: ${rollupMs.toFixed(0)} ms, event loop held at most ${rollupStallMs.toFixed(0)} ms`,
  );
  console.log(`  a year of one strategy: ${trades.length} trades, ${points.length} points, 90 days of 1m, a year of 1h and 1d bars`);
  for (const r of results) {
    console.log(`  ${r.name.padEnd(42)} ${String(r.size).padStart(5)} rows   in service: ${summary(r.inService)}`);
    console.log(`  ${''.padEnd(42)}              over HTTP:  ${summary(r.overHttp)}`);
  }
  const agrees = Math.round(check.realizedPnl * 100) === realized && check.tradeCount === trades.length;
  console.log(
    `  summary: realized P&L ${check.realizedPnl} over ${check.tradeCount} trades${agrees ? ', as generated' : ` — generated ${realized / 100}!`}`,
  );
  return {
    database: label,
    strategies: STRATEGIES,
    openPositionsPerStrategy: TICKERS.length,
    scopesRecordedPerPass: written,
    passWallMs: stats(busy),
    passCpuMs: stats(busyCpu),
    passHeldMs: stats(held),
    idlePassMs: stats(idle),
    rollup: { points: Number(pointRows), ms: Math.round(rollupMs), eventLoopHeldMs: Math.round(rollupStallMs) },
    year: { trades: trades.length, points: points.length },
    queries: results.map((r) => ({ name: r.name, rows: r.size, inServiceMs: stats(r.inService), overHttpMs: stats(r.overHttp) })),
    summaryAgrees: agrees,
  };
}

async function postgresReachable(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return client;
  } catch {
    return null;
  }
}

const rawDir = mkdtempSync(join(tmpdir(), 'tradeloop-pnl-raw-'));
const raw = rawCommit(rawDir);
console.log(`disk reference: 1,000-row synchronous=FULL transaction, raw better-sqlite3: ${summary(raw)}`);
rmSync(rawDir, { recursive: true, force: true });
const output = { diskReferenceMs: stats(raw), runs: [] };
output.runs.push(await run('SQLite (WAL, synchronous=FULL)', ''));
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = await postgresReachable(postgresUrl);
if (admin) {
  const name = `tradeloop_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  try {
    output.runs.push(await run('PostgreSQL (local)', url.toString()));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
} else console.log(`\n(PostgreSQL skipped: nothing at ${postgresUrl})`);
report({ pnl: output });
