import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

const done = async (server: TestServer, eventId: string) =>
  eventually(
    async () => {
      const event = (await http(server.url, 'GET', `/api/events/${eventId}`)).body;
      return event.status === 'done' || event.status === 'failed' ? event : undefined;
    },
    15000,
    `event ${eventId}`,
  );

/**
 * A default install (the simulated feed on, no real feed): paper fills take the price TradingView
 * put in the alert, not the demo walk's, and every fill and trade says so. The vector below is
 * computed by hand, FIFO, to the cent.
 */
describe('paper P&L priced by the alerts, on a default install', () => {
  let server: TestServer;
  let ws: WsClient;
  let strategy: { id: string; webhookToken: string };
  const hook = async (body: object) => {
    const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
    expect(response.status).toBe(202);
    return done(server, response.body.eventId);
  };

  beforeAll(async () => {
    server = await startServer(); // the simulated feed is on, as installed
    ws = await connectWs(server.url);
    ws.send({ type: 'SUBSCRIBE', channels: ['FILL', 'TRADE'] });
    await ws.next('SUBSCRIBED');
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'FIFO by alerts' })).body;
  });
  afterAll(async () => {
    await ws?.close();
    await server?.close();
  });

  it("books several buys and sells at the alerts' prices, FIFO, to the cent", async () => {
    // NQ ($5 a 0.25 tick): buy 2 @ 25000.25, buy 1 @ 25010.50, sell 2 @ 25020.75, sell 2 @ 24990.00, buy 1 @ 24980.25.
    for (const [action, quantity, price] of [
      ['buy', 2, '25000.25'],
      ['buy', 1, '25010.50'],
      ['sell', 2, '25020.75'],
      ['sell', 2, '24990.00'],
      ['buy', 1, '24980.25'],
    ] as const) {
      expect((await hook({ ticker: 'NQ1!', action, quantity: String(quantity), price })).status).toBe('done');
    }
    // SPY ($1 a point): buy 10 @ 600.10, buy 5 @ 601.20, sell 12 @ 602.35, sell 3 @ 599.99.
    for (const [action, quantity, signalPrice] of [
      ['buy', 10, 600.1],
      ['buy', 5, 601.2],
      ['sell', 12, 602.35],
      ['sell', 3, 599.99],
    ] as const) {
      expect((await hook({ ticker: 'SPY', action, quantity, signalPrice })).status).toBe('done');
    }
    const trades = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}&limit=20`)).body.items as any[];
    expect(
      trades
        .map((t) => [t.ticker, t.direction, t.quantity, t.entryPrice, t.exitPrice, t.pnl, t.entryPriceSource, t.exitPriceSource])
        .sort((a, b) => (String(a[0]) + a[3] + a[4] < String(b[0]) + b[3] + b[4] ? -1 : 1)),
    ).toEqual(
      [
        // 25020.75 − 25000.25 = 20.5 points = 82 ticks × $5 × 2 = $820.00
        ['NQ1!', 'long', 2, 25000.25, 25020.75, 820, 'alert', 'alert'],
        // 24990.00 − 25010.50 = −82 ticks × $5 = −$410.00
        ['NQ1!', 'long', 1, 25010.5, 24990, -410, 'alert', 'alert'],
        // short 24990.00 → 24980.25: 39 ticks × $5 = $195.00
        ['NQ1!', 'short', 1, 24990, 24980.25, 195, 'alert', 'alert'],
        // 10 × (602.35 − 600.10) = $22.50; 2 × (602.35 − 601.20) = $2.30; 3 × (599.99 − 601.20) = −$3.63
        ['SPY', 'long', 10, 600.1, 602.35, 22.5, 'alert', 'alert'],
        ['SPY', 'long', 2, 601.2, 602.35, 2.3, 'alert', 'alert'],
        ['SPY', 'long', 3, 601.2, 599.99, -3.63, 'alert', 'alert'],
      ].sort((a, b) => (String(a[0]) + a[3] + a[4] < String(b[0]) + b[3] + b[4] ? -1 : 1)),
    );
    // 820 − 410 + 195 + 22.50 + 2.30 − 3.63 = $626.17
    const positions = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as any[];
    expect(positions.map((p) => [p.ticker, p.quantity, p.realizedPnl]).sort()).toEqual([
      ['NQ1!', 0, 605],
      ['SPY', 0, 21.17],
    ]);
    const accounts = (await http(server.url, 'GET', '/api/accounts')).body as any[];
    expect(accounts[0].realizedPnl).toBe(626.17);

    const fills = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}&limit=50`)).body.items as any[];
    expect(fills).toHaveLength(9);
    expect(new Set(fills.map((f) => f.priceSource))).toEqual(new Set(['alert']));
    // The same on /ws and in the log.
    await eventually(async () => ws.messages.filter((m) => m.type === 'FILL').length >= 9, 5000, 'FILL messages');
    const fillMessages = ws.messages.filter((m) => m.type === 'FILL') as any[];
    expect(fillMessages.every((m) => m.data.priceSource === 'alert')).toBe(true);
    const tradeMessages = ws.messages.filter((m) => m.type === 'TRADE') as any[];
    expect(tradeMessages).toHaveLength(6);
    expect(tradeMessages.every((m) => m.data.entryPriceSource === 'alert' && m.data.exitPriceSource === 'alert')).toBe(true);
    const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=200`)).body as any[];
    const fillLines = logs.filter((l) => l.category === 'fill' && l.message.startsWith('filled'));
    expect(fillLines).toHaveLength(9);
    expect(fillLines.every((l) => / \(price: alert; slippage 0 vs signal [\d.]+\)/.test(l.message))).toBe(true);
  });

  it('takes the simulated feed only for an alert without a price, and says so', async () => {
    await hook({ ticker: 'MES1!', action: 'buy', quantity: 1 });
    const fills = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}&limit=50`)).body.items as any[];
    const mes = fills.find((f) => f.ticker === 'MES1!');
    expect(mes.priceSource).toBe('simulated');
    expect(mes.price % 0.25).toBe(0);
  });

  it('moves the demo walk to the price TradingView sent, so open P&L is marked near it', async () => {
    await hook({ ticker: 'AAPL', action: 'buy', quantity: 1, price: 191.25 });
    await hook({ ticker: 'AAPL', action: 'buy', quantity: 1, price: 191.25 });
    const quote = await eventually(
      async () => ((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).find((q) => q.ticker === 'AAPL' && q.simulated),
      5000,
      'a simulated AAPL quote',
    );
    expect(Math.abs(quote.bid - 191.25) / 191.25).toBeLessThan(0.01);
    expect(quote.feed).toBe('sim-feed');
  });
});

