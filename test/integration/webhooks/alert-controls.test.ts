import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradingCalendar, tradingDate, tradingDayEnd } from '@tradeloop/domain';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from '../../support/quote-source.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/** The controls an alert carries, through a real server and the paper broker, against a real feed. */
describe('time in force, held stop-limits and trailing stops', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-controls-'));
  let server: TestServer;
  let source: QuoteSource;
  let watcher: WsClient;
  let strategy: { id: string; webhookToken: string };
  const start = async () => {
    server = await startServer({
      dataDir,
      overrides: { plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': quoteSourceSettings(source, ['SPY']) } } },
    });
    watcher = await connectWs(server.url);
    watcher.send({ type: 'WATCH', tickers: ['SPY'] });
  };
  const market = async (bid: number) => {
    source.quote('SPY', bid, Number((bid + 0.01).toFixed(2)));
    await quoted(server.url, 'SPY', bid);
  };
  const alert = async (body: object) => {
    const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
    expect(response.status).toBe(202);
    await eventually(async () =>
      ['done', 'failed'].includes((await http(server.url, 'GET', `/api/events/${response.body.eventId}`)).body.status),
    );
    // The event is done once its orders are sent; the broker's answers may land a moment later.
    await eventually(async () => (await ordersOf(response.body.eventId)).every((o) => o.status !== 'pending'));
    return response.body.eventId as string;
  };
  const ordersOf = async (eventId: string) =>
    ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=100`)).body.items as any[])
      .filter((o) => o.eventId === eventId)
      .sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : 1));
  const position = async () =>
    ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[])[0]?.quantity ?? 0;

  beforeAll(async () => {
    source = await startQuoteSource();
    source.quote('SPY', 100, 100.01);
    await start();
    await quoted(server.url, 'SPY', 100);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'controls' })).body;
  });
  afterAll(async () => {
    await watcher?.close();
    await server?.close();
    await source?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('cancels an ioc limit that is not marketable, and gives a day order the end of its trading day', async () => {
    const ioc = await alert({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 99, timeInForce: 'ioc' });
    expect((await ordersOf(ioc)).map((o) => [o.status, o.reason, o.timeInForce])).toEqual([
      ['cancelled', 'ioc: not marketable when placed, so cancelled at once', 'ioc'],
    ]);
    const placedAt = Date.now();
    const day = await alert({ ticker: 'SPY', action: 'buy', orderType: 'limit', limitPrice: 99, timeInForce: 'day', extendedHours: true });
    const [order] = await ordersOf(day);
    const calendar = TradingCalendar.of(server.config.pnl.timeZone, server.config.pnl.dayStart);
    expect(order).toEqual(
      expect.objectContaining({
        status: 'working',
        timeInForce: 'day',
        extendedHours: true,
        expiresAt: new Date(tradingDayEnd(tradingDate(placedAt, calendar), calendar)).toISOString(),
      }),
    );
    await alert({ ticker: 'SPY', action: 'cancel' });
    expect((await ordersOf(day))[0].status).toBe('cancelled');
  });

  it('holds a stop-limit stop loss until it is touched, then sends its limit', async () => {
    const entry = await alert({
      ticker: 'SPY',
      action: 'buy',
      quantity: 2,
      signalPrice: 100,
      stopLoss: { type: 'stop_limit', stopPrice: 95, limitPrice: 94.9 },
    });
    // On record (pending) a moment before the broker's answer makes it working.
    const sl = await eventually(async () => (await ordersOf(entry)).find((o) => /:sl1$/.test(o.clientOrderId) && o.status !== 'pending'));
    expect([sl.type, sl.status, sl.stopPrice, sl.limitPrice, sl.triggeredAt]).toEqual(['stop_limit', 'working', 95, 94.9, null]);
    await market(95.5);
    expect((await ordersOf(entry)).find((o) => o.id === sl.id).triggeredAt).toBeNull();
    await market(94.95);
    const filled = await eventually(async () => {
      const order = (await ordersOf(entry)).find((o) => o.id === sl.id);
      return order.status === 'filled' ? order : undefined;
    });
    // Touched at a bid of 94.95 (≤ 95): sent as a sell limit at 94.90, which the bid of 94.95 fills.
    expect([filled.avgFillPrice, filled.triggeredAt !== null]).toEqual([94.95, true]);
    expect(await position()).toBe(0);
  });

  it('trails a stop on the server, keeps the trail across a restart, and sells when the market comes back to it', async () => {
    await market(100);
    await alert({ ticker: 'SPY', action: 'buy', quantity: 3, signalPrice: 100 });
    const exit = await alert({ ticker: 'SPY', action: 'exit', orderType: 'trailing_stop', trailAmount: 1, signalPrice: 100 });
    const stopOf = async () => (await ordersOf(exit))[0];
    // The event is done once its order is sent; the broker's answer (working) may land a moment later.
    await eventually(async () => (await stopOf()).status !== 'pending', 5000, 'the broker to take the trailing stop');
    expect(await stopOf()).toEqual(
      expect.objectContaining({ type: 'trailing_stop', status: 'working', stopPrice: 99, quantity: 3, side: 'sell' }),
    );
    await market(101.5);
    await eventually(async () => (await stopOf()).stopPrice === 100.5, 5000, 'the stop to trail up to 100.50');

    await watcher.close();
    await server.close({ keepData: true });
    await start();
    await quoted(server.url, 'SPY', 101.5);
    // A quote below the best since the entry does not loosen it: the trail resumes from 100.50, not from the new price.
    await market(101);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stopOf()).stopPrice).toBe(100.5);
    await market(100.5);
    const sold = await eventually(
      async () => ((await stopOf()).status === 'filled' ? stopOf() : undefined),
      10000,
      'the trailing stop to fill',
    );
    expect([sold.avgFillPrice, sold.triggeredAt !== null]).toEqual([100.5, true]);
    expect(await position()).toBe(0);
    const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=200`)).body as any[];
    expect(
      logs.some((l) => /^trailing-stop sell 3 SPY triggered at stop 100.5 \(bid 100.5\): sent as a market order$/.test(l.message)),
    ).toBe(true);
  });

  it("takes the alert's price once the real feed is lost, not the feed's last quote", async () => {
    await market(100);
    await source.close();
    await eventually(
      async () =>
        ((await http(server.url, 'GET', '/api/market/feeds')).body as any[]).find((f) => f.name === 'ws-data-feed')?.connected === false,
      10000,
      'the feed to report its connection lost',
    );
    const buy = await alert({ ticker: 'SPY', action: 'buy', quantity: 1, signalPrice: 100.2 });
    const [order] = await ordersOf(buy);
    expect([order.status, order.avgFillPrice, order.slippage]).toEqual(['filled', 100.2, 0]);
    const fills = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}&limit=1`)).body.items as any[];
    expect(fills[0]).toEqual(expect.objectContaining({ orderId: order.id, priceSource: 'alert' }));
  });
});
