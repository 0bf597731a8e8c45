import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PnlData, Quote } from '@tradeloop/contracts';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { RealtimeGateway } from '../../../apps/server/src/realtime/realtime.gateway.js';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/** The simulated feed is off: quotes are published by the test, so every price below is known. */
describe('/ws live stream', () => {
  let server: TestServer;
  let market: MarketService;
  const quote = (ticker: string, bid: number, ask: number): Quote => ({ ticker, bid, ask, time: Date.now() });
  const clients: WsClient[] = [];
  const connect = async (options?: Parameters<typeof connectWs>[1]) => {
    const client = await connectWs(server.url, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        // This file keeps its connections open until the end: more than one token's default allowance.
        realtime: { pnlIntervalMs: 250, backpressureBytes: 65536, maxQueuedMessages: 200, maxConnectionsPerToken: 100 },
        market: { unsubscribeAfterSeconds: 0 },
      },
    });
    market = server.app.get(MarketService);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  describe('access', () => {
    it('refuses the upgrade without a valid token: 401 before any socket exists', async () => {
      await expect(connectWs(server.url, { token: null })).rejects.toMatchObject({ status: 401 });
      await expect(connectWs(server.url, { token: 'tl_made-up-token-000000000000000000000000000' })).rejects.toMatchObject({ status: 401 });
    });

    it('takes the token in the query string or as a bearer header, or the session cookie from our own origin only', async () => {
      await expect(connect({ token: server.token })).resolves.toBeDefined();
      await expect(connect()).resolves.toBeDefined();
      const login = await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null });
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      await expect(connect({ token: null, headers: { cookie, origin: server.url } })).resolves.toBeDefined();
      await expect(connectWs(server.url, { token: null, headers: { cookie, origin: 'https://evil.example' } })).rejects.toMatchObject({
        status: 403,
      });
    });

    it('closes a connection the moment its session is revoked, and refuses an expired token', async () => {
      const session = (await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).body.token;
      const client = await connect({ token: session });
      const closed = new Promise<number>((r) => client.socket.once('close', (code) => r(code)));
      expect((await http(server.url, 'POST', '/api/auth/logout', {}, { token: session })).status).toBe(204);
      expect(await closed).toBe(4401);
      await expect(connectWs(server.url, { token: session })).rejects.toMatchObject({ status: 401 });
    });
  });

  describe('messages', () => {
    it('sends DATA in exactly the Trade Manager shape', async () => {
      const client = await connect();
      market.publish(quote('NQ1!', 25329.0, 25329.5));
      const message = await client.next('DATA', (m) => m.data.ticker === 'NQ1!');
      expect(JSON.stringify(message)).toBe(
        '{"type":"DATA","data":{"ticker":"NQ1!","prices":{"ask":25329.5,"bid":25329},"tickinfo":{"step":0.25,"amnt":5}}}',
      );
    });

    it('files quotes under the canonical ticker, whatever the feed calls it', async () => {
      const client = await connect();
      market.publish(quote('CME_MINI:ESZ2026', 6800, 6800.25));
      const message = await client.next('DATA', (m) => m.data.ticker === 'ES1!');
      expect(message.data).toEqual({ ticker: 'ES1!', prices: { ask: 6800.25, bid: 6800 }, tickinfo: { step: 0.25, amnt: 12.5 } });
    });

    it('narrows with SUBSCRIBE: only the named channels and tickers, answered with SUBSCRIBED and the latest quotes', async () => {
      market.publish(quote('CL1!', 75.0, 75.01));
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: ['NYMEX:CL1!'] });
      expect((await client.next('SUBSCRIBED')).data).toEqual({ channels: ['DATA'], tickers: ['CL1!'], watching: [] });
      // The cached quote comes at once.
      await client.next('DATA', (m) => m.data.ticker === 'CL1!', 1000);
      const before = client.messages.length;
      market.publish(quote('NQ1!', 25000, 25000.25));
      market.publish(quote('CL1!', 75.02, 75.03));
      await client.next('DATA', (m) => m.data.prices.bid === 75.02);
      await http(server.url, 'POST', '/api/strategies', { name: 'not on the DATA channel' });
      await new Promise((r) => setTimeout(r, 200));
      expect(client.messages.slice(before).map((m) => `${m.type} ${'ticker' in m.data ? m.data.ticker : ''}`)).toEqual(['DATA CL1!']);
    });

    it('keeps a ticker a client watches subscribed at its feed, and lets go when the client leaves', async () => {
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', tickers: ['MGC1!'] });
      await client.next('SUBSCRIBED');
      // No feed runs here, so nothing quotes MGC; what counts is that the market tracks the watcher.
      const watched = () =>
        (market as unknown as { watches: { watchers: Map<string, Set<string>> } }).watches.watchers.get('MGC1!')?.size ?? 0;
      expect(watched()).toBe(1);
      await client.close();
      await eventually(async () => watched() === 0, 5000, 'the watch to end');
    });

    it('keeps tickers quoted with WATCH without narrowing the stream, and lets go with an empty list', async () => {
      market.publish(quote('SI1!', 32.5, 32.505));
      const client = await connect();
      client.send({ type: 'WATCH', tickers: ['COMEX:SI1!'] });
      expect((await client.next('SUBSCRIBED')).data).toEqual({ channels: null, tickers: null, watching: ['SI1!'] });
      await client.next('DATA', (m) => m.data.ticker === 'SI1!', 1000);
      const watched = () =>
        (market as unknown as { watches: { watchers: Map<string, Set<string>> } }).watches.watchers.get('SI1!')?.size ?? 0;
      expect(watched()).toBe(1);
      // Everything else still arrives.
      market.publish(quote('NQ1!', 25003, 25003.25));
      await client.next('DATA', (m) => m.data.ticker === 'NQ1!' && m.data.prices.bid === 25003);
      const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'seen while watching' })).body;
      await client.next('STRATEGY', (m) => m.data.id === strategy.id);
      client.send({ type: 'WATCH', tickers: [] });
      await client.next('SUBSCRIBED', (m) => m.data.watching.length === 0);
      expect(watched()).toBe(0);
    });

    it.each([
      ['not JSON', 'hello', /not valid JSON/],
      ['a WATCH without a list', '{"type":"WATCH"}', /tickers must be a list/],
      ['a JSON array', '[1,2]', /must be a JSON object/],
      ['an unknown type', '{"type":"BUY","ticker":"NQ1!"}', /unknown message type "BUY"/],
      ['an unknown channel', '{"type":"SUBSCRIBE","channels":["DATA","NEWS"]}', /channels: unknown "NEWS"/],
      ['tickers that are not a list', '{"type":"SUBSCRIBE","tickers":"NQ1!"}', /tickers must be a list/],
      ['an empty ticker', '{"type":"SUBSCRIBE","tickers":[""]}', /tickers: ticker is empty/],
    ])('answers %s with ERROR naming the problem, and stays connected', async (_case, text, message) => {
      const client = await connect();
      client.send(text);
      expect((await client.next('ERROR')).data.message).toMatch(message);
      market.publish(quote('NQ1!', 25001, 25001.25));
      await client.next('DATA', (m) => m.data.prices.bid === 25001);
    });

    it('sends what one turn publishes in one write, but lets its first FILL leave at once', async () => {
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', channels: ['FILL', 'LOG'] });
      await client.next('SUBSCRIBED');
      // The server's end of this client's connection: its peer's port is the client's own.
      const local = (client.socket as unknown as { _socket: Socket })._socket.localPort;
      const clientsOf = server.app.get(RealtimeGateway) as unknown as { clients: Map<unknown, { socket: { _socket: Socket } }> };
      const socket = [...clientsOf.clients.values()].map((c) => c.socket._socket).find((s) => s.remotePort === local)!;
      expect(socket).toBeDefined();
      const bus = server.app.get(EventBus);
      const line = (message: string) => ({ id: 0, time: Date.now(), level: 'info' as const, category: 'test', strategyId: null, message });
      const fill = {
        id: 'fill-now',
        orderId: 'order-now',
        clientOrderId: 'event-now:1',
        accountId: 'account',
        strategyId: null,
        ticker: 'NQ1!',
        side: 'buy' as const,
        quantity: 1,
        price: 25000,
        commission: 0,
        realizedPnl: 0,
        priceSource: 'alert',
        time: Date.now(),
      };
      bus.publish('LOG', line('before the fill'));
      // Held for the rest of the turn.
      expect(socket.writableCorked).toBe(1);
      bus.publish('FILL', fill);
      // The fill has left (with the line before it): the socket is no longer held.
      expect(socket.writableCorked).toBe(0);
      bus.publish('LOG', line('after the fill'));
      expect(socket.writableCorked).toBe(1);
      // A second fill in the same turn (a group commit books many) waits for the turn's one write.
      bus.publish('FILL', { ...fill, id: 'fill-next', orderId: 'order-next', clientOrderId: 'event-next:1' });
      expect(socket.writableCorked).toBe(1);
      bus.publish('LOG', line('after the fill, too'));
      await client.next('LOG', (m) => m.data.message === 'after the fill, too');
      expect(socket.writableCorked).toBe(0);
      const order = client.messages.flatMap((m) => (m.type === 'FILL' ? [m.data.id] : m.type === 'LOG' ? [m.data.message] : []));
      expect(order.slice(-5)).toEqual(['before the fill', 'fill-now', 'after the fill', 'fill-next', 'after the fill, too']);
      // The next turn's first fill leaves at once again.
      bus.publish('LOG', line('a later turn'));
      expect(socket.writableCorked).toBe(1);
      bus.publish('FILL', { ...fill, id: 'fill-later', orderId: 'order-later', clientOrderId: 'event-later:1' });
      expect(socket.writableCorked).toBe(0);
      await client.next('FILL', (m) => m.data.id === 'fill-later');
    });

    it('streams a webhook trade: ORDER, FILL, POSITION, TRADE, LOG, and STRATEGY when it is disabled', async () => {
      const client = await connect();
      const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'streamed' })).body;
      await client.next('STRATEGY', (m) => m.data.id === strategy.id && m.data.status === 'enabled');
      const hook = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
      await hook({ ticker: 'YM1!', action: 'buy', quantity: 2, price: 47000 });
      const exit = await hook({ ticker: 'YM1!', action: 'exit', price: 47010 });
      const fill = await client.next('FILL', (m) => m.data.strategyId === strategy.id && m.data.side === 'sell');
      expect(fill.data).toEqual(expect.objectContaining({ ticker: 'YM1!', quantity: 2, price: 47010, realizedPnl: 100 }));
      // A tool that reads only FILL can tell which alert it answers: the order's client id begins with the event's.
      expect(fill.data.clientOrderId.startsWith(`${exit.body.eventId}:`)).toBe(true);
      const trade = await client.next('TRADE', (m) => m.data.strategyId === strategy.id);
      // 10 points of YM = 10 ticks × $5 × 2 contracts.
      expect(trade.data).toEqual(
        expect.objectContaining({ direction: 'long', quantity: 2, entryPrice: 47000, exitPrice: 47010, pnl: 100 }),
      );
      await client.next('POSITION', (m) => m.data.strategyId === strategy.id && m.data.quantity === 0 && m.data.realizedPnl === 100);
      const order = await client.next(
        'ORDER',
        (m) => m.data.strategyId === strategy.id && m.data.side === 'sell' && m.data.status === 'filled',
      );
      expect(order.data).toEqual(expect.objectContaining({ id: fill.data.orderId, clientOrderId: fill.data.clientOrderId }));
      await client.next('LOG', (m) => m.data.strategyId === strategy.id && m.data.category === 'fill');
      await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: false });
      await client.next('STRATEGY', (m) => m.data.id === strategy.id && m.data.status === 'disabled');
    });
  });

  describe('live open P&L', () => {
    /** One strategy per instrument, entered at known quotes, then marked at new ones. */
    const cases = [
      // long 2 NQ: bought at the ask 25000.25, marked at the bid 25010: 39 ticks × $5 × 2
      { ticker: 'NQ1!', action: 'buy', quantity: 2, entry: [25000, 25000.25], mark: [25010, 25010.25], openPnl: 390 },
      // short 3 MNQ: sold at the bid 21000, marked at the ask 20990.25: 39 ticks × $0.50 × 3
      { ticker: 'MNQ1!', action: 'sell', quantity: 3, entry: [21000, 21000.25], mark: [20990, 20990.25], openPnl: 58.5 },
      // long 1 ES: bought at 6800.25, marked at the bid 6795: −21 ticks × $12.50
      { ticker: 'ES1!', action: 'buy', quantity: 1, entry: [6800, 6800.25], mark: [6795, 6795.25], openPnl: -262.5 },
      // short 2 CL: sold at the bid 75.00, marked at the ask 75.37: −37 ticks × $10 × 2
      { ticker: 'CL1!', action: 'sell', quantity: 2, entry: [75.0, 75.01], mark: [75.36, 75.37], openPnl: -740 },
    ];
    let account: string;
    const strategies: Record<string, { id: string; webhookToken: string }> = {};

    beforeAll(async () => {
      account = (
        await http(server.url, 'POST', '/api/accounts', {
          name: 'P&L account',
          broker: 'paper-broker',
          brokerAccountId: 'pnl-1',
          startingBalance: 10000,
        })
      ).body.id;
      for (const c of cases) {
        strategies[c.ticker] = (await http(server.url, 'POST', '/api/strategies', { name: `pnl ${c.ticker}`, accountId: account })).body;
        market.publish(quote(c.ticker, c.entry[0], c.entry[1]));
        const accepted = await http(server.url, 'POST', `/webhooks/${strategies[c.ticker].webhookToken}`, {
          ticker: c.ticker,
          action: c.action,
          quantity: c.quantity,
        });
        expect(accepted.status).toBe(202);
      }
      await eventually(
        async () => ((await http(server.url, 'GET', `/api/positions?accountId=${account}`)).body as any[]).length === cases.length,
        10000,
        'all four positions',
      );
    });

    it.each(cases)('marks $ticker at the right side of the quote, to the cent, in PNL and in /api/positions', async (c) => {
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', channels: ['PNL'] });
      await client.next('SUBSCRIBED');
      market.publish(quote(c.ticker, c.mark[0], c.mark[1]));
      const pnl = await client.next(
        'PNL',
        (m) => m.data.scope === 'strategy' && m.data.id === strategies[c.ticker].id && m.data.openPnl === c.openPnl,
      );
      expect(pnl.data).toEqual(expect.objectContaining({ realizedPnl: 0, totalPnl: c.openPnl }));
      const [position] = (await http(server.url, 'GET', `/api/positions?strategyId=${strategies[c.ticker].id}`)).body;
      expect(position.openPnl).toBe(c.openPnl);
    });

    it('sums the account over all four, and coalesces a burst of quotes into at most one PNL per 250 ms', async () => {
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', channels: ['PNL'] });
      await client.next('SUBSCRIBED');
      const start = client.messages.length;
      const startedAt = Date.now();
      for (let i = 0; i < 200; i++) for (const c of cases) market.publish(quote(c.ticker, c.mark[0], c.mark[1]));
      // 390 + 58.50 − 262.50 − 740
      await client.next('PNL', (m) => m.data.scope === 'account' && m.data.id === account && m.data.openPnl === -554);
      await new Promise((r) => setTimeout(r, 600));
      const accountPushes = client.messages
        .slice(start)
        .filter((m) => m.type === 'PNL' && m.data.scope === 'account' && m.data.id === account);
      // 800 quotes in well under a second: at most one push per 250 ms window (+1 for the window in progress).
      expect(accountPushes.length).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 250) + 1);
      expect(accountPushes.length).toBeLessThan(10);
    });

    it('marks a burst of quotes once, yet pushes the P&L of its last quote', async () => {
      const client = await connect();
      client.send({ type: 'SUBSCRIBE', channels: ['PNL'] });
      await client.next('SUBSCRIBED');
      const nq = strategies['NQ1!'].id;
      // Long 2 NQ from 25000.25; the burst wanders, and ends at the bid 25040: 159 ticks × $5 × 2.
      for (let i = 0; i < 300; i++) market.publish(quote('NQ1!', 25000 + (i % 7) * 0.25, 25000.25 + (i % 7) * 0.25));
      market.publish(quote('NQ1!', 25040, 25040.25));
      await client.next('PNL', (m) => m.data.scope === 'strategy' && m.data.id === nq && m.data.openPnl === 1590);
      await new Promise((r) => setTimeout(r, 600));
      const last = client.messages.filter((m) => m.type === 'PNL' && m.data.scope === 'strategy' && m.data.id === nq).at(-1);
      expect(last?.type === 'PNL' && last.data.openPnl).toBe(1590);
    });

    it("agrees with the recorder: today's P&L and drawdown between passes move from the recorder's last word", async () => {
      const bus = server.app.get(EventBus);
      const nq = strategies['NQ1!'].id;
      const seen: { relayed: boolean; data: PnlData }[] = [];
      const stop = bus.subscribe((m) => {
        if (m.type === 'PNL' && m.data.scope === 'strategy' && m.data.id === nq) seen.push({ relayed: bus.relayable(m), data: m.data });
      });
      try {
        // Two quotes apart: long 2 NQ from 25000.25, marked at 25020 then 25030.
        for (const [bid, open] of [
          [25020, 790],
          [25030, 1190],
        ]) {
          market.publish(quote('NQ1!', bid, bid + 0.25));
          await eventually(
            async () => seen.some((s) => !s.relayed && s.data.openPnl === open) && seen.some((s) => s.relayed && s.data.openPnl === open),
            10000,
            `the stream and the recorder at open P&L ${open}`,
          );
        }
        for (const open of [790, 1190]) {
          const stream = seen.filter((s) => !s.relayed && s.data.openPnl === open).at(-1)!.data;
          const recorder = seen.filter((s) => s.relayed && s.data.openPnl === open).at(-1)!.data;
          expect(stream.todayPnl).not.toBeNull();
          expect([stream.todayPnl, stream.totalPnl, stream.drawdown]).toEqual([recorder.todayPnl, recorder.totalPnl, recorder.drawdown]);
        }
      } finally {
        stop();
      }
    });

    it('shows open P&L as unknown, not zero, while a held ticker has no quote', async () => {
      const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'no quote yet' })).body;
      await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'M2K1!', action: 'buy', quantity: 1, price: 2400 });
      const [position] = await eventually(async () => {
        const body = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[];
        return body.length ? body : undefined;
      });
      expect(position.openPnl).toBeNull();
      const { PnlStream } = await import('../../../apps/server/src/pnl/pnl-stream.service.js');
      expect(server.app.get(PnlStream).message('strategy', strategy.id)).toEqual(
        expect.objectContaining({ openPnl: null, totalPnl: null, realizedPnl: 0 }),
      );
    });
  });

  describe('a slow client', () => {
    it('gets conflated quotes while backed up, and never delays a client that keeps up', async () => {
      const gateway = server.app.get(RealtimeGateway);
      const stalled = await connect();
      const brisk = await connect();
      // Tickers they name are theirs: quotes that only clients keep go to those clients.
      const tickers = ['NQ1!', 'ES1!', 'YM1!', 'RTY1!', 'CL1!', 'GC1!', 'MNQ1!', 'MES1!'];
      stalled.send({ type: 'SUBSCRIBE', channels: ['DATA', 'LOG'], tickers });
      brisk.send({ type: 'SUBSCRIBE', channels: ['DATA'], tickers });
      await stalled.next('SUBSCRIBED');
      await brisk.next('SUBSCRIBED');
      // The stalled client stops reading, and 7.5 MB of log lines fill what the loopback socket buffers
      // hold: from here on the server sees its backlog.
      (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const bus = server.app.get(EventBus);
      const filler = 'x'.repeat(50_000);
      const fillers = 150;
      for (let i = 0; i < fillers; i++)
        bus.publish('LOG', { id: i, time: Date.now(), level: 'info', category: 'test', strategyId: null, message: filler });

      // A feed's pace: a round of quotes, then the event loop turns (sockets write, clients read).
      const rounds = 1500;
      for (let i = 0; i < rounds; i++) {
        for (const ticker of tickers) market.publish(quote(ticker, 1000 + i, 1000.25 + i));
        await new Promise((r) => setImmediate(r));
      }
      const published = Date.now();
      const last = 1000 + rounds - 1;
      for (const ticker of tickers) await brisk.next('DATA', (m) => m.data.ticker === ticker && m.data.prices.bid === last);
      // The brisk client has the newest quotes as soon as they went out (generous bound for a loaded 2-core machine).
      expect(Date.now() - published).toBeLessThan(3000);
      expect(brisk.socket.readyState).toBe(brisk.socket.OPEN);

      // What waits for the stalled client is at most one quote per ticker (and some log lines), not 24,000 quotes.
      const backlog = Math.max(...gateway.backlogs());
      expect(backlog).toBeGreaterThan(tickers.length);
      expect(backlog).toBeLessThanOrEqual(tickers.length + fillers);

      (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      for (const ticker of tickers) await stalled.next('DATA', (m) => m.data.ticker === ticker && m.data.prices.bid === last);
      expect(stalled.messages.filter((m) => m.type === 'LOG')).toHaveLength(fillers);
      expect(stalled.messages.filter((m) => m.type === 'DATA').length).toBeLessThan((rounds * tickers.length) / 2);
    });

    it('is disconnected when messages that cannot be conflated pile up, and the server carries on', async () => {
      const stalled = await connect();
      const closed = new Promise<void>((r) => stalled.socket.once('close', () => r()));
      (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const bus = server.app.get(EventBus);
      // 40 MB of log lines: more than the loopback socket buffers hold, so the server sees the backlog.
      const filler = 'x'.repeat(20_000);
      for (let i = 0; i < 2000; i++)
        bus.publish('LOG', { id: i, time: Date.now(), level: 'info', category: 'test', strategyId: null, message: filler });
      (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      await closed;
      const other = await connect();
      market.publish(quote('NQ1!', 24000, 24000.25));
      await other.next('DATA', (m) => m.data.prices.bid === 24000);
    });
  });
});
