// /ws fan-out against the built server in its own process. This process is the data source: a
// WebSocket speaking DATA that the server's ws-data-feed plugin connects to. A child process holds
// CLIENTS /ws clients (DATA and PNL of NQ1!) plus one that stops reading its socket. The server
// holds an open NQ1! position, so every quote also moves P&L (PNL at most every 250 ms per scope).
//
// Delivery delay of DATA: from the source sending the quote to a client receiving it (the quote's
// bid carries its sequence number; the processes share the machine's clock). Of PNL: from the
// live stream's push time (its `time`, whole ms) to receipt; the recorder's once-a-second PNL are
// counted as messages but carry the second they record, so they are left out of the delay.
//
// Run through `npm run bench`, or alone: `npm run build:bench && node --no-node-snapshot bench/dist/ws-bench.js`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { api, freePort, QUICK, REDIS_URL, redisReachable, report, sleep, startServerProcess, stats, wallNow } from './lib/common.js';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 100);
const RATES = (process.env.BENCH_WS_RATES ?? '10,100').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.BENCH_WS_SECONDS ?? (QUICK ? 4 : 10));
const BASE_BID = 20000;
let nextSeq = 0;

async function source() {
  const port = await freePort();
  const server = new WebSocketServer({ port, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const subscriptions = [];
  server.on('connection', (socket) => socket.on('message', (data) => subscriptions.push(JSON.parse(data.toString()))));
  return { server, subscriptions, url: `ws://127.0.0.1:${port}` };
}

function clientProcess(server, clients, stalled) {
  const url = `${server.base.replace('http', 'ws')}/ws`;
  const child = fork(
    fileURLToPath(new URL('./lib/ws-clients.js', import.meta.url)),
    [JSON.stringify({ url, token: server.token, clients, stalled })],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const waiting = new Map();
  child.on('message', (message: any) => {
    waiting.get(message.type)?.(message);
    waiting.delete(message.type);
  });
  const next = (type) => new Promise((resolve) => waiting.set(type, resolve));
  return { child, next, send: (m) => child.send(m) };
}

async function fanOut(server, feed, clients, rate, seconds) {
  const sentAt = new Map();
  // Wait until the server's feed asked for NQ1! (a client watches it, and a position is open).
  const deadline = Date.now() + 10_000;
  while (!feed.subscriptions.some((s) => s.tickers?.includes('NQ1!'))) {
    if (Date.now() > deadline) throw new Error(`the server's ws-data-feed never subscribed NQ1!: ${JSON.stringify(feed.subscriptions)}`);
    await sleep(20);
  }
  const started = clients.next('started');
  clients.send('start');
  await started;
  // Sequence numbers (in the bid) continue from the previous run, so no quote is mistaken for an older one.
  const first = nextSeq;
  let seq = 0;
  const total = Math.round(rate * seconds);
  nextSeq += total;
  const begin = performance.now() + 10;
  while (seq < total) {
    const now = performance.now();
    while (seq < total && begin + (seq * 1000) / rate <= now) {
      const bid = BASE_BID + (first + seq) * 0.25;
      const text = JSON.stringify({
        type: 'DATA',
        data: { ticker: 'NQ1!', prices: { bid, ask: bid + 0.25 }, tickinfo: { step: 0.25, amnt: 5 } },
      });
      sentAt.set(bid, wallNow());
      for (const socket of feed.server.clients) socket.send(text);
      seq++;
    }
    await sleep(Math.max(0, Math.min(begin + (seq * 1000) / rate - performance.now(), 5)));
  }
  await sleep(500); // the last quotes and the P&L push after them
  const resultMessage = clients.next('result');
  clients.send('stop');
  const { clients: received, stalled } = await resultMessage;
  const dataDelays = [];
  const pnlDelays = [];
  let messages = 0;
  let missing = 0;
  let closed = 0;
  for (const c of received) {
    if (c.closed) closed++;
    for (let i = 0; i < c.data.length; i += 2) {
      const sent = sentAt.get(c.data[i]);
      if (sent !== undefined) dataDelays.push(c.data[i + 1] - sent);
    }
    for (let i = 0; i < c.pnl.length; i += 2) pnlDelays.push(c.pnl[i + 1] - c.pnl[i]);
    messages += c.data.length / 2 + c.pnl.length / 2 + c.other;
    missing += Math.max(0, total - c.data.length / 2);
  }
  const elapsed = seconds + 0.5;
  return {
    clients: received.length,
    quotesPerSecond: rate,
    seconds,
    messagesPerSecond: Math.round(messages / elapsed),
    perClientPerSecond: Math.round((messages / elapsed / received.length) * 10) / 10,
    quotesMissing: missing,
    clientsClosed: closed,
    dataDelay: stats(dataDelays),
    pnlDelay: stats(pnlDelays),
    stalledClient: stalled[0] ?? null,
  };
}

async function runMode(mode, redisUrl) {
  const feed = await source();
  const server = await startServerProcess({
    redisUrl,
    label: `server (${mode})`,
    config: {
      plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': { url: feed.url, tickers: ['NQ1!'] } } },
      // Every bench client signs in with the admin's one token: lift the per-token connection limit.
      realtime: { maxConnectionsPerToken: CLIENTS + 10 },
    },
  });
  const results = [];
  let clients;
  try {
    // An open position in NQ1!, so quotes move P&L too.
    const strategy = await api(server, 'POST', '/api/strategies', { name: 'ws bench', defaultQuantity: 1 });
    const response = await fetch(`${server.base}/webhooks/${strategy.webhookToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticker: 'NQ1!', action: 'buy', quantity: 1, price: BASE_BID }),
    });
    if (response.status !== 202) throw new Error(`opening a position: ${response.status} ${await response.text()}`);
    clients = clientProcess(server, CLIENTS, 1);
    await clients.next('ready');
    for (const rate of RATES) {
      const r = await fanOut(server, feed, clients, rate, SECONDS);
      results.push({ mode, ...r });
      const s = r.stalledClient;
      console.log(
        `${mode}: ${r.clients} clients, ${rate} quotes/s: ${r.messagesPerSecond.toLocaleString('en')} messages/s delivered (${r.perClientPerSecond}/s per client); ` +
          `DATA delay p50 ${r.dataDelay.p50?.toFixed(2)} ms p99 ${r.dataDelay.p99?.toFixed(2)} ms max ${r.dataDelay.max?.toFixed(2)} ms; ` +
          `PNL delay p99 ${r.pnlDelay.p99?.toFixed(1)} ms; ${r.quotesMissing} quotes missing; stalled client: ${s ? `${s.received} messages read, ${s.closed ? `disconnected (${s.closeCode})` : 'still connected'}` : 'none'}`,
      );
    }
  } finally {
    clients?.send('exit');
    await server.stop();
    await new Promise((r) => feed.server.close(r));
  }
  return results;
}

const results = await runMode('in-process queue', '');
if (await redisReachable(REDIS_URL)) results.push(...(await runMode('BullMQ (local Redis)', REDIS_URL)));
report({ ws: results });
