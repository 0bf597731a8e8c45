// The floor: a hand-written server doing the durable work of one alert and nothing else, to hold
// Tradeloop against. Fastify, `ws`, and better-sqlite3 in WAL mode (or `pg`):
//
//   POST /webhooks/:token → the alert inserted, fsynced (group commit) → 202 { eventId }
//   then an order inserted, fsynced → a paper fill at the alert's price → the fill, the order's
//   status and the position written (one commit per batch) → `FILL` to every /ws client.
//
// With FLOOR_REDIS_URL the alert goes through BullMQ (added before the 202, taken by a worker in
// this process), as in Tradeloop's BullMQ mode. Started by bench/floor-bench.ts; prints
// `{"port":…}` when it listens.
//
//   FLOOR_DB=sqlite FLOOR_SQLITE_FILE=…   or   FLOOR_DB=postgres FLOOR_PG_URL=…
//   FLOOR_REDIS_URL=redis://… FLOOR_PREFIX=…   FLOOR_STRATEGIES=100 (tokens t0 … t99)
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { GroupCommit } from './group-commit.js';
import { PgStore } from './pg-store.js';
import { applyFill } from './position.js';
import { SqliteStore } from './sqlite-store.js';
import type { AlertRow, FillRow, FloorStore, OrderRow, PositionRow } from './store.js';

interface Alert {
  eventId: string;
  strategy: string;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  priceCents: number;
}

const env = process.env;
const strategies = new Map(Array.from({ length: Number(env.FLOOR_STRATEGIES ?? 100) }, (_, i) => [`t${i}`, `strategy-${i}`]));

const store: FloorStore =
  env.FLOOR_DB === 'postgres' ? await PgStore.open(env.FLOOR_PG_URL ?? '') : new SqliteStore(env.FLOOR_SQLITE_FILE ?? 'floor.sqlite');
const alerts = new GroupCommit<AlertRow>((rows) => store.insertAlerts(rows));
const orders = new GroupCommit<OrderRow>((rows) => store.insertOrders(rows));
const fills = new GroupCommit<FillRow>((rows) => store.bookFills(rows));
const positions = new Map<string, PositionRow>();

/** What a body must be: bounded, or a 400 naming the problem. */
function parse(body: unknown): Omit<Alert, 'eventId' | 'strategy'> | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const { ticker, action, quantity, price } = body as Record<string, unknown>;
  if (typeof ticker !== 'string' || ticker.length === 0 || ticker.length > 32) return 'ticker: 1 to 32 characters';
  if (action !== 'buy' && action !== 'sell') return 'action: "buy" or "sell"';
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 10_000)
    return 'quantity: a whole number from 1 to 10,000';
  if (typeof price !== 'number' || !(price > 0) || price > 1e9) return 'price: a number above 0';
  return { ticker, side: action, quantity, priceCents: Math.round(price * 100) };
}

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
const sockets = new WebSocketServer({ server: app.server, path: '/ws', perMessageDeflate: false });

/** Order (durable before it reaches the broker), paper fill, bookkeeping, then FILL to every client. */
async function trade(alert: Alert): Promise<void> {
  const order: OrderRow = {
    id: randomUUID(),
    alertId: alert.eventId,
    strategy: alert.strategy,
    ticker: alert.ticker,
    side: alert.side,
    quantity: alert.quantity,
    createdAt: Date.now(),
  };
  await orders.add(order);
  const key = `${alert.strategy}\u0000${alert.ticker}`;
  const before = positions.get(key) ?? { strategy: alert.strategy, ticker: alert.ticker, quantity: 0, costCents: 0, realizedCents: 0 };
  const position = applyFill(before, alert.side === 'buy' ? alert.quantity : -alert.quantity, alert.priceCents);
  positions.set(key, position);
  const fill: FillRow = {
    id: randomUUID(),
    orderId: order.id,
    priceCents: alert.priceCents,
    quantity: alert.quantity,
    at: Date.now(),
    position,
  };
  await fills.add(fill);
  const message = JSON.stringify({
    type: 'FILL',
    data: {
      eventId: alert.eventId,
      orderId: order.id,
      fillId: fill.id,
      ticker: alert.ticker,
      side: alert.side,
      quantity: alert.quantity,
      price: alert.priceCents / 100,
    },
  });
  for (const socket of sockets.clients) if (socket.readyState === WebSocket.OPEN) socket.send(message);
}

const failed = (error: unknown) => console.error(`floor: ${(error as Error).message}`);

let queue: Queue | null = null;
let worker: Worker | null = null;
if (env.FLOOR_REDIS_URL) {
  const url = new URL(env.FLOOR_REDIS_URL);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  const prefix = env.FLOOR_PREFIX ?? `floor-${process.pid}`;
  queue = new Queue('alerts', { connection, prefix });
  worker = new Worker('alerts', (job) => trade(job.data as Alert), { connection, prefix, concurrency: 64 });
  worker.on('failed', (_job, error) => failed(error));
}

app.post<{ Params: { token: string } }>('/webhooks/:token', async (request, reply) => {
  const strategy = strategies.get(request.params.token);
  if (!strategy) return reply.code(404).send({ error: 'no strategy has this webhook token' });
  const parsed = parse(request.body);
  if (typeof parsed === 'string') return reply.code(400).send({ error: parsed });
  const alert: Alert = { eventId: randomUUID(), strategy, ...parsed };
  await alerts.add({ id: alert.eventId, strategy, body: JSON.stringify(request.body), receivedAt: Date.now() });
  if (queue) await queue.add('alert', alert, { jobId: alert.eventId, removeOnComplete: true });
  else trade(alert).catch(failed);
  return reply.code(202).send({ accepted: true, eventId: alert.eventId });
});

await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));

process.once('SIGTERM', () => {
  void (async () => {
    for (const socket of sockets.clients) socket.terminate();
    await worker?.close();
    await queue?.close();
    await app.close();
    await store.close();
    process.exit(0);
  })();
});
