// Strategy sandbox cost: handler call overhead, memory per idle isolate, and ticks/s through
// onTick for 10 and 100 strategies (sandbox alone, then end to end through the engine). Prints
// figures; asserts nothing. Run with `npm run bench` (after the webhook bench).
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/load-config.js';
import { MarketService } from '../apps/server/dist/market/market.service.js';
import { SandboxHost } from '../apps/server/dist/sandbox/sandbox-host.js';
import { SandboxService } from '../apps/server/dist/sandbox/sandbox.service.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const IDLE_ISOLATES = Number(process.env.BENCH_IDLE_ISOLATES ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LIMITS = { memoryMb: 64, cpuMs: 50 };

const ON_TICK = `
let seen = 0;
export default defineStrategy({
  tickers: ['NQ1!'],
  params: { threshold: 1e9 },
  onTick(quote, ctx) {
    seen += 1;
    if (quote.bid > ctx.params.threshold) ctx.buy(quote.ticker, 1);
  },
});
`;

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
  await host.load('s', 'bench.ts', ON_TICK);
  for (let i = 0; i < 2000; i++) await host.call('s', 'onTick', quote(i), snapshot);
  const inside = [];
  const roundTrip = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    const outcome = await host.call('s', 'onTick', quote(i), snapshot);
    roundTrip.push((performance.now() - started) * 1000);
    inside.push(outcome.micros);
  }
  console.log(`handler call, inside the isolate (copy in, run, copy out):  ${micros(inside)}`);
  console.log(`handler call, server → host process → isolate → server:     ${micros(roundTrip)}`);
  await host.close();
}

async function idleMemory() {
  const host = new SandboxHost({ limits: LIMITS });
  await host.load('warm', 'bench.ts', ON_TICK);
  await host.call('warm', 'onTick', quote(0), snapshot);
  const before = await host.stats();
  for (let i = 0; i < IDLE_ISOLATES; i++) {
    await host.load(`idle-${i}`, 'bench.ts', ON_TICK);
    await host.call(`idle-${i}`, 'onTick', quote(i), snapshot);
  }
  const after = await host.stats();
  const heap = after.heapUsed.reduce((sum, n) => sum + n, 0) / after.heapUsed.length;
  console.log(
    `idle isolate (script loaded, called once): ${mb((after.rss - before.rss) / IDLE_ISOLATES)} of host RSS each, ${mb(heap)} V8 heap in use each (${IDLE_ISOLATES} isolates)`,
  );
  await host.close();
}

/** Each strategy's calls one at a time (as its queue lane runs them), all strategies at once. */
async function sandboxTicks(strategies) {
  const host = new SandboxHost({ limits: LIMITS });
  for (let i = 0; i < strategies; i++) await host.load(`s${i}`, 'bench.ts', ON_TICK);
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
  console.log(
    `onTick, sandbox alone, ${String(strategies).padStart(3)} strategies: ${Math.round(calls / SECONDS).toLocaleString('en')} calls/s`,
  );
  await host.close();
}

/** Quotes published as fast as the event loop allows; each goes to every strategy watching NQ (conflated per strategy). */
async function engineTicks(strategies) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-sandbox-bench-'));
  const scripts = join(dataDir, 'strategies');
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      dataDir,
      strategies: { dir: scripts },
      plugins: { disabled: ['sim-feed'] },
      log: { level: 'error' },
    },
  });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(scripts, { recursive: true });
  writeFileSync(join(scripts, 'bench.ts'), ON_TICK);
  const app = await createApp(config, { logger: ['error'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address();
  for (let i = 0; i < strategies; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/api/strategies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i}`, script: 'bench.ts' }),
    });
    if (response.status !== 201) throw new Error(`creating a strategy: ${response.status} ${await response.text()}`);
  }
  const sandbox = app.get(SandboxService);
  let calls = 0;
  const call = sandbox.call.bind(sandbox);
  sandbox.call = (...args) => call(...args).finally(() => calls++);
  await new Promise((r) => setTimeout(r, 500));
  const market = app.get(MarketService);
  let published = 0;
  calls = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  while (performance.now() < deadline) {
    market.publish({ ticker: 'NQ1!', bid: 25000 + (published % 8) * 0.25, ask: 25000.25 + (published % 8) * 0.25, time: Date.now() });
    published++;
    await new Promise((r) => setImmediate(r));
  }
  const handled = calls;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `onTick, end to end (queue, snapshot, sandbox), ${String(strategies).padStart(3)} strategies: ${Math.round(handled / seconds).toLocaleString('en')} ticks/s handled, ${Math.round(published / seconds).toLocaleString('en')} quotes/s published (the rest conflated)`,
  );
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  `Strategy sandbox — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log(`limits: ${LIMITS.memoryMb} MB, ${LIMITS.cpuMs} ms per call\n`);
await callOverhead();
await idleMemory();
for (const n of [10, 100]) await sandboxTicks(n);
for (const n of [10, 100]) await engineTicks(n);
