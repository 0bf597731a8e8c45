// `npm run bench`: every benchmark, each in its own process, then one table of the figures next to
// their targets, and bench/results/latest.json. BENCH_QUICK=1 (`npm run bench:quick`) for
// short runs while developing; BENCH_ONLY=floor,webhook,ticks,ws,sandbox,fairness,failover,pnl,ids,analytics,backtest,memory to run some of them.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { floorTable } from './lib/floor-table.js';
import { machine, QUICK, ROOT, SERVE_NODE_FLAGS, tempDir } from './lib/common.js';

const SECTIONS = [
  ['floor', 'floor-bench.js', 'Tradeloop beside the floor (a hand-written server doing the same durable work): same client, same load'],
  ['webhook', 'webhook-bench.js', 'webhook → fill on /ws, and acceptance (server in its own process)'],
  ['ticks', 'tick-bench.js', 'ticks into live P&L and through sandboxed onTick handlers'],
  ['ws', 'ws-bench.js', '/ws fan-out (server in its own process, clients in another)'],
  ['sandbox', 'sandbox-bench.js', 'strategy sandbox: call overhead, idle isolates'],
  ['fairness', 'fairness-bench.js', "a healthy strategy's alerts beside ten slow scripts (server in its own process)"],
  ['failover', 'failover-bench.js', 'a server killed during an order and started again: kill → first order'],
  ['pnl', 'pnl-bench.js', 'P&L recorder pass and history queries'],
  [
    'memory',
    'memory-bench.js',
    'resident memory with 10, 100 and 1,000 strategies (one in ten scripted), each having traded once; then a day of trading and a restart on its history',
  ],
  ['ids', 'row-id-bench.js', 'what a commit writes with random and with time-ordered row ids, into a table with history'],
  [
    'analytics',
    'analytics-bench.js',
    "execution analytics: stamps on the hot path, quotes into the excursion tracker, grouped writes, a trade's bracket",
  ],
  ['backtest', 'backtest-bench.js', 'backtests: a year of one-minute bars imported and replayed'],
];
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;

const info: ReturnType<typeof machine> & { loadAverageAtEnd?: number[] } = machine();
const mode = QUICK ? 'quick (BENCH_QUICK=1: short runs, rough figures)' : 'full';
const header = `Tradeloop benchmarks — ${info.cpus} × ${info.cpu}, ${info.ramGiB} GiB RAM, Node ${info.node} (${info.platform}), ${mode}; load average at start ${info.loadAverage.join(' ')}`;
console.log(header);

const scratch = tempDir('bench-results');
const results: Record<string, any> = {};
const failures = [];
const started = Date.now();
for (const [name, file, what] of SECTIONS) {
  if (only && !only.has(name)) continue;
  console.log(`\n=== ${name}: ${what}`);
  const resultFile = join(scratch, `${name}.json`);
  const sectionStart = Date.now();
  const code = await new Promise((resolve) => {
    // The benchmarks that drive the server's services in their own process run them as `npm run serve` does.
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, join(ROOT, 'bench', 'dist', file)], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal));
  });
  const seconds = Math.round((Date.now() - sectionStart) / 1000);
  if (code !== 0) {
    failures.push(`${name} (exit ${code})`);
    console.log(`${name} failed (exit ${code}) after ${seconds} s`);
    continue;
  }
  results[name] = { seconds, ...JSON.parse(readFileSync(resultFile, 'utf8')) };
  console.log(`(${name}: ${seconds} s)`);
}
rmSync(scratch, { recursive: true, force: true });

// --- ratios to the floor, then the table of absolute figures ---------------------------------
const ratios = floorTable(results.floor?.floor);
const ratioLines = ratios.lines;

