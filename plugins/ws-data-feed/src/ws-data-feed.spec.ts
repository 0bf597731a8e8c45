import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataFeedContext, FeedStatusReport, Quote } from '@tradeloop/contracts';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import wsDataFeed, { readSettings, type WsDataFeed } from './index.js';

/** A DATA source on a free local port that records what clients send it. */
async function source() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const received: unknown[] = [];
  const headers: (string | undefined)[] = [];
  const sockets: WebSocket[] = [];
  server.on('connection', (socket, request) => {
    sockets.push(socket);
    headers.push(request.headers.authorization);
    socket.on('message', (data) => received.push(JSON.parse(data.toString())));
  });
  const send = (ticker: string, bid: number, ask: number) => {
    const text = JSON.stringify({ type: 'DATA', data: { ticker, prices: { ask, bid }, tickinfo: { step: 0.25, amnt: 5 } } });
    for (const socket of server.clients) socket.send(text);
  };
  return { server, received, headers, sockets, send, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function harness(config: Record<string, unknown>) {
  const quotes: Quote[] = [];
  const statuses: FeedStatusReport[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const context: DataFeedContext = {
    config,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: () => ({ root: 'NQ', description: 'NQ', kind: 'future', tickSize: 0.25, tickValue: 5 }),
    publish: (quote) => quotes.push(quote),
    reportStatus: (status) => statuses.push(status),
  };
  return { feed: wsDataFeed.create(context) as WsDataFeed, quotes, statuses, logs };
}

const until = async (check: () => boolean, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ws-data-feed', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('stays idle, says so, and quotes nothing without a url', async () => {
    const { feed, statuses } = harness({});
    await feed.start();
    expect(statuses).toEqual([{ connected: false, error: 'idle: no url configured' }]);
    expect(feed.supports('NQ1!')).toBe(false);
  });

  it('refuses a url that is not ws:// or wss:// with a warning', () => {
    const warnings: string[] = [];
    expect(readSettings({ url: 'http://example.com' }, (m) => warnings.push(m)).url).toBe('');
    expect(warnings[0]).toMatch(/url must start with ws:\/\/ or wss:\/\//);
  });

  it('subscribes what it is asked for, with its token, and publishes only those quotes', async () => {
    const src = await source();
    const { feed, quotes, statuses } = harness({ url: src.url, token: 'tl_read_token' });
    cleanups.push(
      () => feed.stop(),
      () => new Promise<void>((r) => src.server.close(() => r())),
    );
    await feed.start();
    await until(() => statuses.some((s) => s.connected), 'connection');
    await feed.subscribe(['NQ1!']);
    await until(() => src.received.length >= 2, 'subscription');
    expect(src.headers).toEqual(['Bearer tl_read_token']);
    // On connect it narrows the source to nothing, then asks for what it needs.
    expect(src.received).toEqual([
      { type: 'SUBSCRIBE', channels: ['DATA'], tickers: [] },
      { type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['NQ1!'] },
    ]);

    src.send('ES1!', 6800, 6800.25); // not asked for: dropped
    for (const socket of src.sockets) socket.send('not json');
    for (const socket of src.sockets) socket.send(JSON.stringify({ type: 'DATA', data: { ticker: 'NQ1!', prices: { ask: 'x', bid: 1 } } }));
    src.send('NQ1!', 25000, 25000.25);
    await until(() => quotes.length >= 1, 'quote');
    expect(quotes).toEqual([{ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: expect.any(Number) }]);

    await feed.unsubscribe(['NQ1!']);
    await until(() => src.received.length >= 3, 'unsubscribe');
    expect(src.received.at(-1)).toEqual({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: [] });
  });

  it('reconnects with backoff after the source drops it, resubscribes, and counts the reconnect', async () => {
    const src = await source();
    const { feed, quotes, statuses } = harness({ url: src.url, reconnectMinMs: 50, reconnectMaxMs: 200 });
    cleanups.push(
      () => feed.stop(),
      () => new Promise<void>((r) => src.server.close(() => r())),
    );
    await feed.subscribe(['NQ1!']);
    await feed.start();
    await until(() => src.received.length >= 1, 'first subscription');

    for (const socket of src.sockets) socket.terminate();
    await until(() => statuses.some((s) => !s.connected), 'disconnect report');
    await until(() => src.received.length >= 2, 'resubscription after reconnect');
    expect(src.received).toEqual([
      { type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['NQ1!'] },
      { type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['NQ1!'] },
    ]);
    expect(statuses.at(-1)).toEqual({ connected: true, error: null, reconnects: 1 });
    src.send('NQ1!', 25001, 25001.25);
    await until(() => quotes.length === 1, 'quote after reconnect');
  });

  it('keeps retrying while the source is down, backing off, and connects once it is up', async () => {
    const src = await source();
    const url = src.url;
    await new Promise<void>((r) => src.server.close(() => r()));
    const { feed, statuses, logs } = harness({ url, reconnectMinMs: 20, reconnectMaxMs: 80 });
    cleanups.push(() => feed.stop());
    await feed.start();
    await until(() => statuses.filter((s) => !s.connected).length >= 3, 'several failed attempts');
    expect(statuses.every((s) => !s.connected && typeof s.error === 'string')).toBe(true);
    expect(logs.filter((l) => /reconnecting in \d+ ms/.test(l)).length).toBeGreaterThanOrEqual(3);

    const port = Number(new URL(url).port);
    const again = new WebSocketServer({ port, host: '127.0.0.1' });
    cleanups.push(() => new Promise<void>((r) => again.close(() => r())));
    await until(() => statuses.at(-1)?.connected === true, 'connection once the source is back');
  });
});
