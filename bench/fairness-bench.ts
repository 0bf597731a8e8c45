// Fairness: a healthy scripted strategy's webhook → FILL on /ws, alone and beside ten strategies
// whose onTick spends 40 ms on every quote (the simulated feed sends 20 quotes/s of NQ1!). The
// figure is the ratio of the two medians; the target is at most 2×. Server in its own process,
// in-process queue, then BullMQ when Redis is reachable. Run through `npm run bench`, or alone:
// `npm run build:bench && node --no-node-snapshot bench/dist/fairness-bench.js` (BENCH_QUICK=1 for short runs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { api, QUICK, REDIS_URL, redisReachable, report, sleep, startServerProcess, stats } from './lib/common.js';

const ALERTS = Number(process.env.BENCH_ALERTS ?? (QUICK ? 15 : 40));
const BUSY_STRATEGIES = 10;
const BUSY_MS = 40;

const HEALTHY = `export default defineStrategy({
  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, 1);
    if (alert.action === 'sell') ctx.sell(alert.ticker, 1);
  },
});
`;
const BUSY = `export default defineStrategy({
  tickers: ['NQ1!'],
  onTick(quote, ctx) {
    const end = Date.now() + ${BUSY_MS};
    while (Date.now() < end) {}
    ctx.state.ticks = (ctx.state.ticks ?? 0) + 1;
    ctx.log('debug', 'tick ' + ctx.state.ticks);
  },
});
`;

async function fills(server) {
  const socket = new WebSocket(`${server.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${server.token}` } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'SUBSCRIBE', channels: ['FILL'] }));
  const waiters = [];
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type !== 'FILL') return;
    for (const waiter of waiters.splice(0)) waiter(message.data);
  });
  return {
    /** The next FILL of `strategyId` (an alert with none within 30 s fails the run). */
    next: (strategyId) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no FILL within 30 s')), 30_000);
        const wait = (fill) => {
          if (fill.strategyId !== strategyId) return waiters.push(wait);
          clearTimeout(timer);
          resolve(fill);
        };
        waiters.push(wait);
      }),
    close: () => socket.terminate(),
  };
}

let sequence = 0;

/** One alert every 100 ms or so, each timed from its POST to its FILL on /ws. */
async function alerts(server, stream, strategy, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const filled = stream.next(strategy.id);
    const started = performance.now();
    const id = `fair-${++sequence}`; // without an id, a repeated body within 3 s is a duplicate
    await api(server, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'MES1!', action: i % 2 ? 'sell' : 'buy', id });
    await filled;
    times.push(performance.now() - started);
    await sleep(100);
  }
  return stats(times);
}

async function run(mode, redisUrl) {
  const server = await startServerProcess({
    redisUrl,
    label: `fairness (${mode})`,
    config: {
      plugins: { disabled: [], settings: { 'sim-feed': { seed: 7, quotesPerSecond: 20 } } },
      // The busy scripts stay busy even when a loaded machine pushes a call over its budget, and the
      // healthy one may place every order of the run within a minute.
      strategies: { maxFailures: 1000, failureWindow: 1000, maxOrdersPerMinute: 10_000 },
    },
  });
  try {
    const dir = join(server.dataDir, 'strategies');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'healthy.ts'), HEALTHY);
    writeFileSync(join(dir, 'busy.ts'), BUSY);
    for (let tries = 0; ; tries++) {
      const names = (await api(server, 'GET', '/api/scripts')).map((s) => s.name);
      if (names.includes('healthy.ts') && names.includes('busy.ts')) break;
      if (tries > 100) throw new Error('the scripts did not load');
      await sleep(100);
    }
    const stream = await fills(server);
    const healthy = await api(server, 'POST', '/api/strategies', { name: 'healthy', script: 'healthy.ts' });
    await alerts(server, stream, healthy, 5); // warm up
    const alone = await alerts(server, stream, healthy, ALERTS);

    const busy = [];
    for (let i = 0; i < BUSY_STRATEGIES; i++) {
      busy.push(await api(server, 'POST', '/api/strategies', { name: `busy ${i}`, script: 'busy.ts' }));
    }
    await sleep(3000); // every busy strategy has ticked, and the slow ones have moved
    const ticks = async () => {
      let sum = 0;
      for (const b of busy) {
        const [last] = await api(server, 'GET', `/api/logs?strategyId=${b.id}&limit=1`);
        sum += Number(/tick (\d+)$/.exec(last?.message ?? '')?.[1] ?? 0);
      }
      return sum;
    };
    const ticksBefore = await ticks();
    const started = Date.now();
    const loaded = await alerts(server, stream, healthy, ALERTS);
    const seconds = (Date.now() - started) / 1000;
    const busyTicksPerSecond = ((await ticks()) - ticksBefore) / seconds;
    stream.close();
    const ratio = loaded.p50 / alone.p50;
    console.log(
      `[${mode}] healthy strategy webhook → FILL: alone p50 ${alone.p50.toFixed(1)} ms p90 ${alone.p90.toFixed(1)} ms; beside ${BUSY_STRATEGIES} strategies spending ${BUSY_MS} ms per onTick p50 ${loaded.p50.toFixed(1)} ms p90 ${loaded.p90.toFixed(1)} ms (${ratio.toFixed(2)}×; the busy ones handled ${busyTicksPerSecond.toFixed(1)} ticks/s)`,
    );
    return { mode, busyStrategies: BUSY_STRATEGIES, busyMs: BUSY_MS, alone, loaded, ratio, busyTicksPerSecond };
  } finally {
    await server.stop();
  }
}

const runs = [await run('in-process queue, SQLite', '')];
if (await redisReachable()) runs.push(await run('BullMQ, SQLite', REDIS_URL));
else console.log('Redis not reachable: BullMQ skipped');
report({ fairness: runs });
