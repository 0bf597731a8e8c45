import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { RealtimeGateway } from '../../../apps/server/src/realtime/realtime.gateway.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

const invented = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Sends a message and waits for its answer: SUBSCRIBED, or ERROR. */
async function answer(client: WsClient, message: unknown) {
  const before = client.messages.length;
  client.send(message);
  const reply = await Promise.race([
    client.next('SUBSCRIBED', (m) => client.messages.indexOf(m) >= before),
    client.next('ERROR', (m) => client.messages.indexOf(m) >= before),
  ]);
  return reply;
}

/**
 * A read token in the hands of a dashboard, or of someone probing the server: what it may keep
 * quoted is bounded per message, per token and in connections, under a burst from many sockets at
 * once; what it watches does not reach the other clients; and quotes nobody watches are forgotten.
 */
describe('/ws limits', () => {
  let server: TestServer;
  let readToken: string;
  const clients: WsClient[] = [];
  const open = async (token: string) => {
    const client = await connectWs(server.url, { token });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        // Every ticker asked for is quoted 20 times a second by the simulated feed.
        market: { unsubscribeAfterSeconds: 1, forgetQuotesAfterSeconds: 2, maxQuotes: 300 },
      },
    });
    readToken = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'dashboard', scope: 'read' })).body.token;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
  });

  it('refuses a 60,000-character ticker, markup and an oversized list by name, and watches nothing of them', async () => {
    const client = await open(readToken);
    const long = await answer(client, { type: 'WATCH', tickers: ['A'.repeat(60_000)] });
    expect(long).toEqual({ type: 'ERROR', data: { message: expect.stringMatching(/ticker is 60000 characters long; at most 64/) } });
    const markup = await answer(client, { type: 'SUBSCRIBE', tickers: ['NQ1!', '<script>alert(1)</script>'] });
    expect(markup.data).toEqual({ message: expect.stringMatching(/is not a symbol/) });
    const many = await answer(client, { type: 'WATCH', tickers: invented('LIST', 51) });
    expect(many.data).toEqual({ message: 'tickers: at most 50 in one message, got 51' });
    expect(server.app.get(RealtimeGateway).clientTickers).toBe(0);
    await client.close();
  });

  it('holds one token to 100 tickers over all its sockets, under a burst of WATCH from 15 of them at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 15 }, () => open(readToken)));
    const replies = await Promise.all(sockets.map((s, i) => answer(s, { type: 'WATCH', tickers: invented(`BURST${i}X`, 50) })));
    const accepted = replies.filter((r) => r.type === 'SUBSCRIBED');
    const refused = replies.filter((r) => r.type === 'ERROR');
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(13);
    expect(refused[0].data).toEqual({ message: expect.stringMatching(/this token would keep 150 tickers .* at most 100/) });
    const gateway = server.app.get(RealtimeGateway);
    expect(gateway.clientTickers).toBe(100);

    // Swapping watches does not get past it either: what was let go stays quoted a while, and counts.
    const swapping = sockets.indexOf(sockets.find((_, i) => replies[i].type === 'SUBSCRIBED')!);
    const swap = await answer(sockets[swapping], { type: 'WATCH', tickers: invented('SWAP', 50) });
    expect(swap.data).toEqual({ message: expect.stringMatching(/would keep 150 tickers .*let go in the last 1 s/) });
    await Promise.all(sockets.map((s) => s.close()));
    await eventually(async () => gateway.clientTickers === 0, 5000, 'the watches to end');
  });

  it('limits connections per token: of 30 upgrades at once, 20 open and 10 are refused with 429', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, () => connectWs(server.url, { token: readToken })));
    const opened = attempts.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<WsClient>).value);
    clients.push(...opened);
    expect(opened).toHaveLength(20);
    const refused = attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.map((r) => (r.reason as { status: number }).status)).toEqual(Array(10).fill(429));
    // The admin's own session is another token: it still gets in.
    const admin = await open(server.token);
    expect(admin.socket.readyState).toBe(admin.socket.OPEN);
    await Promise.all([...opened, admin].map((c) => c.close()));
  });

  it('keeps what one token watches to its own sockets: another client gets none of it, and /api/health stays quick', async () => {
    const admin = await open(server.token);
    const flooders = await Promise.all(Array.from({ length: 15 }, () => open(readToken)));
    // The flood: every socket asks for new tickers as fast as it may (20 messages a second), for 3 s.
    const seenBy = new Set<string>();
    const started = Date.now();
    const health: number[] = [];
    let round = 0;
    while (Date.now() - started < 3000) {
      round++;
      flooders.forEach((s, i) => s.send({ type: 'WATCH', tickers: invented(`FLOOD${i}R${round}X`, 50) }));
      const t0 = performance.now();
      expect((await http(server.url, 'GET', '/api/health', undefined, { token: null })).status).toBe(200);
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const s of flooders) for (const m of s.messages) if (m.type === 'DATA') seenBy.add(m.data.ticker);
    const adminData = admin.messages.filter((m) => m.type === 'DATA').map((m) => (m.type === 'DATA' ? m.data.ticker : ''));

    // The flood got quotes for what it watched (at most 100 tickers at a time)...
    expect([...seenBy].some((t) => t.startsWith('FLOOD'))).toBe(true);
    // ...and the admin none of them, only the watchlist's.
    expect(adminData.filter((t) => t.startsWith('FLOOD'))).toEqual([]);
    expect(new Set(adminData)).toEqual(new Set(['NQ1!', 'MNQ1!', 'ES1!', 'MES1!']));
    // Before: 500 tickers per socket reached every client (~14,000 messages a second) and health took 1.5 s.
    health.sort((a, b) => a - b);
    expect(health[Math.floor(health.length / 2)]).toBeLessThan(100);
    expect(server.app.get(RealtimeGateway).clientTickers).toBeLessThanOrEqual(100);
    await Promise.all(flooders.map((s) => s.close()));
  }, 30_000);

  it('forgets quotes nobody watches once stale, and holds at most maxQuotes', async () => {
    const market = server.app.get(MarketService);
    // The flood's tickers: let go, unsubscribed after 1 s, forgotten 2 s after their last quote.
    await eventually(
      async () => market.allQuotes().every((q) => !q.ticker.startsWith('FLOOD') && !q.ticker.startsWith('BURST')),
      15_000,
      'the flood quotes to be forgotten',
    );
    const listed = (await http(server.url, 'GET', '/api/market/quotes')).body as { ticker: string }[];
    expect(listed.map((q) => q.ticker).sort()).toEqual(['ES1!', 'MES1!', 'MNQ1!', 'NQ1!']);

    // A feed pushing 1,000 tickers nobody asked for: the cache keeps 300, the watchlist's among them.
    for (let i = 0; i < 1000; i++) market.publish({ ticker: `PUSHED${i}`, bid: 10, ask: 10.5, time: Date.now() });
    expect(market.cachedQuotes).toBe(300);
    for (const ticker of ['NQ1!', 'MNQ1!', 'ES1!', 'MES1!']) expect(market.latest(ticker)).toBeDefined();
  }, 30_000);
});