describe('the simulated feed switched off in Settings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-sim-off-'));
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("copies an NQ alert to MNQ at the alert's price (same index), with its bracket, and stays off across a restart", async () => {
    server = await startServer({ dataDir });
    expect((await http(server.url, 'GET', '/api/market/simulated-feed')).body).toEqual({ on: true, feeds: ['sim-feed'] });
    expect((await http(server.url, 'PUT', '/api/market/simulated-feed', { on: false })).body).toEqual({ on: false, feeds: ['sim-feed'] });
    expect((await http(server.url, 'PUT', '/api/market/simulated-feed', { on: 'no' })).status).toBe(400);
    const feeds = (await http(server.url, 'GET', '/api/market/feeds')).body as any[];
    expect(feeds.find((f) => f.name === 'sim-feed')).toEqual(expect.objectContaining({ simulated: true, on: false }));

    const copy = (
      await http(server.url, 'POST', '/api/accounts', {
        name: 'Copy',
        broker: 'paper-broker',
        brokerAccountId: 'copy',
        startingBalance: 10000,
      })
    ).body;
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'NQ to MNQ' })).body;
    expect(
      (await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { links: [{ accountId: copy.id, symbolOverride: 'MNQ1!' }] }))
        .status,
    ).toBe(200);
    const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 1,
      price: 25000.25,
      takeProfit: { price: 25100 },
      stopLoss: { amount: 20 },
    });
    const event = await done(server, response.body.eventId);
    expect(event.status).toBe('done');
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as any[];
    const entries = orders.filter((o) => !/:(tp|sl)\d+$/.test(o.clientOrderId));
    expect(entries.map((o) => [o.ticker, o.status, o.avgFillPrice, o.reason]).sort()).toEqual([
      ['MNQ1!', 'filled', 25000.25, null],
      ['NQ1!', 'filled', 25000.25, null],
    ]);
    // The same prices hold on MNQ: the take profit at 25,100, the stop 20 points under the alert's price.
    const legs = await eventually(async () => {
      const all = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as any[];
      const found = all.filter((o) => /:(tp|sl)\d+$/.test(o.clientOrderId));
      return found.length === 4 ? found : undefined;
    });
    expect(legs.map((o) => [o.ticker, o.type, o.limitPrice ?? o.stopPrice]).sort()).toEqual([
      ['MNQ1!', 'limit', 25100],
      ['MNQ1!', 'stop', 24980.25],
      ['NQ1!', 'limit', 25100],
      ['NQ1!', 'stop', 24980.25],
    ]);
    const fills = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}`)).body.items as any[];
    expect(fills.map((f) => [f.ticker, f.priceSource]).sort()).toEqual([
      ['MNQ1!', 'alert'],
      ['NQ1!', 'alert'],
    ]);
    // No demo prices at all: nothing in the quote cache.
    expect(((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).filter((q) => q.simulated)).toEqual([]);

    await server.close({ keepData: true });
    server = await startServer({ dataDir });
    expect((await http(server.url, 'GET', '/api/market/simulated-feed')).body).toEqual({ on: false, feeds: ['sim-feed'] });
    const unpriced = (await http(server.url, 'POST', '/api/strategies', { name: 'no price' })).body;
    const refusedFill = await http(server.url, 'POST', `/webhooks/${unpriced.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      quantity: 1,
    });
    await done(server, refusedFill.body.eventId);
    const [rejected] = (await http(server.url, 'GET', `/api/orders?strategyId=${unpriced.id}`)).body.items as any[];
    expect(rejected).toEqual(expect.objectContaining({ status: 'rejected', reason: 'no quote for ES1! and no price in the alert' }));

    // Switched on again, demo prices come back for watched tickers.
    await http(server.url, 'PUT', '/api/market/simulated-feed', { on: true });
    const again = await http(server.url, 'POST', `/webhooks/${unpriced.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 1 });
    await done(server, again.body.eventId);
    const fillsAgain = (await http(server.url, 'GET', `/api/fills?strategyId=${unpriced.id}`)).body.items as any[];
    expect(fillsAgain.map((f) => f.priceSource)).toEqual(['simulated']);
  });
});
