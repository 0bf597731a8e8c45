// Memory and scale: the resident memory of a server (its process and the sandbox processes it
// starts) with 10, 100 and 1,000 strategies, one in ten of them scripted, each strategy having
// traded once (an alert, an order, a fill, an open position). Per count: a fresh server, the
// strategies created through the API, one alert each, then RSS summed over the process tree.
// The growth from the smallest to the largest count, per strategy, is the figure that scales.
// Then, at the largest count, a day of trading: every strategy trades DAY_ROUND_TRIPS round trips
// (50, a busy day for an automated strategy; 5 with BENCH_QUICK) through its webhook, the server is
// started again on that database, and the dashboard's views (summary, this month's calendar,
// today's series) are read for the account after one more round trip each (every script loaded
// again): its memory then is the figure with a day of history.
// Run through `npm run bench`, or alone:
// `npm run build:bench && node --no-node-snapshot bench/dist/memory-bench.js`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, QUICK, report, sleep, startServerProcess } from './lib/common.js';
import { fillWatcher, postWebhook } from './lib/webhook-load.js';
import http from 'node:http';

const COUNTS = (process.env.BENCH_MEMORY_COUNTS ?? '10,100,1000').split(',').filter(Boolean).map(Number);
const SCRIPTED_SHARE = 0.1;
const PARALLEL = 8;
const DAY_ROUND_TRIPS = Number(process.env.BENCH_MEMORY_ROUND_TRIPS ?? (QUICK ? 5 : 50));
const DAY_PARALLEL = 32;

const SCRIPT = `export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, 1);
    if (alert.action === 'sell') ctx.sell(alert.ticker, 1);
  },
});
`;

/** Resident memory (MB) of `pid` and of every process below it, from one `ps`. */
function treeRss(pid: number): { totalMb: number; serverMb: number; children: number } {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const kids = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const [p, parent, kb] of rows) {
    rss.set(p, kb);
    kids.set(parent, [...(kids.get(parent) ?? []), p]);
  }
  let totalKb = 0;
  let children = -1;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    totalKb += rss.get(p) ?? 0;
    children++;
    stack.push(...(kids.get(p) ?? []));
  }
  return { totalMb: Math.round(totalKb / 102.4) / 10, serverMb: Math.round((rss.get(pid) ?? 0) / 102.4) / 10, children };
}

/** Runs `work` over `items`, `PARALLEL` at a time. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Until the server lists the script (it loads `strategies/` at start and on change). */
async function scriptLoaded(server: { base: string; token: string }): Promise<void> {
  for (let tries = 0; !(await api(server, 'GET', '/api/scripts')).some((s) => s.name === 'memory.ts'); tries++) {
    if (tries > 100) throw new Error('the script did not load');
    await sleep(100);
  }
}

/**
 * Every strategy trades `roundTrips` more round trips (alerts alternating sell and buy after its
 * opening buy): their fills, trades, order states, log lines and P&L points are the day's history.
 * Resolves once every plain strategy's alerts have filled.
 */
async function tradeADay(
  server,
  strategies,
  roundTrips: number,
  run = 'day',
): Promise<{ alerts: number; filled: number; seconds: number }> {
  const watcher = await fillWatcher(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: DAY_PARALLEL });
  const alerts = [];
  for (let n = 0; n < roundTrips * 2; n++)
    for (const s of strategies)
      alerts.push({
        s,
        body: { ticker: 'NQ1!', action: n % 2 ? 'buy' : 'sell', quantity: 1, price: 25000 + (n % 8) * 0.25, id: `${run}-${n}-${s.id}` },
      });
  const eventIds = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: DAY_PARALLEL }, async () => {
      while (next < alerts.length) {
        const { s, body } = alerts[next++];
        const response = await postWebhook(agent, server.port, s.webhookToken, body);
        if (response.status !== 202) throw new Error(`a day's alert was answered ${response.status}: ${JSON.stringify(response.body)}`);
        if (!s.script) eventIds.push(response.body.eventId);
      }
    }),
  );
  const deadline = performance.now() + (QUICK ? 120_000 : 600_000);
  while (eventIds.some((id) => !watcher.filledAt.has(id)) && performance.now() < deadline) await sleep(200);
  const filled = eventIds.filter((id) => watcher.filledAt.has(id)).length;
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  watcher.close();
  agent.destroy();
  return { alerts: alerts.length, filled, seconds };
}

