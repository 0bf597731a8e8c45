import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { connectWs } from '../../support/ws-client.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `relay-test-${process.pid}-`)]));

/** Two server processes' worth of apps on one Redis: what happens on one reaches clients of the other. */
describe('/ws across processes through Redis', () => {
  let a: TestServer;
  let b: TestServer;
  const prefix = `relay-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    const shared = {
      redisUrl: REDIS_URL,
      overrides: { plugins: { disabled: ['sim-feed'] }, queue: { prefix } },
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

  it('relays a burst of one turn in one publish, in order, each message once', async () => {
    const client = await connectWs(b.url);
    // Connected before it subscribes: a SUBSCRIBE sent while ioredis was still connecting was
    // answered here but never took effect.
    const listener = new Redis(REDIS_URL, { lazyConnect: true });
    const published: string[] = [];
    try {
      client.send({ type: 'SUBSCRIBE', channels: ['LOG'] });
      await client.next('SUBSCRIBED');
      listener.on('message', (_channel: string, raw: string) => published.push(raw));
      await listener.connect();
      await listener.subscribe(`${prefix}:events`);
      // The listener hears the channel before the burst: a probe of its own has come back.
      const probe = new Redis(REDIS_URL);
      await eventually(async () => (await probe.publish(`${prefix}:events`, 'probe')) && published.includes('probe'), 5000, 'the probe');
      await probe.quit();
      const bus = a.app.get(EventBus);
      const line = (i: number) => ({
        id: i,
        time: Date.now(),
        level: 'info' as const,
        category: 'test',
        strategyId: null,
        message: `burst ${i}`,
      });
      for (let i = 0; i < 40; i++) bus.publish('LOG', line(i));
      const burst = () => client.messages.flatMap((m) => (m.type === 'LOG' && m.data.message.startsWith('burst ') ? [m.data.message] : []));
      await eventually(async () => burst().length >= 40, 10_000, 'the burst on the other process');
      await new Promise((r) => setTimeout(r, 200));
      expect(burst()).toEqual(Array.from({ length: 40 }, (_, i) => `burst ${i}`));
      const withBurst = published.filter((raw) => raw.includes('"burst 0"'));
      expect(withBurst).toHaveLength(1);
      expect((JSON.parse(withBurst[0]) as { batch: unknown[] }).batch).toHaveLength(40);
    } finally {
      await listener.quit();
      await client.close();
    }
  });

  it('still reads the single-message envelope earlier versions publish, and passes over anything else', async () => {
    const client = await connectWs(b.url);
    const publisher = new Redis(REDIS_URL);
    try {
      client.send({ type: 'SUBSCRIBE', channels: ['LOG'] });
      await client.next('SUBSCRIBED');
      const message = {
        type: 'LOG',
        data: { id: 1, time: Date.now(), level: 'warn', category: 'test', strategyId: null, message: 'from an older process' },
      };
      // Whatever else is on the channel is passed over, and the process goes on.
      for (const junk of ['5', 'null', '"text"', '{"batch":7}', '{"origin":"x","batch":[null,3,"a"]}'])
        await publisher.publish(`${prefix}:events`, junk);
      await publisher.publish(`${prefix}:events`, JSON.stringify({ origin: 'an-older-process', message }));
      const received = await client.next('LOG', (m) => m.data.message === 'from an older process');
      expect(received.data).toEqual(message.data);
    } finally {
      await publisher.quit();
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
