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
import http from 'node:http';
import WebSocket from 'ws';
import { api, fmtMs, QUICK, REDIS_URL, redisReachable, report, sleep, startServerProcess, stats } from './lib/common.js';

const RATES = (process.env.BENCH_RATES ?? '10,100,1000').split(',').filter(Boolean).map(Number);
const STRATEGY_COUNTS = (process.env.BENCH_STRATEGY_COUNTS ?? '1,100').split(',').filter(Boolean).map(Number);
/** Seconds of sending per rate: enough samples for a p99 at each rate. */
const SECONDS = { 10: QUICK ? 3 : 10, 100: QUICK ? 3 : 10, 1000: QUICK ? 2 : 3 };
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 128);
const ACCEPT_SECONDS = Number(process.env.BENCH_ACCEPT_SECONDS ?? (QUICK ? 3 : 10));
const ACCEPT_STRATEGIES = 100;
/** Longest wait for the fills of a latency run once its sending is over. */
const DRAIN_SECONDS = QUICK ? 10 : 30;
/** Which parts run (BENCH_WEBHOOK_PARTS=acceptance to profile only that). */
const PARTS = new Set((process.env.BENCH_WEBHOOK_PARTS ?? 'latency,acceptance').split(','));

let runId = 0;

/** POSTs one webhook on a keep-alive agent; resolves with the status and parsed body. */
function postWebhook(agent, port, token, body): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/webhooks/${token}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let parsed;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
          resolve({ status: response.statusCode, body: parsed });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A /ws client that notes, per webhook event, when the first `FILL` of its order arrived. */
async function fillWatcher(server) {
  const socket = new WebSocket(`${server.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${server.token}` } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'SUBSCRIBE', channels: ['ORDER', 'FILL'] }));
  const eventOfOrder = new Map();
  const filledAt = new Map();
  socket.on('message', (raw) => {
    const now = performance.now();
    const message = JSON.parse(raw.toString());
    if (message.type === 'ORDER') {
      if (!eventOfOrder.has(message.data.id)) eventOfOrder.set(message.data.id, message.data.clientOrderId.split(':')[0]);
    } else if (message.type === 'FILL') {
      const eventId = eventOfOrder.get(message.data.orderId);
      if (eventId && !filledAt.has(eventId)) filledAt.set(eventId, now);
    }
  });
  return { filledAt, close: () => socket.terminate() };
}

async function createStrategies(server, count) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push((await api(server, 'POST', '/api/strategies', { name: `bench ${runId}-${i}`, defaultQuantity: 1 })).webhookToken);
  }
  return tokens;
}

/** Alerts alternate buy/sell per strategy, so every webhook makes one order and one fill. */
const alert = (run, i, perStrategy) => ({
  ticker: 'NQ1!',
  action: perStrategy % 2 ? 'sell' : 'buy',
  quantity: 1,
  price: 25000 + (i % 8) * 0.25,
  id: `bench-${run}-${i}`,
});

/** Open loop: webhook i is due at start + i / rate; latency runs from when it was due. */
async function latencyRun(server, watcher, tokens, rate, seconds) {
  const run = ++runId;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const due = new Float64Array(total);
  const acceptedAt = new Float64Array(total);
  const eventIds = new Array(total);
  const counts = new Array(tokens.length).fill(0);
  let errors = 0;
  let sent = 0;
  const inFlight = [];
  const start = performance.now() + 20;
  let behind = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / rate <= now) {
      const i = sent++;
      due[i] = start + (i * 1000) / rate;
      behind = Math.max(behind, now - due[i]);
      const strategy = i % tokens.length;
      const body = alert(run, i, counts[strategy]++);
      inFlight.push(
        postWebhook(agent, server.port, tokens[strategy], body).then(
          (response) => {
            acceptedAt[i] = performance.now();
            if (response.status === 202) eventIds[i] = response.body.eventId;
            else errors++;
          },
          () => errors++,
        ),
      );
    }
    const next = start + (sent * 1000) / rate;
    await sleep(Math.max(0, Math.min(next - performance.now(), 5)));
  }
  await Promise.all(inFlight);
  const drainDeadline = performance.now() + DRAIN_SECONDS * 1000;
  const accepted = eventIds.filter(Boolean);
  while (accepted.some((id) => !watcher.filledAt.has(id)) && performance.now() < drainDeadline) await sleep(20);
  agent.destroy();
  const toFill = [];
  const to202 = [];
  for (let i = 0; i < total; i++) {
    if (!eventIds[i]) continue;
    to202.push(acceptedAt[i] - due[i]);
    const filled = watcher.filledAt.get(eventIds[i]);
    if (filled !== undefined) toFill.push(filled - due[i]);
  }
  return {
    rate,
    strategies: tokens.length,
    seconds,
    sent: total,
    accepted: accepted.length,
    errors,
    filled: toFill.length,
    missingFills: accepted.length - toFill.length,
    clientBehindMs: Math.round(behind * 100) / 100,
    webhookToFill: stats(toFill),
    webhookTo202: stats(to202),
  };
}

/** Closed loop: CONNECTIONS keep-alive connections, each sending its next webhook when the last is answered. */
async function acceptanceRun(server, watcher, tokens, connections, seconds) {
  const run = ++runId;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const statuses = {};
  const counts = new Array(tokens.length).fill(0);
  let next = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const eventIds = [];
  const clientCpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const strategy = i % tokens.length;
        const body = alert(run, i, counts[strategy]++);
        const sentAt = performance.now();
        try {
          const response = await postWebhook(agent, server.port, tokens[strategy], body);
          latencies.push(performance.now() - sentAt);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          if (response.status === 202) eventIds.push(response.body.eventId);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const clientUsed = process.cpuUsage(clientCpu);
  agent.destroy();
  // How long the engine takes to fill what was accepted (bounded: the figure is the intake's).
  const drainDeadline = performance.now() + DRAIN_SECONDS * 1000;
  while (performance.now() < drainDeadline && eventIds.some((id) => !watcher.filledAt.has(id))) await sleep(100);
  const filled = eventIds.filter((id) => watcher.filledAt.has(id)).length;
  const filledSeconds = (performance.now() - start) / 1000;
  return {
    connections,
    strategies: tokens.length,
    seconds: Math.round(elapsed * 100) / 100,
    accepted: statuses[202] ?? 0,
    statuses,
    errors,
    acceptedPerSecond: Math.round((statuses[202] ?? 0) / elapsed),
    /** The load generator's own CPU over the run (100 = one core): near 100, it is the limit. */
    clientCpuPercent: Math.round(((clientUsed.user + clientUsed.system) / 1e6 / elapsed) * 100),
    latency: stats(latencies),
    filled,
    filledPerSecond: Math.round(filled / filledSeconds),
    allFilled: filled === eventIds.length,
  };
}

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
