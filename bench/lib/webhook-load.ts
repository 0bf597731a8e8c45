// The load both webhook benchmarks put on a server (Tradeloop or the floor): keep-alive HTTP
// webhooks on a schedule or in a closed loop, and a /ws client that notes when each alert's
// `FILL` arrived. A target is `{ base, port, token }` (the floor takes no token).
import http from 'node:http';
import WebSocket from 'ws';
import { api, QUICK, sleep, stats } from './common.js';

/** Longest wait for the fills of a latency run once its sending is over. */
export const DRAIN_SECONDS = QUICK ? 10 : 30;

export interface Target {
  base: string;
  port: number;
  token: string;
}

let runId = 0;

/** POSTs one webhook on a keep-alive agent; resolves with the status and parsed body. */
export function postWebhook(agent, port, token, body): Promise<{ status: number; body: any }> {
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

/**
 * A /ws client that notes, per webhook event, when the first `FILL` of its order arrived. It asks
 * for `FILL` alone, as the floor's clients get: the floor's `FILL` names the event, Tradeloop's
 * carries the order's client id, which begins with it.
 */
export async function fillWatcher(server: Target) {
  const socket = new WebSocket(`${server.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${server.token}` } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'SUBSCRIBE', channels: ['FILL'] }));
  const filledAt = new Map();
  socket.on('message', (raw) => {
    const now = performance.now();
    const message = JSON.parse(raw.toString());
    if (message.type !== 'FILL') return;
    const eventId = message.data.eventId ?? message.data.clientOrderId?.split(':')[0];
    if (eventId && !filledAt.has(eventId)) filledAt.set(eventId, now);
  });
  return { filledAt, close: () => socket.terminate() };
}

export async function createStrategies(server, count) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push((await api(server, 'POST', '/api/strategies', { name: `bench ${runId}-${i}`, defaultQuantity: 1 })).webhookToken);
  }
  return tokens;
}

/** Alerts alternate buy/sell per strategy, so every webhook makes one order and one fill. */
export const alert = (run, i, perStrategy) => ({
  ticker: 'NQ1!',
  action: perStrategy % 2 ? 'sell' : 'buy',
  quantity: 1,
  price: 25000 + (i % 8) * 0.25,
  id: `bench-${run}-${i}`,
});

/** Open loop: webhook i is due at start + i / rate; latency runs from when it was due. */
export async function latencyRun(server: Target, watcher, tokens: string[], rate: number, seconds: number) {
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
export async function acceptanceRun(server: Target, watcher, tokens: string[], connections: number, seconds: number) {
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
  const end = performance.now();
  const elapsed = (end - start) / 1000;
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
    /** When the load ran, on this process's performance clock (the fills within it are counted). */
    window: { start, end },
  };
}

/** Fills seen within a window (performance clock), one per alert. */
export function fillsWithin(watcher: { filledAt: Map<string, number> }, window: { start: number; end: number }): number {
  let n = 0;
  for (const at of watcher.filledAt.values()) if (at >= window.start && at <= window.end) n++;
  return n;
}

/** Waits until no FILL has arrived for `quietMs` (at most DRAIN_SECONDS): an earlier run's backlog is not counted in the next. */
export async function fillsSettled(watcher: { filledAt: Map<string, number> }, quietMs = 500): Promise<void> {
  const deadline = performance.now() + DRAIN_SECONDS * 1000;
  let seen = -1;
  while (performance.now() < deadline && watcher.filledAt.size !== seen) {
    seen = watcher.filledAt.size;
    await sleep(quietMs);
  }
}