const runs = [];
let day = null;
for (const count of COUNTS) {
  const server = await startServerProcess({ label: `server (${count} strategies)` });
  try {
    const dir = join(server.dataDir, 'strategies');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.ts'), SCRIPT);
    await scriptLoaded(server);
    await sleep(1000);
    const empty = treeRss(server.pid);
    const scripted = Math.round(count * SCRIPTED_SHARE);
    const started = performance.now();
    const strategies = [];
    await inParallel(
      Array.from({ length: count }, (_, i) => i),
      async (i) => {
        const body =
          i < scripted ? { name: `memory ${i}`, script: 'memory.ts', defaultQuantity: 1 } : { name: `memory ${i}`, defaultQuantity: 1 };
        strategies.push(await api(server, 'POST', '/api/strategies', body));
      },
    );
    const createSeconds = (performance.now() - started) / 1000;
    // One alert each: an order, a fill and an open position per strategy.
    const watcher = await fillWatcher(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
    const eventIds = [];
    await inParallel(strategies, async (s) => {
      const response = await postWebhook(agent, server.port, s.webhookToken, {
        ticker: 'NQ1!',
        action: 'buy',
        quantity: 1,
        price: 25000,
        id: `memory-${s.id}`,
      });
      // A script's orders carry its own ids: the fills watched for are the plain strategies'.
      if (response.status === 202 && !s.script) eventIds.push(response.body.eventId);
    });
    const deadline = performance.now() + (QUICK ? 30_000 : 60_000);
    while (eventIds.some((id) => !watcher.filledAt.has(id)) && performance.now() < deadline) await sleep(100);
    const filled = eventIds.filter((id) => watcher.filledAt.has(id)).length;
    watcher.close();
    agent.destroy();
    await sleep(2000); // let the recorder and the caches settle
    const loaded = treeRss(server.pid);
    const run = { strategies: count, scripted, filled, createSeconds: Math.round(createSeconds * 10) / 10, empty, loaded };
    runs.push(run);
    console.log(
      `  ${String(count).padStart(5)} strategies (${scripted} scripted; ${filled} of the ${count - scripted} others filled): ${loaded.totalMb} MB resident (server ${loaded.serverMb} MB + ${loaded.children} child processes); empty ${empty.totalMb} MB`,
    );
    if (count === Math.max(...COUNTS) && DAY_ROUND_TRIPS > 0) {
      const traded = await tradeADay(server, strategies, DAY_ROUND_TRIPS);
      await sleep(3000); // the recorder's points and the log reach the database
      const afterTrading = treeRss(server.pid);
      console.log(
        `  a day: ${traded.alerts.toLocaleString('en-US')} alerts (${DAY_ROUND_TRIPS} round trips a strategy) in ${traded.seconds} s, ${traded.filled} of the plain strategies' filled: ${afterTrading.totalMb} MB resident (server ${afterTrading.serverMb} MB)`,
      );
      await server.stop({ keepData: true });
      const restarted = await startServerProcess({ label: `server (${count} strategies, a day of history)`, dataDir: server.dataDir });
      try {
        await scriptLoaded(restarted);
        // One more round trip each: every script is loaded and called again, as in a trading day.
        await tradeADay(restarted, strategies, 1, 'next');
        const accountId = strategies[0].accountId;
        const now = Date.now();
        await api(restarted, 'GET', `/api/pnl/summary?accountId=${accountId}`);
        await api(restarted, 'GET', `/api/pnl/calendar?accountId=${accountId}`);
        await api(restarted, 'GET', `/api/pnl/series?accountId=${accountId}&from=${now - 86_400_000}&to=${now}`);
        await api(restarted, 'GET', '/api/strategies');
        await sleep(2000);
        const history = treeRss(restarted.pid);
        day = { roundTrips: DAY_ROUND_TRIPS, ...traded, afterTrading, restarted: history };
        console.log(
          `  started again on that day's database, the dashboard's views read: ${history.totalMb} MB resident (server ${history.serverMb} MB + ${history.children} child processes)`,
        );
      } finally {
        await restarted.stop();
      }
    }
  } finally {
    await server.stop();
  }
}
const first = runs[0];
const last = runs[runs.length - 1];
const growthPerStrategyMb =
  last && first && last !== first
    ? Math.round(((last.loaded.totalMb - first.loaded.totalMb) / (last.strategies - first.strategies)) * 1000) / 1000
    : null;
if (growthPerStrategyMb !== null)
  console.log(`  growth from ${first.strategies} to ${last.strategies} strategies: ${growthPerStrategyMb} MB per strategy`);
report({ memory: { runs, growthPerStrategyMb, day } });
