// What execution analytics costs, against the built server, in this process. Run through
// `npm run bench`, or alone: `npm run build:bench && node --no-node-snapshot bench/dist/analytics-bench.js` (BENCH_QUICK=1 for short runs).
//
// 1. The hot path's share: the five stamps one alert's order takes (handled, sent, acknowledged,
//    filled, pushed: Map writes, no I/O), per order, with the collector holding a second's worth.
// 2. A quote into the excursion tracker (the open positions' one-second high/low buckets).
// 3. Off the hot path: one grouped write of a second's finished timelines (1,000 and 10,000 orders)
//    to SQLite in one shared commit, by the recorder a running server uses.
// 4. A closed trade's entry bracket (its excursion's stop), looked up as the recorder does, with
//    100,000 fills on one account (20,000 quick) and half of their orders with a bracket: a lookup
//    that read every fill of the account took milliseconds here, once a closed trade.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '#server/app.factory.js';
import { AnalyticsRecorder, entryBracket } from '#server/analytics/analytics-recorder.service.js';
import { ExcursionTracker } from '#server/analytics/excursion-tracker.js';
import { ExecutionStamps } from '#server/analytics/execution-stamps.js';
import { loadConfig } from '#server/config/load-config.js';
import { DatabaseService } from '#server/database/database.service.js';
import { Statements } from '#server/database/statements.js';
import { QUICK, report, stats } from './lib/common.js';

const ORDERS = QUICK ? 50_000 : 200_000;
const QUOTES = QUICK ? 200_000 : 1_000_000;
const ROUNDS = QUICK ? 3 : 10;
const HISTORY_FILLS = QUICK ? 20_000 : 100_000;
const LOOKUPS = 200;

const now = () => performance.now();

function stampCost() {
  const stamps = new ExecutionStamps();
  const ids = Array.from({ length: ORDERS }, () => randomUUID());
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = now();
    for (let i = 0; i < ORDERS; i++) {
      const id = ids[i];
      const t = Date.now();
      stamps.alertHandled(id, { strategyId: 's', signalAt: t - 900, receivedAt: t - 2, acceptedAt: t - 1, handledAt: t });
      stamps.orderSent({ id, eventId: id, strategyId: 's', accountId: 'a', ticker: 'NQ1!', side: 'buy', signalPrice: 25000 });
      stamps.orderAcknowledged(id);
      stamps.orderFilled({ orderId: id, accountId: 'a', strategyId: 's', ticker: 'NQ1!', side: 'buy' });
      stamps.fillPushed(id);
      // The recorder takes finished timelines once a second: here every 1,000 orders.
      if (i % 1000 === 999) stamps.take();
    }
    stamps.take();
    rounds.push(((now() - start) * 1e6) / ORDERS);
  }
  return stats(rounds);
}

/** The floor, in the same run: one Map.set of a small object per order and four Map.gets (what the stamps cannot do without). */
function floorCost() {
  const ids = Array.from({ length: ORDERS }, () => randomUUID());
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const map = new Map();
    const start = now();
    for (let i = 0; i < ORDERS; i++) {
      const id = ids[i];
      map.set(id, { id, t: Date.now(), a: null, b: null });
      map.get(id).a = Date.now();
      map.get(id).b = Date.now();
      map.get(id).t = Date.now();
      map.get(id);
      if (i % 1000 === 999) map.clear();
    }
    rounds.push(((now() - start) * 1e6) / ORDERS);
  }
  return stats(rounds);
}

function quoteCost() {
  const tracker = new ExcursionTracker();
  tracker.position('a|s|NQ1!', 'NQ1!', 1, Date.now());
  const rounds = [];
  const t0 = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const start = now();
    for (let i = 0; i < QUOTES; i++) {
      const bid = 25000 + ((i * 7) % 40) * 0.25;
      // 20 quotes a second of market time.
      tracker.quote({ ticker: 'NQ1!', bid, ask: bid + 0.25, time: t0 + round * QUOTES * 50 + i * 50 });
    }
    rounds.push(((now() - start) * 1e6) / QUOTES);
  }
  return stats(rounds);
}

