import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { connectWs } from '../../support/ws-client.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `relay-test-${process.pid}-`)]));

/** Two server processes' worth of apps on one Redis: what happens on one reaches clients of the other. */
describe('/ws across processes through Redis', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const shared = {
      redisUrl: REDIS_URL,
      overrides: { plugins: { disabled: ['sim-feed'] }, queue: { prefix: `relay-test-${process.pid}-${Date.now()}` } },
    };
    a = await startServer(shared);
    b = await startServer(shared);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('relays quotes into the other process’s cache and to its clients, exactly once', async () => {
    const client = await connectWs(b.url);
    try {
      client.send({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['GC1!'] });
      await client.next('SUBSCRIBED');
      a.app.get(MarketService).publish({ ticker: 'GC1!', bid: 4100.1, ask: 4100.2, time: Date.now() });
      const message = await client.next('DATA', (m) => m.data.ticker === 'GC1!');
      expect(message.data).toEqual({ ticker: 'GC1!', prices: { ask: 4100.2, bid: 4100.1 }, tickinfo: { step: 0.1, amnt: 10 } });
      expect(b.app.get(MarketService).latest('GC1!')).toEqual(expect.objectContaining({ bid: 4100.1, ask: 4100.2 }));
      await new Promise((r) => setTimeout(r, 200));
      expect(client.messages.filter((m) => m.type === 'DATA')).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('relays what happens on one process (a strategy created there) to clients of the other', async () => {
    const client = await connectWs(b.url);
    try {
      const created = (await http(a.url, 'POST', '/api/strategies', { name: 'made on A' })).body;
      const message = await client.next('STRATEGY', (m) => m.data.id === created.id);
      expect(message.data).toEqual(expect.objectContaining({ name: 'made on A', status: 'enabled' }));
    } finally {
      await client.close();
    }
  });
});

describe('ws-data-feed from another Tradeloop', () => {
  let source: TestServer;
  let consumer: TestServer | undefined;

  beforeAll(async () => {
    source = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
  });
  afterAll(async () => {
    await consumer?.close();
    await source?.close();
  });

  it('quotes a ticker from the source server with a read-only API token, ahead of the simulated feed', async () => {
    const token = (await http(source.url, 'POST', '/api/auth/tokens', { name: 'feed for a second server', scope: 'read' })).body.token;
    consumer = await startServer({
      overrides: { plugins: { settings: { 'ws-data-feed': { url: `${source.url.replace('http', 'ws')}/ws`, token, tickers: ['NQ1!'] } } } },
    });
    const health = (await http(consumer.url, 'GET', '/api/health')).body;
    expect(health.feeds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'ws-data-feed' }),
        expect.objectContaining({ name: 'sim-feed', connected: true }),
      ]),
    );
    await eventually(
      async () => (await http(consumer!.url, 'GET', '/api/market/feeds')).body.find((f: any) => f.name === 'ws-data-feed')?.connected,
      10000,
      'feed connection',
    );

    // A strategy on the consumer wants NQ: the ws feed (not the simulated one) takes the subscription.
    const market = consumer.app.get(MarketService);
    await market.watch('test', ['NQ1!']);
    expect(market.subscriptions()).toContain('NQ1!');
    const sourceMarket = source.app.get(MarketService);
    await eventually(
      async () => {
        sourceMarket.publish({ ticker: 'NQ1!', bid: 25111, ask: 25111.25, time: Date.now() });
        return market.latest('NQ1!')?.bid === 25111;
      },
      10000,
      'the quote to reach the consumer',
    );
    const feeds = (await http(consumer.url, 'GET', '/api/market/feeds')).body as any[];
    expect(feeds.find((f) => f.name === 'ws-data-feed')).toEqual(
      expect.objectContaining({ connected: true, reconnects: 0, error: null, lastQuoteAgeMs: expect.any(Number) }),
    );
  });
});
