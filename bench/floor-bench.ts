// Tradeloop against the floor: a hand-written server (bench/floor/server.ts) doing the same durable
// work of an alert and nothing else, measured in the same run with the same client and load:
//
// 1. webhook → `FILL` on /ws, one alert every 10 ms on keep-alive HTTP (open loop, one strategy);
// 2. acceptance: `wrk` with 64 connections for 5 s over 100 strategies (the in-process closed loop
//    when wrk is not installed): webhooks/s answered 202, and their p99; and sustained end to end,
//    the alerts whose FILL reached /ws while the load ran, a second (with the backlog at its end);
// 3. the server's CPU an alert under that load (every thread, from /proc, until the load's alerts
//    were filled): no target, but it moves far less than the rates between runs, and says how much
//    of each ratio is work the floor does not do. On PostgreSQL also its processes' CPU over the
//    same span: it shares this machine's cores with the server, and the database's work of an
//    alert is part of what either server costs.
//
// Each pair is measured in rounds (BENCH_FLOOR_ROUNDS: 3, 2 with BENCH_QUICK), the two servers back
// to back in each and in turns (floor first, then Tradeloop first): this machine's speed drifts by a
// quarter within minutes, and a ratio of two adjacent measurements drifts far less than two
// measurements minutes apart. Each figure's ratio is the median of the rounds' own, shown with
// their range; the absolute figures are each one's median over the rounds.
//
// Three pairs: SQLite with the in-process queue; SQLite with BullMQ on the local Redis; PostgreSQL
// with the in-process queue (each skipped when its service does not answer; BENCH_FLOOR_MODES=sqlite,
// bullmq,postgres runs only those pairs). bench/run.ts prints every figure as a ratio to its floor. Alone:
// `npm run build:bench && node --no-node-snapshot bench/dist/floor-bench.js`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  dropRedisPrefix,
  fmtMs,
  QUICK,
  REDIS_URL,
  postgresCpuMs,
  processCpuMs,
  redisReachable,
  report,
  ROOT,
  sleep,
  startServerProcess,
  tempDir,
} from './lib/common.js';
import type { CountedFigures } from './lib/floor-table.js';
import { createStrategies, fillsSettled, fillWatcher, latencyRun, type Target } from './lib/webhook-load.js';
import { acceptanceUnderLoad, wrkInstalled } from './lib/wrk.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LATENCY_RATE = 100; // one alert every 10 ms
const LATENCY_SECONDS = Number(process.env.BENCH_FLOOR_LATENCY_SECONDS ?? (QUICK ? 5 : 15));
const CONNECTIONS = 64;
const LOAD_SECONDS = 5;
/** Rounds per mode, each measuring the floor and Tradeloop back to back (BENCH_FLOOR_ROUNDS). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_FLOOR_ROUNDS ?? (QUICK ? 2 : 3)));
const STRATEGIES = 100;
const FLOOR_MAIN = fileURLToPath(new URL('./floor/server.js', import.meta.url));

interface Mode {
  name: string;
  db: 'sqlite' | 'postgres';
  redis: boolean;
}
const ALL_MODES: (Mode & { key: string })[] = [
  { key: 'sqlite', name: 'SQLite, in-process queue', db: 'sqlite', redis: false },
  { key: 'bullmq', name: 'SQLite, BullMQ (local Redis)', db: 'sqlite', redis: true },
  { key: 'postgres', name: 'PostgreSQL, in-process queue', db: 'postgres', redis: false },
];
/** BENCH_FLOOR_MODES=sqlite,bullmq,postgres: some of the pairs (each still against its own floor). */
const MODES: Mode[] = process.env.BENCH_FLOOR_MODES
  ? ALL_MODES.filter((m) => process.env.BENCH_FLOOR_MODES!.split(',').includes(m.key))
  : ALL_MODES;

interface Subject extends Target {
  tokens: string[];
  pid: number;
  stop(): Promise<void>;
}

/** A fresh PostgreSQL database, dropped with `drop()`. */
async function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tradeloop_bench_${label}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Node flags and environment for one server: the counting probe's (see counted). */
interface Extra {
  nodeArgs: string[];
  env: Record<string, string>;
}