const rows = [];
const ms = (v, d = 2) => (v === null || v === undefined ? '—' : `${v.toFixed(d)} ms`);
const num = (v) => (v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en'));
const row = (figure, value, target = '', met = null) => rows.push({ figure, value, target, met });

for (const m of results.webhook?.webhooks ?? []) {
  const embedded = m.mode.startsWith('in-process');
  for (const r of m.latency) {
    const label = `[${m.mode}] webhook → FILL on /ws, ${r.rate}/s, ${r.strategies} strateg${r.strategies === 1 ? 'y' : 'ies'}`;
    const l = r.webhookToFill;
    const value = `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}${r.missingFills ? ` (${r.missingFills} unfilled)` : ''}`;
    if (embedded && r.rate === 100) {
      const met = l.p50 !== null && l.p50 < 2 && l.p99 < 10 && !r.missingFills;
      row(label, value, 'p50 < 2 ms, p99 < 10 ms', met);
    } else row(label, value);
  }
  const a = m.acceptance;
  if (a) {
    const value = `${num(a.acceptedPerSecond)}/s, p99 ${ms(a.latency.p99)} (${a.connections} connections)`;
    if (embedded)
      row(`[${m.mode}] webhook acceptance (202)`, value, '≥ 5,000/s, p99 < 50 ms', a.acceptedPerSecond >= 5000 && a.latency.p99 < 50);
    else row(`[${m.mode}] webhook acceptance (202)`, value);
  }
}
for (const r of results.ticks?.ticks?.livePnl ?? []) {
  row(
    `ticks into live P&L, ${r.strategies} strategies × ${r.tickers} open positions`,
    `${num(r.ticksPerSecond)}/s (${r.pnlPerSecond} PNL/s)`,
    '≥ 50,000/s',
    r.ticksPerSecond >= 50_000,
  );
}
for (const r of results.ticks?.ticks?.handlers ?? []) {
  row(
    `ticks through sandboxed onTick, ${r.strategies} strategies`,
    `${num(r.ticksHandledPerSecond)}/s, tick → handler p50 ${ms(r.tickToHandler.p50)} p99 ${ms(r.tickToHandler.p99)} (${r.warmSeconds ?? 1} s warm-up)${r.floor ? `; ${r.floor.ratio}× the isolate floor of this run (${num(r.floor.callsPerSecond)}/s)` : ''}`,
    '≥ 20,000/s',
    r.ticksHandledPerSecond >= 20_000,
  );
}
for (const r of results.ws?.ws ?? []) {
  const label = `[${r.mode}] /ws ${r.clients} clients + 1 stalled, ${r.quotesPerSecond} quotes/s + PNL`;
  const value = `${num(r.messagesPerSecond)} msg/s, DATA delay p99 ${ms(r.dataDelay.p99)}, PNL p99 ${ms(r.pnlDelay.p99, 1)}`;
  if (r.mode.startsWith('in-process') && r.quotesPerSecond === 10)
    row(label, value, 'p99 < 50 ms', r.dataDelay.p99 !== null && r.dataDelay.p99 < 50 && r.quotesMissing === 0);
  else row(label, value);
}
const sandbox = results.sandbox?.sandbox;
if (sandbox) {
  row(
    'sandbox: handler call inside the isolate',
    `p50 ${sandbox.callMicros.p50.toFixed(1)} µs, p99 ${sandbox.callMicros.p99.toFixed(1)} µs`,
  );
  row(
    'sandbox: call server → sandbox process → back',
    `p50 ${sandbox.roundTripMicros.p50.toFixed(1)} µs, p99 ${sandbox.roundTripMicros.p99.toFixed(1)} µs`,
  );
  row('sandbox: memory per idle strategy', `${sandbox.idle.rssMbEach.toFixed(2)} MB RSS, ${sandbox.idle.heapMbEach.toFixed(2)} MB V8 heap`);
}
for (const r of results.fairness?.fairness ?? []) {
  row(
    `[${r.mode}] healthy strategy's webhook → FILL beside ${r.busyStrategies} scripts spending ${r.busyMs} ms per onTick`,
    `p50 ${ms(r.loaded.p50, 1)} (alone ${ms(r.alone.p50, 1)}): ${r.ratio.toFixed(2)}×`,
    '≤ 2× alone',
    r.ratio <= 2,
  );
}
for (const r of results.failover?.failover ?? []) {
  row(
    `[${r.mode}] SIGKILL during an order, restarted at once: kill → first order (${r.kills} kill${r.kills === 1 ? '' : 's'})`,
    `p50 ${ms(r.killToOrder.p50, 0)}: back up ${ms(r.killToHealthy.p50, 0)}, then ${ms(r.healthyToOrder.p50, 0)} (max ${ms(r.healthyToOrder.max, 0)})`,
    'back up → first order < 5 s',
    r.healthyToOrder.max < 5000,
  );
}
for (const r of results.pnl?.pnl?.runs ?? []) {
  const db = r.database.startsWith('SQLite') ? 'SQLite' : 'PostgreSQL';
  row(
    `[${db}] P&L recorder pass, ${r.strategies} strategies`,
    `p50 ${ms(r.passWallMs.p50, 1)} wall (${ms(r.passCpuMs.p50, 1)} CPU), p99 ${ms(r.passWallMs.p99, 1)}` +
      (r.passHeldMs ? `; event loop held at most p50 ${ms(r.passHeldMs.p50, 1)}, max ${ms(r.passHeldMs.max, 1)}` : ''),
  );
  for (const q of r.queries) row(`[${db}] ${q.name}`, `p50 ${ms(q.inServiceMs.p50)} (HTTP ${ms(q.overHttpMs.p50)})`);
}
for (const r of results.memory?.memory?.runs ?? []) {
  row(
    `resident memory, ${num(r.strategies)} strategies (${num(r.scripted)} scripted), each traded once`,
    `${r.loaded.totalMb.toFixed(1)} MB (server ${r.loaded.serverMb.toFixed(1)} MB + ${r.loaded.children} child processes; empty ${r.empty.totalMb.toFixed(1)} MB)`,
  );
}
if (results.memory?.memory?.growthPerStrategyMb != null) {
  const runs = results.memory.memory.runs;
  row(
    `resident memory growth, ${num(runs[0].strategies)} → ${num(runs[runs.length - 1].strategies)} strategies`,
    `${results.memory.memory.growthPerStrategyMb.toFixed(3)} MB per strategy`,
  );
}
const day = results.memory?.memory?.day;
if (day) {
  const strategies = results.memory.memory.runs[results.memory.memory.runs.length - 1].strategies;
  row(
    `resident memory, ${num(strategies)} strategies after a day of trading (${num(day.roundTrips)} round trips each)`,
    `${day.afterTrading.totalMb.toFixed(1)} MB (server ${day.afterTrading.serverMb.toFixed(1)} MB); ${num(day.alerts)} alerts in ${day.seconds} s`,
  );
  row(
    `resident memory, started again on that day's history, dashboard read`,
    `${day.restarted.totalMb.toFixed(1)} MB (server ${day.restarted.serverMb.toFixed(1)} MB + ${day.restarted.children} child processes)`,
  );
}
const rowIds = results.ids?.rowIds;
if (rowIds) {
  const { random, ordered } = rowIds;
  row(
    `pages written a commit of ${rowIds.batch} orders, ${num(rowIds.rows)} in the table`,
    `${ordered.pagesPerCommit} with time-ordered ids, ${random.pagesPerCommit} with random ones (${rowIds.pagesRatio}×); ${ms(ordered.msPerCommit, 3)} against ${ms(random.msPerCommit, 3)} a commit`,
  );
}
const analytics = results.analytics?.analytics;
if (analytics) {
  const ns = (v) => `${Math.round(v).toLocaleString('en')} ns`;
  row(
    'execution timeline stamps per order (hot path)',
    `p50 ${ns(analytics.stampNsPerOrder.p50)} (floor ${ns(analytics.floorNsPerOrder.p50)})`,
    'no I/O on the hot path',
  );
  row('a quote into the excursion tracker', `p50 ${ns(analytics.quoteNs.p50)}`);
  for (const w of analytics.writes)
    row(`grouped write of ${num(w.orders)} timelines (SQLite)`, `p50 ${ms(w.writeMs.p50, 1)}`, 'off the hot path, once a second');
  if (analytics.bracketUs)
    row(
      `a closed trade's entry bracket, ${num(analytics.historyFills)} fills on its account`,
      `p50 ${analytics.bracketUs.p50.toFixed(1)} µs`,
      'once a closed trade; by the account alone it read every fill',
    );
}

const backtest = results.backtest?.backtest;
if (backtest) {
  row('backtest: bars CSV import', `${num(backtest.import.barsPerSecond)} bars/s (${num(backtest.import.bars)} bars)`);
  for (const r of backtest.runs) {
    const value = `${num(r.barsPerSecond)} bars/s, ${num(r.quotesPerSecond)} quotes/s (${num(r.bars)} bars in ${r.seconds} s)`;
    if (r.name === 'pass-through') row(`backtest: ${r.name}`, value, `${num(r.bars)} one-minute bars in seconds`, r.seconds < 10);
    else row(`backtest: ${r.name}`, value);
  }
}

const width = Math.max(...rows.map((r) => r.figure.length), 10);
const valueWidth = Math.max(...rows.map((r) => r.value.length), 10);
console.log(`\n${header}\n`);
if (ratioLines.length) console.log(`${ratioLines.join('\n')}\n`);
console.log(`${'figure'.padEnd(width)}  ${'measured'.padEnd(valueWidth)}  target`);
console.log(`${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}  ${'-'.repeat(30)}`);
for (const r of rows) {
  const mark = r.met === null ? '' : r.met ? '  ✓ met' : '  ✗ missed';
  console.log(`${r.figure.padEnd(width)}  ${r.value.padEnd(valueWidth)}  ${r.target}${mark}`);
}
const total = Math.round((Date.now() - started) / 1000);
info.loadAverageAtEnd = machine().loadAverage;
console.log(
  `\n${rows.filter((r) => r.met === true).length + ratios.met} targets met, ${rows.filter((r) => r.met === false).length + ratios.missed} missed; ${total} s in all; load average at the end ${info.loadAverageAtEnd.join(' ')}.`,
);

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', QUICK ? 'latest-quick.json' : 'latest.json');
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), quick: QUICK, machine: info, seconds: total, ratios: ratioLines, table: rows, results, failures },
    null,
    2,
  ),
);
console.log(`figures written to bench/results/${QUICK ? 'latest-quick.json' : 'latest.json'}`);
if (failures.length) {
  console.log(`failed: ${failures.join(', ')}`);
  process.exitCode = 1;
}
