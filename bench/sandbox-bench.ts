// Strategy sandbox cost: handler call overhead, memory per idle isolate, and calls/s through
// onTick for 10 and 100 strategies in the sandbox alone (end to end through the engine: see
// bench/tick-bench.ts). Run through `npm run bench`, or `npm run build:bench && node --no-node-snapshot bench/dist/sandbox-bench.js`.
import { SandboxHost } from '#server/sandbox/sandbox-host.js';
import { ON_TICK_SCRIPT, QUICK, report, stats } from './lib/common.js';

const CALLS = Number(process.env.BENCH_CALLS ?? (QUICK ? 5000 : 20000));
const IDLE_ISOLATES = Number(process.env.BENCH_IDLE_ISOLATES ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 5));
const result = { limits: null, callMicros: null, roundTripMicros: null, idle: null, sandboxAlone: [] };
const LIMITS = { memoryMb: 64, cpuMs: 50 };

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const micros = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} µs  p99 ${percentile(sorted, 99).toFixed(1)} µs  (n=${sorted.length})`;
};
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

const snapshot = JSON.stringify({
  strategyId: 'bench',
  params: { threshold: 1e9 },
  state: {},
  positions: {},
  quotes: {},
  pnl: { realized: 0, open: 0, total: 0 },
  now: Date.now(),
  aliases: {},
});
const quote = (i) =>
  JSON.stringify({ ticker: 'NQ1!', bid: 25000 + (i % 8) * 0.25, ask: 25000.25 + (i % 8) * 0.25, step: 0.25, amnt: 5, time: Date.now() });

async function callOverhead() {
  const host = new SandboxHost({ limits: LIMITS });
  await host.load('s', 'bench.ts', ON_TICK_SCRIPT);
  for (let i = 0; i < 2000; i++) await host.call('s', 'onTick', quote(i), snapshot);
  const inside = [];
  const roundTrip = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    const outcome = await host.call('s', 'onTick', quote(i), snapshot);
    roundTrip.push((performance.now() - started) * 1000);
    inside.push(outcome.micros);
  }
  result.callMicros = stats(inside);
  result.roundTripMicros = stats(roundTrip);
  console.log(`handler call, inside the isolate (copy in, run, copy out):  ${micros(inside)}`);
  console.log(`handler call, server → host process → isolate → server:     ${micros(roundTrip)}`);
  await host.close();
}

async function idleMemory() {
  const host = new SandboxHost({ limits: LIMITS });
  await host.load('warm', 'bench.ts', ON_TICK_SCRIPT);
  await host.call('warm', 'onTick', quote(0), snapshot);
  const before = await host.stats();
  for (let i = 0; i < IDLE_ISOLATES; i++) {
    await host.load(`idle-${i}`, 'bench.ts', ON_TICK_SCRIPT);
    await host.call(`idle-${i}`, 'onTick', quote(i), snapshot);
  }
  const after = await host.stats();
  const heap = after.heapUsed.reduce((sum, n) => sum + n, 0) / after.heapUsed.length;
  result.idle = { isolates: IDLE_ISOLATES, rssMbEach: (after.rss - before.rss) / IDLE_ISOLATES / 2 ** 20, heapMbEach: heap / 2 ** 20 };
  console.log(
    `idle isolate (script loaded, called once): ${mb((after.rss - before.rss) / IDLE_ISOLATES)} of host RSS each, ${mb(heap)} V8 heap in use each (${IDLE_ISOLATES} isolates)`,
  );
  await host.close();
}

/** Each strategy's calls one at a time (as its queue lane runs them), all strategies at once. */
async function sandboxTicks(strategies) {
  const host = new SandboxHost({ limits: LIMITS });
  for (let i = 0; i < strategies; i++) await host.load(`s${i}`, 'bench.ts', ON_TICK_SCRIPT);
  let calls = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: strategies }, async (_, s) => {
      while (performance.now() < deadline) {
        await host.call(`s${s}`, 'onTick', quote(calls), snapshot);
        calls++;
      }
    }),
  );
  result.sandboxAlone.push({ strategies, callsPerSecond: Math.round(calls / SECONDS) });
  console.log(
    `onTick, sandbox alone, ${String(strategies).padStart(3)} strategies: ${Math.round(calls / SECONDS).toLocaleString('en')} calls/s`,
  );
  await host.close();
}

result.limits = LIMITS;
console.log(`strategy sandbox limits: ${LIMITS.memoryMb} MB, ${LIMITS.cpuMs} ms per call`);
await callOverhead();
await idleMemory();
for (const n of [10, 100]) await sandboxTicks(n);
report({ sandbox: result });