async function startFloor(mode: Mode, extra: Extra = { nodeArgs: [], env: {} }): Promise<Subject> {
  const dir = tempDir('floor');
  const database = mode.db === 'postgres' ? await freshDatabase('floor') : null;
  const prefix = `tradeloop-floor-${process.pid}-${Date.now()}`;
  const child = spawn(process.execPath, [...extra.nodeArgs, FLOOR_MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...extra.env,
      FLOOR_DB: mode.db,
      FLOOR_SQLITE_FILE: join(dir, 'floor.sqlite'),
      FLOOR_PG_URL: database?.url ?? '',
      FLOOR_REDIS_URL: mode.redis ? REDIS_URL : '',
      FLOOR_PREFIX: prefix,
      FLOOR_STRATEGIES: String(STRATEGIES),
    },
  });
  let output = '';
  child.stderr.on('data', (d) => {
    output += d;
    if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[floor] ${d}`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const line = text.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve(JSON.parse(line).port);
    });
    child.once('exit', (code) => reject(new Error(`the floor exited at start (${code}):\n${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    token: '',
    pid: child.pid ?? 0,
    tokens: Array.from({ length: STRATEGIES }, (_, i) => `t${i}`),
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await database?.drop();
      if (mode.redis) await dropRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
    },
  };
}

async function startTradeloop(mode: Mode, extra: Extra = { nodeArgs: [], env: {} }): Promise<Subject> {
  const database = mode.db === 'postgres' ? await freshDatabase('server') : null;
  const server = await startServerProcess({
    redisUrl: mode.redis ? REDIS_URL : '',
    label: `server (${mode.name})`,
    env: { ...(database ? { DATABASE_URL: database.url } : {}), ...extra.env },
    nodeArgs: extra.nodeArgs,
  });
  const tokens = await createStrategies(server, STRATEGIES);
  return {
    ...server,
    tokens,
    async stop() {
      await server.stop();
      await database?.drop();
    },
  };
}

/** The same measurements on either server. */
async function measure(subject: Subject, mode: Mode) {
  const watcher = await fillWatcher(subject);
  try {
    const one = [subject.tokens[0]];
    await latencyRun(subject, watcher, one, 50, 1); // warm up: JIT, statements, the first orders
    const latency = await latencyRun(subject, watcher, one, LATENCY_RATE, LATENCY_SECONDS);
    await acceptanceUnderLoad(subject, watcher, subject.tokens, 16, 1); // warm up
    await fillsSettled(watcher);
    const cpuAtStart = processCpuMs(subject.pid);
    const onPostgres = mode.db === 'postgres';
    const databaseCpuAtStart = onPostgres ? postgresCpuMs() : 0;
    const filledAtStart = watcher.filledAt.size;
    const acceptance = await acceptanceUnderLoad(subject, watcher, subject.tokens, CONNECTIONS, LOAD_SECONDS);
    // The work of an alert, whatever the intake and the engine share: the server's CPU (every
    // thread) from the load's start until what it accepted was filled, by the alerts filled.
    await fillsSettled(watcher);
    const cpuMs = processCpuMs(subject.pid) - cpuAtStart;
    const filled = watcher.filledAt.size - filledAtStart;
    const cpuPerAlertUs = cpuMs > 0 && filled > 0 ? Math.round((cpuMs * 1000) / filled) : null;
    // PostgreSQL runs on this machine too: its share of an alert, over the same span.
    const databaseCpuMs = onPostgres ? postgresCpuMs() - databaseCpuAtStart : 0;
    const databaseCpuPerAlertUs = databaseCpuMs > 0 && filled > 0 ? Math.round((databaseCpuMs * 1000) / filled) : null;
    return { latency, acceptance: { ...acceptance, cpuPerAlertUs, databaseCpuPerAlertUs } };
  } finally {
    watcher.close();
  }
}

/** The counting probe (bench/lib/probe.cts), loaded into a server of its own: never one whose speed is timed. */
const PROBE = fileURLToPath(new URL('./lib/probe.cjs', import.meta.url));
const COUNT_SECONDS = 2;

