// Webhook throughput and latency against the built server, in-process queue and (when Redis is
// reachable) BullMQ. Prints figures; asserts nothing. Run with `npm run bench`.
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/load-config.js';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const STRATEGIES = 4;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  p99 ${percentile(sorted, 99).toFixed(2)} ms  (n=${sorted.length})`;
};

async function redisReachable(url) {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function run(label, redisUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-bench-'));
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      dataDir,
      redis: { url: redisUrl },
      queue: { prefix: `tradeloop-bench-${process.pid}` },
      plugins: { disabled: ['sim-feed'] },
      strategies: { dir: join(dataDir, 'strategies') },
      log: { level: 'error' },
      auth: { adminUser: 'admin', adminPassword: 'bench-admin-password' },
      // The benchmark is the flood the limits exist for: lift them to measure the server itself.
      webhooks: { rateLimit: { perTokenPerMinute: 10_000_000, perIpPerMinute: 10_000_000 } },
    },
  });
  const app = await createApp(config, { logger: ['error'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address();
  const base = `http://127.0.0.1:${port}`;
  let authorization = '';
  const post = (path, body) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  authorization = `Bearer ${(await (await post('/api/auth/login', { username: 'admin', password: 'bench-admin-password' })).json()).token}`;

  const tokens = [];
  for (let i = 0; i < STRATEGIES; i++) tokens.push((await (await post('/api/strategies', { name: `bench ${i}` })).json()).webhookToken);
  const alert = (i) => ({ ticker: 'MNQ1!', action: i % 2 ? 'sell' : 'buy', quantity: 1, price: 25000 + (i % 8) * 0.25 });

  const sequential = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = performance.now();
    const response = await post(`/webhooks/${tokens[0]}`, alert(i));
    await response.arrayBuffer();
    sequential.push(performance.now() - start);
  }

  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CONCURRENT) {
        const i = next++;
        const response = await post(`/webhooks/${tokens[i % STRATEGIES]}`, alert(i));
        await response.arrayBuffer();
      }
    }),
  );
  const intakeSeconds = (performance.now() - startedAt) / 1000;

  // Wait for the engine to finish everything, then read webhook → fill from the database.
  const db = new Database(join(dataDir, 'tradeloop.sqlite'), { readonly: true });
  const total = SEQUENTIAL + CONCURRENT;
  const drainStart = performance.now();
  while (db.prepare(`SELECT COUNT(*) AS n FROM webhook_events WHERE status IN ('done','failed')`).get().n < total) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const allDone = (performance.now() - startedAt) / 1000;
  const toFill = db
    .prepare(
      `SELECT f.time - e.receivedAt AS ms FROM fills f JOIN orders o ON o.id = f.orderId JOIN webhook_events e ON e.id = o.eventId ORDER BY e.receivedAt LIMIT ?`,
    )
    .all(SEQUENTIAL)
    .map((r) => r.ms);
  const filled = db.prepare('SELECT COUNT(*) AS n FROM fills').get().n;
  db.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(`\n${label}`);
  console.log(`  webhook → 202, one at a time:            ${summary(sequential)}`);
  console.log(`  webhook → fill booked, one at a time:    ${summary(toFill)}  (ms resolution)`);
  console.log(`  intake, ${CONCURRENCY} concurrent clients:       ${(CONCURRENT / intakeSeconds).toFixed(0)} webhooks/s accepted`);
  console.log(
    `  end to end, ${STRATEGIES} strategies:            ${(CONCURRENT / allDone).toFixed(0)} webhooks/s filled (${filled} fills, drain ${((performance.now() - drainStart) / 1000).toFixed(1)} s)`,
  );
}

console.log(
  `Tradeloop webhook benchmark — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
await run('SQLite (WAL, synchronous=FULL), in-process queue', '');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
if (await redisReachable(redisUrl)) await run('SQLite (WAL, synchronous=FULL), BullMQ on local Redis', redisUrl);
else console.log(`\n(BullMQ skipped: no Redis at ${redisUrl})`);
