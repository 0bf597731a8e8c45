import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/** With the simulated feed on, market orders fill at the live quote: buys at the ask, sells at the bid. */
describe('trading against the simulated feed', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const hook = (body: unknown) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
  const orders = async () => (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];

  beforeAll(async () => {
    server = await startServer();
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'live', defaultTicker: 'NQ1!' })).body;
  });
  afterAll(() => server.close());

  it('round-trips NQ at the quote with P&L consistent to the cent', async () => {
    await hook({ action: 'buy', quantity: 2 });
    const [buy] = await eventually(async () => ((await orders())[0]?.status === 'filled' ? orders() : undefined), 10000, 'buy fill');
    expect(buy.avgFillPrice % 0.25).toBe(0);

    const position = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body[0];
    expect(position.quantity).toBe(2);
    // Marked at the bid; the spread is one tick, so right after the fill open P&L is a few ticks at most.
    expect(typeof position.openPnl).toBe('number');
    expect(position.markPrice % 0.25).toBe(0);

    await hook({ action: 'exit' });
    const trades = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body;
        return body.total === 1 ? body.items : undefined;
      },
      10000,
      'round trip',
    );
    const [trade] = trades;
    expect(trade.entryPrice).toBe(buy.avgFillPrice);
    expect(trade.pnl).toBeCloseTo(((trade.exitPrice - trade.entryPrice) / 0.25) * 5 * 2, 10);
    expect(Number.isInteger(Math.round(trade.pnl * 100))).toBe(true);
  });

  it('rests a limit order below the market and cancels it on a cancel alert', async () => {
    await hook({ action: 'buy', quantity: 1, orderType: 'limit', limitPrice: 20000 });
    await eventually(async () => (await orders()).find((o) => o.type === 'limit' && o.status === 'working'), 10000, 'working limit order');
    await hook({ action: 'cancel' });
    await eventually(
      async () => (await orders()).find((o) => o.type === 'limit' && o.status === 'cancelled'),
      10000,
      'cancelled limit order',
    );
  });
});