/** What an alert costs, counted: each figure by the alerts accepted while counting. */
interface Counted extends CountedFigures {
  /** The statements with the most time inside them (the most run, where they are not timed), an alert. */
  topStatements: { sql: string; perAlert: number; microsPerAlert: number }[];
}

/**
 * The same flood as the acceptance figure (wrk, 64 connections, for COUNT_SECONDS), on a server
 * started with the probe, counted from the load's start until every alert it accepted was filled:
 * the statements run (SQLite and PostgreSQL alike), the commands sent to Redis, the heap allocated.
 * No clock decides these (but the time inside the statements), so they hold still while the
 * machine's speed drifts, and say where the CPU ratio comes from.
 */
async function counted(who: Who, mode: Mode): Promise<Counted> {
  const out = join(tempDir('probe'), `${who}.json`);
  const start = who === 'floor' ? startFloor : startTradeloop;
  const subject = await start(mode, { nodeArgs: ['--require', PROBE], env: { BENCH_PROBE_OUT: out } });
  const watcher = await fillWatcher(subject);
  try {
    await acceptanceUnderLoad(subject, watcher, subject.tokens, 16, 1); // warm up
    await fillsSettled(watcher);
    const filledAtStart = watcher.filledAt.size;
    process.kill(subject.pid, 'SIGUSR2');
    const load = await acceptanceUnderLoad(subject, watcher, subject.tokens, CONNECTIONS, COUNT_SECONDS);
    // Until every accepted alert is filled (BullMQ and PostgreSQL fall behind under this load), or no fill came for 3 s.
    let seen = -1;
    let quietSince = performance.now();
    while (watcher.filledAt.size - filledAtStart < load.accepted && performance.now() - quietSince < 3000) {
      if (watcher.filledAt.size !== seen) {
        seen = watcher.filledAt.size;
        quietSince = performance.now();
      }
      await sleep(100);
    }
    await sleep(300);
    process.kill(subject.pid, 'SIGUSR2');
    let raw = '';
    for (let i = 0; i < 100 && !raw; i++) {
      await sleep(100);
      raw = await readFile(out, 'utf8').catch(() => '');
    }
    if (!raw) throw new Error(`${who}: the probe wrote no counts`);
    const counts = JSON.parse(raw) as {
      statements: number;
      statementMicros: number;
      redisCommands: number;
      allocatedBytes: number;
      longestTurnMillis: number;
      longTurns: number;
      bySql: Record<string, [number, number]>;
    };
    const alerts = load.accepted;
    const per = (v: number, digits = 1) => Math.round((v / alerts) * 10 ** digits) / 10 ** digits;
    return {
      alerts,
      unfilled: Math.max(0, alerts - (watcher.filledAt.size - filledAtStart)),
      statements: per(counts.statements),
      statementMicros: per(counts.statementMicros),
      redisCommands: per(counts.redisCommands),
      allocatedKb: per(counts.allocatedBytes / 1024),
      longestTurnMs: Math.round(counts.longestTurnMillis),
      longTurns: counts.longTurns,
      topStatements: Object.entries(counts.bySql)
        .sort((a, b) => b[1][1] - a[1][1] || b[1][0] - a[1][0])
        .slice(0, 12)
        .map(([sql, [n, micros]]) => ({ sql, perAlert: per(n, 2), microsPerAlert: per(micros) })),
    };
  } finally {
    watcher.close();
    await subject.stop();
  }
}

const ratio = (value: number | null, floor: number | null) =>
  value === null || floor === null || floor === 0 ? null : Math.round((value / floor) * 100) / 100;

type Who = 'floor' | 'tradeloop';
type Figures = Awaited<ReturnType<typeof measure>>;
const FIGURES = ['fillP50', 'fillP99', 'acceptedPerSecond', 'acceptP99', 'filledPerSecond', 'cpuPerAlert', 'databaseCpuPerAlert'] as const;
type Figure = (typeof FIGURES)[number];
interface Round {
  order: Who[];
  floor: Figures;
  tradeloop: Figures;
  ratios: Record<Figure, number | null>;
}