async function groupedWrite() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-analytics-bench-'));
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      dataDir,
      plugins: { disabled: ['sim-feed'] },
      pnl: { recorder: false },
      log: { level: 'error' },
      auth: { adminUser: 'admin', adminPassword: 'bench-admin-password' },
    },
  });
  const app = await createApp(config, { logger: ['error'] });
  await app.init();
  const stamps = app.get(ExecutionStamps);
  const recorder = app.get(AnalyticsRecorder);
  const out = [];
  let bracketUs;
  try {
    for (const size of [1000, 10000]) {
      const runs = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < size; i++) {
          const id = randomUUID();
          stamps.alertHandled(id, {
            strategyId: 's',
            signalAt: null,
            receivedAt: Date.now(),
            acceptedAt: Date.now(),
            handledAt: Date.now(),
          });
          stamps.orderSent({ id, eventId: id, strategyId: 's', accountId: 'a', ticker: 'NQ1!', side: 'buy', signalPrice: 25000 });
          stamps.orderFilled({ orderId: id, accountId: 'a', strategyId: 's', ticker: 'NQ1!', side: 'buy' });
          stamps.fillPushed(id);
        }
        const start = now();
        await recorder.flush();
        runs.push(now() - start);
      }
      out.push({ orders: size, writeMs: stats(runs) });
    }
    bracketUs = await bracketLookup(app.get(DatabaseService), app.get(Statements));
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { writes: out, bracketUs };
}

/** A day of one account's history (orders, their fills, half of them bracketed), then LOOKUPS entry brackets found. */
async function bracketLookup(database: DatabaseService, statements: Statements) {
  const strategies = 100;
  await database.transaction(async (m) => {
    for (let i = 0; i < HISTORY_FILLS; i++) {
      const strategyId = `s${i % strategies}`;
      await statements.run(
        m,
        `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "accountId", "ticker", "side", "quantity", "type", "status", "createdAt", "updatedAt") ` +
          `VALUES (?, ?, ?, 'acc', 'NQ1!', 'buy', 1, 'market', 'filled', ?, ?)`,
        [`o${i}`, `c${i}`, strategyId, i, i],
      );
      await statements.run(
        m,
        `INSERT INTO "fills" ("id", "brokerFillId", "orderId", "strategyId", "accountId", "ticker", "side", "quantity", "price", "time") ` +
          `VALUES (?, ?, ?, ?, 'acc', 'NQ1!', 'buy', 1, ?, ?)`,
        [`f${i}`, `bf${i}`, `o${i}`, strategyId, 25000 + (i % 40) * 0.25, 1_000_000 + i],
      );
      if (i % 2 === 0)
        await statements.run(
          m,
          `INSERT INTO "order_brackets" ("parentClientOrderId", "strategyId", "stopLossPrice", "status", "createdAt", "updatedAt") VALUES (?, ?, 24990, 'done', 0, 0)`,
          [`c${i}`, strategyId],
        );
    }
  });
  const runs = [];
  for (let n = 0; n < LOOKUPS; n++) {
    const i = Math.floor((n * HISTORY_FILLS) / LOOKUPS);
    const trade = {
      strategyId: `s${i % strategies}`,
      entryTime: 1_000_000 + i,
      accountId: 'acc',
      ticker: 'NQ1!',
      entryPrice: 25000 + (i % 40) * 0.25,
    };
    const start = now();
    const rows = await statements.all(undefined, ...entryBracket(trade));
    runs.push((now() - start) * 1000);
    if (rows.length !== (i % 2 === 0 ? 1 : 0)) throw new Error(`trade ${i}: ${rows.length} bracket(s) found`);
  }
  return stats(runs);
}

const floorNs = floorCost();
const stampNs = stampCost();
console.log(`floor per order (1 Map.set + 4 Map.get): p50 ${floorNs.p50.toFixed(0)} ns`);
console.log(
  `stamps per order (5 stamps + its share of take): p50 ${stampNs.p50.toFixed(0)} ns, max ${stampNs.max.toFixed(0)} ns (${(stampNs.p50 / floorNs.p50).toFixed(1)} × the floor)`,
);
const quoteNs = quoteCost();
console.log(`a quote into the excursion tracker: p50 ${quoteNs.p50.toFixed(0)} ns, max ${quoteNs.max.toFixed(0)} ns`);
const { writes, bracketUs } = await groupedWrite();
for (const w of writes)
  console.log(
    `grouped write of ${w.orders} timelines (SQLite, one shared commit): p50 ${w.writeMs.p50.toFixed(1)} ms, max ${w.writeMs.max.toFixed(1)} ms`,
  );
console.log(
  `a closed trade's entry bracket, ${HISTORY_FILLS.toLocaleString('en')} fills on the account: p50 ${bracketUs.p50.toFixed(1)} µs, max ${bracketUs.max.toFixed(1)} µs`,
);
report({ analytics: { floorNsPerOrder: floorNs, stampNsPerOrder: stampNs, quoteNs, writes, bracketUs, historyFills: HISTORY_FILLS } });
