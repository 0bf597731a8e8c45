// Webhooks against the built server in its own process (this process is only the load generator):
//
// 1. webhook → fill committed → `FILL` received on /ws, open loop (sent on a schedule, latency
//    counted from the scheduled time), at 10, 100 and 1,000 webhooks/s, with 1 and 100 strategies;
// 2. acceptance (validate + persist + enqueue + 202) with many keep-alive connections, closed loop,
//    while the engine fills what was accepted in the same process.
//
// In-process queue, then BullMQ when Redis is reachable, then acceptance alone in an api process
// (ROLE=api on BullMQ, no worker running: intake without the engine beside it). Run through `npm run bench`, or alone:
// `npm run build:bench && node --no-node-snapshot bench/dist/webhook-bench.js` (BENCH_QUICK=1 for short runs).
import { fmtMs, QUICK, REDIS_URL, redisReachable, report, startServerProcess } from './lib/common.js';
import { acceptanceRun, createStrategies, DRAIN_SECONDS, fillWatcher, latencyRun } from './lib/webhook-load.js';

const RATES = (process.env.BENCH_RATES ?? '10,100,1000').split(',').filter(Boolean).map(Number);
const STRATEGY_COUNTS = (process.env.BENCH_STRATEGY_COUNTS ?? '1,100').split(',').filter(Boolean).map(Number);
/** Seconds of sending per rate: enough samples for a p99 at each rate. */
const SECONDS = { 10: QUICK ? 3 : 10, 100: QUICK ? 3 : 10, 1000: QUICK ? 2 : 3 };
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 128);
const ACCEPT_SECONDS = Number(process.env.BENCH_ACCEPT_SECONDS ?? (QUICK ? 3 : 10));
const ACCEPT_STRATEGIES = 100;
/** Which parts run (BENCH_WEBHOOK_PARTS=acceptance to profile only that). */
const PARTS = new Set((process.env.BENCH_WEBHOOK_PARTS ?? 'latency,acceptance').split(','));

/** A fresh server for each part, so one part's backlog and history never weigh on the next. */
async function withServer(mode, redisUrl, role, work) {
  const server = await startServerProcess({ redisUrl, label: `server (${mode})`, env: role ? { ROLE: role } : {} });
  console.log(`\n${mode}: server pid ${server.pid} on ${server.base}`);
  const watcher = await fillWatcher(server);
  try {
    return await work(server, watcher);
  } finally {
    watcher.close();
    await server.stop();
  }
}

async function runMode(mode, redisUrl, role = '') {
  const result = { mode, latency: [], acceptance: null };
  if (PARTS.has('latency')) {
    await withServer(mode, redisUrl, role, async (server, watcher) => {
      for (const count of STRATEGY_COUNTS) {
        const tokens = await createStrategies(server, count);
        // Warm up: JIT, prepared statements, the strategies' first orders.
        await latencyRun(server, watcher, tokens, 50, 1);
        for (const rate of RATES) {
          const r = await latencyRun(server, watcher, tokens, rate, SECONDS[rate] ?? 5);
          result.latency.push(r);
          console.log(
            `  ${String(rate).padStart(5)}/s, ${String(count).padStart(3)} strateg${count === 1 ? 'y  ' : 'ies'}: webhook → FILL on /ws ${fmtMs(r.webhookToFill)}` +
              `${r.missingFills ? `  (${r.missingFills} fills missing after ${DRAIN_SECONDS} s)` : ''}${r.errors ? `  ${r.errors} errors` : ''}`,
          );
          console.log(`  ${''.padStart(22)}webhook → 202       ${fmtMs(r.webhookTo202)}`);
        }
      }
    });
  }
  if (PARTS.has('acceptance')) {
    result.acceptance = await withServer(mode, redisUrl, role, async (server, watcher) => {
      const tokens = await createStrategies(server, ACCEPT_STRATEGIES);
      await acceptanceRun(server, watcher, tokens, 16, 1);
      const a = await acceptanceRun(server, watcher, tokens, CONNECTIONS, ACCEPT_SECONDS);
      console.log(
        `  acceptance, ${a.connections} keep-alive connections, ${a.strategies} strategies: ${a.acceptedPerSecond} webhooks/s accepted (202), ${fmtMs(a.latency)}` +
          `${a.errors ? `, ${a.errors} errors` : ''}; statuses ${JSON.stringify(a.statuses)}; load generator CPU ${a.clientCpuPercent}%`,
      );
      console.log(`  ${''.padStart(22)}then filled ${a.filled} of ${a.accepted} (${a.filledPerSecond}/s from the first webhook)`);
      return a;
    });
  }
  return result;
}

const results = [];
results.push(await runMode('in-process queue', ''));
if (await redisReachable(REDIS_URL)) {
  results.push(await runMode('BullMQ (local Redis)', REDIS_URL));
  // Intake alone: an api process (no engine, no worker running) only validates, stores and enqueues.
  if (PARTS.has('acceptance')) {
    const parts = new Set(PARTS);
    PARTS.delete('latency');
    results.push(await runMode('BullMQ, api process alone', REDIS_URL, 'api'));
    parts.forEach((p) => PARTS.add(p));
  }
} else console.log(`\n(BullMQ skipped: no Redis at ${REDIS_URL})`);
report({ webhooks: results });
