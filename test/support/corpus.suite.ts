import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer } from './app.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from './quote-source.js';
import { CORPUS, CORPUS_TICKERS, DEFAULT_MARKET, type CorpusCase, type CorpusExpect, type Market } from './traderspost-corpus.js';
import { connectWs, type WsClient } from './ws-client.js';

/**
 * Every documented TradersPost payload (test/support/traderspost-corpus.ts), sent to a real server
 * with the content type given: TradingView sends `application/json` when the message parses as
 * JSON and `text/plain` otherwise, and a sender may label either way; both must act alike. A real
 * feed (ws-data-feed on a DATA WebSocket) quotes the tickers; the simulated feed is off.
 */
export function defineCorpusSuite(contentType: 'application/json' | 'text/plain') {
  describe(`TradersPost's documented payloads, sent as ${contentType}`, () => {
    let server: TestServer;
    let source: QuoteSource;
    let watcher: WsClient;
    const prices = new Map<string, number>();

    beforeAll(async () => {
      source = await startQuoteSource();
      for (const [ticker, [bid, ask]] of Object.entries(DEFAULT_MARKET)) source.quote(ticker, bid, ask);
      server = await startServer({
        overrides: {
          plugins: { disabled: ['sim-feed', 'tradovate'], settings: { 'ws-data-feed': quoteSourceSettings(source, CORPUS_TICKERS) } },
          webhooks: { rateLimit: { perTokenPerMinute: 1000, perIpPerMinute: 100_000 } },
        },
      });
      // Keeps every corpus ticker quoted, as an open admin page would.
      watcher = await connectWs(server.url);
      watcher.send({ type: 'WATCH', tickers: CORPUS_TICKERS });
      for (const [ticker, [bid]] of Object.entries(DEFAULT_MARKET)) {
        await quoted(server.url, ticker, bid);
        prices.set(ticker, bid);
      }
    }, 60_000);

    afterAll(async () => {
      await watcher?.close();
      await server?.close();
      await source?.close();
    });

    const setMarket = async (market: Market) => {
      for (const [ticker, price] of Object.entries(market)) {
        const [bid, ask] = typeof price === 'number' ? [price, Number((price + 0.01).toFixed(2))] : price;
        if (prices.get(ticker) === bid) continue;
        source.quote(ticker, bid, ask);
        await quoted(server.url, ticker, bid);
        prices.set(ticker, bid);
      }
    };
    const hook = (token: string, body: string, type = contentType) =>
      http(server.url, 'POST', `/webhooks/${token}`, body, { raw: true, contentType: type });
    const settled = (eventId: string) =>
      eventually(
        async () => {
          const event = (await http(server.url, 'GET', `/api/events/${eventId}`)).body;
          return event.status === 'done' || event.status === 'failed' || event.status === 'delayed' ? event : undefined;
        },
        15_000,
        `event ${eventId}`,
      );
    const ordersOf = async (strategyId: string) =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${strategyId}&limit=100`)).body.items as any[]).sort((a, b) =>
        a.clientOrderId < b.clientOrderId ? -1 : 1,
      );
    const positionOf = async (strategyId: string, ticker: string) =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategyId}&includeFlat=true`)).body as any[]).find(
        (p) => p.ticker === ticker,
      )?.quantity ?? 0;
    const legs = (orders: any[], eventId: string, role: 'tp' | 'sl') =>
      orders.filter((o) => o.eventId === eventId && new RegExp(`:${role}\\d+$`).test(o.clientOrderId));

    async function expectOutcome(
      c: CorpusCase,
      strategyId: string,
      eventId: string,
      expected: CorpusExpect & { heldStop?: number; triggered?: boolean },
    ) {
      if (expected.position !== undefined) {
        await eventually(
          async () => (await positionOf(strategyId, c.ticker)) === expected.position,
          10_000,
          `position ${expected.position} in ${c.ticker}`,
        ).catch(() => undefined);
        expect({ [c.ticker]: await positionOf(strategyId, c.ticker) }).toEqual({ [c.ticker]: expected.position });
      }
      if (expected.takeProfit !== undefined || expected.stopLoss !== undefined) {
        const all = await eventually(
          async () => {
            const orders = await ordersOf(strategyId);
            const ready =
              (expected.takeProfit === undefined || legs(orders, eventId, 'tp').length) &&
              (expected.stopLoss === undefined || legs(orders, eventId, 'sl').length);
            return ready ? orders : undefined;
          },
          10_000,
          'bracket legs',
        );
        if (expected.takeProfit !== undefined) {
          expect(legs(all, eventId, 'tp').map((o) => [o.type, o.limitPrice])).toEqual([['limit', expected.takeProfit]]);
        }
        if (expected.stopLoss !== undefined) {
          const [sl] = legs(all, eventId, 'sl');
          expect([sl.type, sl.stopPrice]).toEqual([expected.stopLossType ?? sl.type, expected.stopLoss]);
          if (expected.stopLossType === 'stop_limit') expect(sl.limitPrice).toEqual(expect.any(Number));
        }
      }
      if (expected.heldStop !== undefined || expected.triggered !== undefined) {
        const held = await eventually(
          async () => {
            const entry = (await ordersOf(strategyId)).find((o) => o.eventId === eventId && !/:(tp|sl)\d+/.test(o.clientOrderId));
            const stopOk = expected.heldStop === undefined || entry?.stopPrice === expected.heldStop;
            const triggerOk = expected.triggered === undefined || (entry?.triggeredAt !== null) === expected.triggered;
            return stopOk && triggerOk ? entry : undefined;
          },
          10_000,
          'the held order to move',
        );
        expect(held).toBeTruthy();
      }
    }

    it.each(CORPUS.map((c) => [`${c.source}: ${c.name}`, c] as const))('%s', async (_title, c) => {
      const account = c.account
        ? (
            await http(server.url, 'POST', '/api/accounts', {
              name: `sized ${Math.random().toString(36).slice(2, 10)}`,
              broker: 'paper-broker',
              brokerAccountId: `paper-${Date.now()}-${Math.random()}`,
              startingBalance: c.account,
            })
          ).body
        : null;
      const strategy = (
        await http(server.url, 'POST', '/api/strategies', {
          name: `${c.source} ${c.name}`.slice(0, 100),
          defaultQuantity: 1,
          ...(account ? { accountId: account.id } : {}),
        })
      ).body;
      await setMarket({ [c.ticker]: DEFAULT_MARKET[c.ticker], ...c.market });
      if (c.before) {
        const setup = await hook(strategy.webhookToken, JSON.stringify({ ticker: c.ticker, positionSize: c.before }), 'application/json');
        expect((await settled(setup.body.eventId)).status).toBe('done');
        expect(await positionOf(strategy.id, c.ticker)).toBe(c.before);
      }
      for (const working of c.working ?? []) {
        const setup = await hook(strategy.webhookToken, working, 'application/json');
        expect((await settled(setup.body.eventId)).status).toBe('done');
      }
      const setupOrders = (await ordersOf(strategy.id)).filter((o) => o.status === 'working').map((o) => o.id);

      const response = await hook(strategy.webhookToken, c.body);
      expect({ status: response.status, message: response.body?.message }).toEqual({
        status: c.expect.status,
        message: c.expect.message ? expect.stringMatching(c.expect.message) : undefined,
      });
      if (c.expect.status === 400) {
        // Refused: nothing stored beyond the setup, and the server keeps answering.
        const events = (await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}`)).body as any[];
        expect(events.length).toBe((c.before ? 1 : 0) + (c.working?.length ?? 0));
        return;
      }
      const eventId = response.body.eventId as string;
      if (c.expect.notes) expect((response.body.notes ?? []).join('; ')).toMatch(c.expect.notes);
      const event = await settled(eventId);
      if (c.expect.delayed) {
        expect(event.status).toBe('delayed');
        expect(Date.parse(response.body.delayedUntil) - Date.now()).toBeGreaterThan(50_000);
      } else {
        expect({ status: event.status, error: event.error }).toEqual({ status: 'done', error: null });
      }
      const own = (await ordersOf(strategy.id)).filter((o) => o.eventId === eventId && !/:(tp|sl)\d+/.test(o.clientOrderId));
      expect(
        own.map((o) => ({
          side: o.side,
          quantity: o.quantity,
          type: o.type,
          status: o.status,
          ...(o.limitPrice !== null ? { limitPrice: o.limitPrice } : {}),
          ...(o.type !== 'market' && o.type !== 'limit' && o.stopPrice !== null ? { stopPrice: o.stopPrice } : {}),
          ...(c.expect.orders?.some((e) => e.avgFillPrice !== undefined) && o.avgFillPrice !== null
            ? { avgFillPrice: o.avgFillPrice }
            : {}),
          ...(o.timeInForce ? { timeInForce: o.timeInForce } : {}),
          ...(o.extendedHours ? { extendedHours: true } : {}),
        })),
      ).toEqual(c.expect.orders);
      if (c.expect.cancelled !== undefined || c.expect.stillWorking !== undefined) {
        const after = (await ordersOf(strategy.id)).filter((o) => setupOrders.includes(o.id));
        if (c.expect.cancelled !== undefined) expect(after.filter((o) => o.status === 'cancelled')).toHaveLength(c.expect.cancelled);
        if (c.expect.stillWorking !== undefined) expect(after.filter((o) => o.status === 'working')).toHaveLength(c.expect.stillWorking);
      }
      if (c.expect.fillSource) {
        const fills = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}`)).body.items as any[];
        const entry = own.find((o) => o.status === 'filled');
        expect(fills.find((f) => f.orderId === entry.id)?.priceSource).toBe(c.expect.fillSource);
      }
      await expectOutcome(c, strategy.id, eventId, c.expect);
      for (const step of c.after ?? []) {
        await setMarket(step.market);
        await expectOutcome(c, strategy.id, eventId, step.expect);
      }
      // Leave nothing working for the next case's quotes to fill.
      await http(server.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
    });

    it('stayed up and answered every case', async () => {
      expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
    });
  });
}