function ratiosOf(tradeloop: Figures, floor: Figures): Record<Figure, number | null> {
  return {
    fillP50: ratio(tradeloop.latency.webhookToFill.p50, floor.latency.webhookToFill.p50),
    fillP99: ratio(tradeloop.latency.webhookToFill.p99, floor.latency.webhookToFill.p99),
    acceptedPerSecond: ratio(tradeloop.acceptance.acceptedPerSecond, floor.acceptance.acceptedPerSecond),
    acceptP99: ratio(tradeloop.acceptance.latency.p99, floor.acceptance.latency.p99),
    filledPerSecond: ratio(tradeloop.acceptance.filledPerSecond, floor.acceptance.filledPerSecond),
    cpuPerAlert: ratio(tradeloop.acceptance.cpuPerAlertUs, floor.acceptance.cpuPerAlertUs),
    databaseCpuPerAlert: ratio(tradeloop.acceptance.databaseCpuPerAlertUs, floor.acceptance.databaseCpuPerAlertUs),
  };
}

/** The middle value (the mean of the middle two for an even count); null without values. */
function median(values: (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(value * 1000) / 1000;
}

/** The figures the ratio table shows, each the median over the rounds (the rounds keep their own in full). */
function medianFigures(all: Figures[]) {
  const of = (pick: (f: Figures) => number | null) => median(all.map(pick));
  return {
    latency: {
      webhookToFill: { p50: of((f) => f.latency.webhookToFill.p50), p99: of((f) => f.latency.webhookToFill.p99) },
      webhookTo202: { p50: of((f) => f.latency.webhookTo202.p50) },
      missingFills: Math.max(...all.map((f) => f.latency.missingFills)),
    },
    acceptance: {
      generator: all[0].acceptance.generator,
      acceptedPerSecond: of((f) => f.acceptance.acceptedPerSecond)!,
      latency: { p99: of((f) => f.acceptance.latency.p99) },
      filledPerSecond: of((f) => f.acceptance.filledPerSecond)!,
      backlog: Math.round(of((f) => f.acceptance.backlog)!),
      cpuPerAlertUs: of((f) => f.acceptance.cpuPerAlertUs),
      databaseCpuPerAlertUs: of((f) => f.acceptance.databaseCpuPerAlertUs),
    },
  };
}

const results = [];
const haveRedis = await redisReachable(REDIS_URL);
const havePostgres = await postgresReachable();
console.log(
  `acceptance load: ${wrkInstalled ? `wrk, ${CONNECTIONS} connections, ${LOAD_SECONDS} s` : 'in-process closed loop (wrk is not installed)'}`,
);
for (const mode of MODES) {
  if (mode.redis && !haveRedis) {
    console.log(`\n(${mode.name} skipped: no Redis at ${REDIS_URL})`);
    continue;
  }
  if (mode.db === 'postgres' && !havePostgres) {
    console.log(`\n(${mode.name} skipped: no PostgreSQL at ${POSTGRES_URL})`);
    continue;
  }
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The machine's speed drifts within a run: each round measures the two back to back, in
    // turns (floor first, then Tradeloop first), and its ratios are its own.
    const order = round % 2 === 0 ? (['floor', 'tradeloop'] as const) : (['tradeloop', 'floor'] as const);
    const figures: Partial<Record<Who, Figures>> = {};
    for (const who of order) {
      const subject = await (who === 'floor' ? startFloor : startTradeloop)(mode);
      console.log(`\n${mode.name}, ${who}${ROUNDS > 1 ? ` (round ${round + 1} of ${ROUNDS})` : ''}: pid ${subject.pid} on ${subject.base}`);
      try {
        const f = await measure(subject, mode);
        figures[who] = f;
        const l = f.latency;
        console.log(
          `  webhook → FILL on /ws, 1 alert / 10 ms: ${fmtMs(l.webhookToFill)}; its 202 p50 ${l.webhookTo202.p50?.toFixed(2)} ms${l.missingFills ? `  (${l.missingFills} fills missing)` : ''}${l.errors ? `  ${l.errors} errors` : ''}`,
        );
        const a = f.acceptance;
        console.log(
          `  accepted (202) under ${a.connections} connections: ${a.acceptedPerSecond}/s, p50 ${a.latency.p50} ms, p99 ${a.latency.p99} ms; statuses ${JSON.stringify(a.statuses)}${a.errors ? `, ${a.errors} socket errors` : ''}`,
        );
        console.log(`  filled while the load ran: ${a.filledPerSecond}/s; accepted but not yet filled at its end: ${a.backlog}`);
        if (a.cpuPerAlertUs !== null)
          console.log(`  server CPU an alert (every thread, until the load's alerts were filled): ${a.cpuPerAlertUs} µs`);
        if (a.databaseCpuPerAlertUs !== null)
          console.log(`  PostgreSQL's CPU an alert (its processes, over the same span): ${a.databaseCpuPerAlertUs} µs`);
      } finally {
        await subject.stop();
      }
      await sleep(500);
    }
    const floor = figures.floor!;
    const tradeloop = figures.tradeloop!;
    rounds.push({ order: [...order], floor, tradeloop, ratios: ratiosOf(tradeloop, floor) });
  }
  const ratios = Object.fromEntries(FIGURES.map((figure) => [figure, median(rounds.map((r) => r.ratios[figure]))])) as Record<
    Figure,
    number | null
  >;
  const ratioRange = Object.fromEntries(
    FIGURES.map((figure) => {
      const values = rounds.map((r) => r.ratios[figure]).filter((v): v is number => v !== null);
      return [figure, values.length ? [Math.min(...values), Math.max(...values)] : null];
    }),
  );
  const costs = { floor: await counted('floor', mode), tradeloop: await counted('tradeloop', mode) };
  console.log(`\n${mode.name}, what an alert costs, counted (wrk, ${CONNECTIONS} connections, ${COUNT_SECONDS} s, until filled):`);
  for (const who of ['floor', 'tradeloop'] as const) {
    const c = costs[who];
    console.log(
      `  ${who}: ${c.statements} statements${c.statementMicros ? ` (${c.statementMicros} µs inside them)` : ''}, ${c.allocatedKb} KB allocated, ${c.redisCommands} Redis commands an alert; ${c.alerts} alerts${c.unfilled ? `, ${c.unfilled} unfilled` : ''}; longest turn ${c.longestTurnMs} ms, ${c.longTurns} of 20 ms or more`,
    );
    for (const t of c.topStatements.slice(0, who === 'tradeloop' ? 8 : 4))
      console.log(
        `    ${t.perAlert.toFixed(2)} ×${c.statementMicros ? ` ${t.microsPerAlert.toFixed(1).padStart(5)} µs` : ''}  ${t.sql.slice(0, 90)}`,
      );
  }
  const countRatio = (figure: 'statements' | 'statementMicros' | 'redisCommands' | 'allocatedKb') =>
    ratio(costs.tradeloop[figure], costs.floor[figure]);
  results.push({
    mode: mode.name,
    counted: {
      ...costs,
      ratios: {
        statements: countRatio('statements'),
        statementMicros: countRatio('statementMicros'),
        redisCommands: countRatio('redisCommands'),
        allocatedKb: countRatio('allocatedKb'),
      },
    },
    rounds: rounds.length,
    // The absolute figures: each one's median over the rounds; the ratios: the median of the rounds' own.
    floor: medianFigures(rounds.map((r) => r.floor)),
    tradeloop: medianFigures(rounds.map((r) => r.tradeloop)),
    ratios,
    ratioRange,
    byRound: rounds,
  });
}
report({
  floor: {
    rounds: ROUNDS,
    load: {
      latency: `keep-alive HTTP, one alert every ${1000 / LATENCY_RATE} ms for ${LATENCY_SECONDS} s, one strategy`,
      acceptance: wrkInstalled
        ? `wrk, ${CONNECTIONS} connections, ${LOAD_SECONDS} s, ${STRATEGIES} strategies`
        : `in-process closed loop, ${CONNECTIONS} connections, ${LOAD_SECONDS} s (wrk not installed)`,
    },
    modes: results,
  },
});
