// Ticks through the built server, in this process (quotes are published into the quote cache the
// way a data-feed plugin does, in-process queue):
//
// 1. live P&L: STRATEGIES strategies each holding an open position in every one of 4 tickers,
//    quotes published as fast as the event loop allows; every quote marks the positions in its
//    ticker, and changed strategies and accounts are summed and pushed as PNL every 250 ms;
// 2. sandboxed onTick handlers, 10 and 100 strategies watching one ticker: queue, snapshot, the
//    call into the sandbox process. Quotes are conflated per strategy: while a strategy's tick
//    waits, newer quotes only replace the one it will see, so the figure is handler calls made
//    (each saw one quote), printed beside the quotes offered. Tick → handler latency is from a
//    quote's publication to the return of the handler call that saw it. Measured once every
//    strategy's handler has run (the sandbox process started, every isolate loaded) and then
//    BENCH_TICK_WARM_SECONDS more (30; 1 with BENCH_QUICK): every isolate compiles and optimises its
//    own copy of the code, so the first thousands of calls each cost two to three times what a
//    server that has run for a minute pays. The CPU time of the server's main thread and of the
//    sandbox process is reported too, and beside it a floor measured in the same run just before:
//    the same script in as many isolates, called round-robin in this process with nothing else
//    running (no server, queue, snapshot or second process), with the server's limits — what one
//    core does when it only calls isolates. The machine's speed moves between runs here (the same
//    floor measured 12 and 32 µs a call an hour apart); the ratio to the floor moves less.
//
// Run through `npm run bench`, or alone: `npm run build:bench && node --no-node-snapshot bench/dist/tick-bench.js`.
import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '#server/app.factory.js';
import { loadConfig } from '#server/config/load-config.js';
import { EventBus } from '#server/infra/events/event-bus.js';
import { MarketService } from '#server/market/market.service.js';
import { PnlSql } from '#server/pnl/pnl-sql.js';
import { StrategyIsolate } from '#server/sandbox/host/strategy-isolate.js';
import { transpile } from '#server/sandbox/host/transpile.js';
import { SandboxService } from '#server/sandbox/sandbox.service.js';
import { ON_TICK_SCRIPT, processCpuMs, QUICK, report, sleep, stats, STRATEGY_COLUMNS, strategyRow } from './lib/common.js';

const SECONDS = Number(process.env.BENCH_TICK_SECONDS ?? (QUICK ? 2 : 5));
const WARM_SECONDS = Number(process.env.BENCH_TICK_WARM_SECONDS ?? (QUICK ? 1 : 30));
const PNL_STRATEGIES = (process.env.BENCH_PNL_STRATEGIES ?? '10,100').split(',').filter(Boolean).map(Number);
const HANDLER_STRATEGIES = (process.env.BENCH_HANDLER_STRATEGIES ?? '10,100').split(',').filter(Boolean).map(Number);
const TICKERS = ['NQ1!', 'ES1!', 'CL1!', 'GC1!'];
const PRICES = { 'NQ1!': 25000, 'ES1!': 6800, 'CL1!': 62, 'GC1!': 4100 };
const STEP = { 'NQ1!': 0.25, 'ES1!': 0.25, 'CL1!': 0.01, 'GC1!': 0.1 };
/** Quotes published per turn of the event loop (a feed's socket delivers several at once). */
const BATCH = 10;

function configFor(dataDir, extra = {}) {
  return loadConfig({
    env: {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      dataDir,
      strategies: { dir: join(dataDir, 'strategies') },
      plugins: { disabled: ['sim-feed'] },
      log: { level: 'error' },
      auth: { adminUser: 'admin', adminPassword: 'bench-admin-password' },
      ...extra,
    },
  });
}

async function start(dataDir) {
  const app = await createApp(configFor(dataDir), { logger: ['error'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/** Publishes quotes for `seconds` as fast as the loop allows, BATCH per turn; `quote(i)` makes the i-th. */
async function flood(market, seconds, quote) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu = process.cpuUsage();
  let published = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let k = 0; k < BATCH; k++) market.publish(quote(published++));
    await new Promise((r) => setImmediate(r));
  }
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  loop.disable();
  return {
    published,
    elapsed,
    perSecond: Math.round(published / elapsed),
    cpuPercent: Math.round(((used.user + used.system) / 1e6 / elapsed) * 100),
    loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
  };
}

async function livePnl(strategies) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-tick-bench-'));
  try {
    // Positions are written, then the server restarted: live P&L loads them at start, as in production.
    let app = await start(dataDir);
    const sql = app.get(PnlSql);
    const [{ id: accountId }] = await sql.query(`SELECT "id" FROM "accounts"`);
    const now = Date.now();
    const ids = Array.from({ length: strategies }, () => randomUUID());
    const { DataSource } = await import('typeorm');
    const dataSource = app.get(DataSource);
    await dataSource.transaction((m) =>
      sql.upsert(
        m,
        'strategies',
        STRATEGY_COLUMNS,
        ['id'],
        ids.map((id, i) => strategyRow(id, `bench ${i}`, accountId, now)),
      ),
    );
    await dataSource.transaction((m) =>
      sql.upsert(
        m,
        'positions',
        ['id', 'accountId', 'strategyId', 'ticker', 'quantity', 'avgPrice', 'realizedCents', 'lots', 'updatedAt'],
        ['id'],
        ids.flatMap((strategyId, i) =>
          TICKERS.map((ticker, k) => {
            const quantity = (i + k) % 2 ? 1 : -2;
            const lots = [{ quantity, price: PRICES[ticker], time: now - 60_000, commissionCents: 0 }];
            return [randomUUID(), accountId, strategyId, ticker, quantity, PRICES[ticker], 0, JSON.stringify(lots), now - 60_000];
          }),
        ),
      ),
    );
    await app.close();
    app = await start(dataDir);
    const market = app.get(MarketService);
    const bus = app.get(EventBus);
    let pnl = 0;
    const stop = bus.subscribe((message) => {
      if (message.type === 'PNL') pnl++;
    });
    const quote = (i) => {
      const ticker = TICKERS[i % 4];
      const bid = PRICES[ticker] + ((i >> 2) % 16) * STEP[ticker];
      return { ticker, bid, ask: bid + STEP[ticker], time: Date.now() };
    };
    await flood(market, 0.5, quote); // warm up
    await sleep(300);
    pnl = 0;
    const r = await flood(market, SECONDS, quote);
    const pnlPerSecond = Math.round(pnl / r.elapsed);
    stop();
    await app.close();
    return {
      strategies,
      tickers: TICKERS.length,
      openPositions: strategies * TICKERS.length,
      ticksPerSecond: r.perSecond,
      ...r,
      pnlPerSecond,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The floor of a sandboxed tick (see the top of this file): µs per call, and calls a second on one core. */
function isolateFloor(strategies: number, limits: { memoryMb: number; cpuMs: number }) {
  const script = transpile('bench.ts', ON_TICK_SCRIPT);
  const isolates = Array.from({ length: strategies }, () => {
    const isolate = new StrategyIsolate(script, limits, () => undefined);
    isolate.load();
    return isolate;
  });
  const quote = { ticker: 'NQ1!', bid: 25000, ask: 25000.25, step: 0.25, amnt: 5, time: Date.now() };
  const arg = JSON.stringify(quote);
  // The shape of the snapshot the server sends (ScriptContextService.build) for a flat strategy.
  const ctx = JSON.stringify({
    strategyId: randomUUID(),
    params: { threshold: 1e9 },
    state: {},
    positions: {},
    quotes: { 'NQ1!': quote },
    pnl: { realized: 0, open: 0, total: 0 },
    now: Date.now(),
    aliases: { 'NQ1!': 'NQ1!' },
  });
  const microsPerCall = (ms: number) => {
    let calls = 0;
    const started = performance.now();
    while (performance.now() - started < ms) {
      for (const isolate of isolates) isolate.call('onTick', arg, ctx);
      calls += isolates.length;
    }
    return ((performance.now() - started) * 1000) / calls;
  };
  try {
    microsPerCall(QUICK ? 500 : 3000); // every isolate's code optimised, as after the server's warm-up
    const micros = microsPerCall(QUICK ? 1000 : 2000);
    return { microsPerCall: Math.round(micros * 10) / 10, callsPerSecond: Math.round(1e6 / micros) };
  } finally {
    isolates.forEach((isolate) => isolate.dispose());
  }
}

async function handlers(strategies) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-tick-bench-'));
  try {
    const floor = isolateFloor(strategies, configFor(dataDir).strategies);
    const scripts = join(dataDir, 'strategies');
    mkdirSync(scripts, { recursive: true });
    writeFileSync(join(scripts, 'bench.ts'), ON_TICK_SCRIPT);
    const app = await start(dataDir);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }),
    });
    const { token } = (await login.json()) as { token: string };
    for (let i = 0; i < strategies; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/api/strategies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: `bench ${i}`, script: 'bench.ts' }),
      });
      if (response.status !== 201) throw new Error(`creating a strategy: ${response.status} ${await response.text()}`);
    }
    // Quote i carries i in its bid, so a handler call tells which quote it saw.
    const RING = 1 << 20;
    const publishedAt = new Float64Array(RING);
    const quote = (i) => {
      publishedAt[i % RING] = performance.now();
      const bid = 10000 + (i % RING) * 0.25;
      return { ticker: 'NQ1!', bid, ask: bid + 0.25, time: Date.now() };
    };
    const sandbox = app.get(SandboxService);
    let calls = 0;
    const called = new Set<string>();
    let latencies = [];
    const call = sandbox.call.bind(sandbox);
    sandbox.call = async (key, handler, arg, ctx) => {
      const outcome = await call(key, handler, arg, ctx);
      if (handler === 'onTick') {
        calls++;
        called.add(key);
        const seq = Math.round((JSON.parse(arg).bid - 10000) / 0.25);
        latencies.push(performance.now() - publishedAt[seq]);
      }
      return outcome;
    };
    const market = app.get(MarketService);
    // Warm up: the sandbox process started, every isolate loaded and called at least once, then a
    // second more for the JIT (each isolate compiles its own code).
    const warmUntil = performance.now() + 60_000;
    while (called.size < strategies && performance.now() < warmUntil) await flood(market, 0.25, quote);
    if (called.size < strategies) throw new Error(`only ${called.size} of ${strategies} strategies' handlers ran while warming up`);
    await flood(market, WARM_SECONDS, quote);
    await sleep(500);
    calls = 0;
    latencies = [];
    const hostCpu = processCpuMs(sandbox.pid);
    const r = await flood(market, SECONDS, quote);
    const handled = calls;
    const hostCpuMs = processCpuMs(sandbox.pid) - hostCpu;
    const latency = stats(latencies);
    await app.close();
    return {
      strategies,
      warmSeconds: WARM_SECONDS,
      quotesPublishedPerSecond: r.perSecond,
      ticksHandledPerSecond: Math.round(handled / r.elapsed),
      cpuPercent: r.cpuPercent,
      sandboxCpuPercent: Math.round((hostCpuMs / 1000 / r.elapsed) * 100),
      sandboxCpuMicrosPerCall: handled ? Math.round((hostCpuMs * 1000) / handled) : null,
      loopDelayP99Ms: r.loopDelayP99Ms,
      tickToHandler: latency,
      floor: { ...floor, ratio: Math.round((handled / r.elapsed / floor.callsPerSecond) * 100) / 100 },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const result = { livePnl: [], handlers: [] };
for (const n of PNL_STRATEGIES) {
  const r = await livePnl(n);
  result.livePnl.push(r);
  console.log(
    `ticks into live P&L, ${n} strategies × ${TICKERS.length} open positions: ${r.ticksPerSecond.toLocaleString('en')} ticks/s, ${r.pnlPerSecond} PNL messages/s, main thread CPU ${r.cpuPercent}%, event loop delay p99 ${r.loopDelayP99Ms} ms`,
  );
}
for (const n of HANDLER_STRATEGIES) {
  const r = await handlers(n);
  result.handlers.push(r);
  const l = r.tickToHandler;
  console.log(
    `ticks through sandboxed onTick, ${String(n).padStart(3)} strategies: ${r.ticksHandledPerSecond.toLocaleString('en')} handled/s (${r.quotesPublishedPerSecond.toLocaleString('en')} quotes/s published, the rest conflated); tick → handler returned p50 ${l.p50?.toFixed(2)} ms p99 ${l.p99?.toFixed(2)} ms max ${l.max?.toFixed(2)} ms; server main thread ${r.cpuPercent}% CPU, sandbox process ${r.sandboxCpuPercent}% (${r.sandboxCpuMicrosPerCall} µs per call), after ${r.warmSeconds} s of warm-up; ${r.floor.ratio}× the isolate floor (${r.floor.callsPerSecond.toLocaleString('en')} calls/s, ${r.floor.microsPerCall} µs a call, in this process alone)`,
  );
}
report({ ticks: result });
