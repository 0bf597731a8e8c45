import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer, type TestServerOptions } from './app.js';

/**
 * One webhook-to-P&L path every storage and queue combination must pass. The simulated feed is
 * off so market orders fill at the alert's price and every dollar below is computed by hand.
 */
export function defineTradingSuite(label: string, options: () => Promise<TestServerOptions & { cleanup?: () => Promise<void> }>) {
  describe(`webhook to filled paper trade (${label})`, () => {
    let server: TestServer;
    let cleanup: (() => Promise<void>) | undefined;
    let strategy: { id: string; webhookToken: string; webhookUrl: string };
    const hook = (body: unknown, contentType?: string) =>
      http(
        server.url,
        'POST',
        `/webhooks/${strategy.webhookToken}`,
        body,
        typeof body === 'string' ? { raw: true, contentType: contentType ?? 'text/plain' } : {},
      );
    const positions = async () => (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[];
    const settled = async (eventId: string) =>
      eventually(
        async () => {
          const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=200`)).body as any[];
          return logs.find((l) => l.category === 'engine' && l.context?.eventId === eventId);
        },
        15000,
        `event ${eventId} to be processed`,
      );

    beforeAll(async () => {
      const { cleanup: done, ...serverOptions } = await options();
      cleanup = done;
      server = await startServer({ ...serverOptions, overrides: { plugins: { disabled: ['sim-feed'] }, ...serverOptions.overrides } });
      const created = await http(server.url, 'POST', '/api/strategies', { name: `NQ trend ${label}`, defaultQuantity: 1 });
      expect(created.status).toBe(201);
      strategy = created.body;
    });

    afterAll(async () => {
      await server?.close();
      await cleanup?.();
    });

    it('starts with the paper broker and a $50,000 paper account', async () => {
      const health = await http(server.url, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.body.database.ok).toBe(true);
      expect(health.body.plugins).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'paper-broker', kind: 'broker', status: 'started' })]),
      );
      const accounts = await http(server.url, 'GET', '/api/accounts');
      expect(accounts.body).toEqual([expect.objectContaining({ name: 'Paper', startingBalance: 50000, balance: 50000 })]);
    });

    it('gives each strategy a secret webhook URL of at least 128 bits', () => {
      expect(Buffer.from(strategy.webhookToken, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      expect(strategy.webhookUrl).toMatch(new RegExp(`/webhooks/${strategy.webhookToken}$`));
    });

    it('buys, reverses through zero and closes to positionSize 0, with FIFO trades and P&L to the cent', async () => {
      const buy = await hook({ ticker: 'CME_MINI:NQ1!', action: 'buy', quantity: '2', price: '25000.00', id: `${label}-1` });
      expect(buy.status).toBe(202);
      expect(buy.body).toEqual({ accepted: true, eventId: expect.any(String) });
      await settled(buy.body.eventId);
      expect(await positions()).toEqual([expect.objectContaining({ ticker: 'NQ1!', quantity: 2, side: 'long', avgPrice: 25000 })]);

      // text/plain, as TradingView sends a message it does not recognize as JSON.
      const sell = await hook(`{"ticker":"NQ1!","action":"sell","quantity":"3","price":"25010.25","id":"${label}-2"}`);
      expect(sell.status).toBe(202);
      await settled(sell.body.eventId);
      expect(await positions()).toEqual([expect.objectContaining({ quantity: -1, side: 'short', avgPrice: 25010.25 })]);

      const flat = await hook({ ticker: 'NQ1!', positionSize: 0, price: 25005, id: `${label}-3` });
      await settled(flat.body.eventId);
      expect(await positions()).toEqual([]);

      const trades = await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`);
      // long 2 @ 25000 → 25010.25: 41 ticks × $5 × 2 = $410; short 1 @ 25010.25 → 25005: 21 ticks × $5 = $105
      expect(trades.body.total).toBe(2);
      expect(trades.body.items.map((t: any) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.pnl])).toEqual([
        ['short', 1, 25010.25, 25005, 105],
        ['long', 2, 25000, 25010.25, 410],
      ]);
      const flatPositions = await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`);
      expect(flatPositions.body).toEqual([expect.objectContaining({ quantity: 0, realizedPnl: 515 })]);
      const accounts = await http(server.url, 'GET', '/api/accounts');
      expect(accounts.body[0]).toEqual(expect.objectContaining({ realizedPnl: 515, balance: 50515 }));

      const orders = await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`);
      expect(orders.body.items.map((o: any) => [o.side, o.quantity, o.status, o.avgFillPrice])).toEqual([
        ['buy', 1, 'filled', 25005],
        ['sell', 3, 'filled', 25010.25],
        ['buy', 2, 'filled', 25000],
      ]);
    });

    it('executes a repeated alert id once and answers 200 duplicate', async () => {
      const first = await hook({ ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800, id: `${label}-dup` });
      const again = await hook({ ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800, id: `${label}-dup` });
      expect(first.status).toBe(202);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ accepted: true, eventId: first.body.eventId, duplicate: true });
      await settled(first.body.eventId);
      const mes = (await positions()).find((p) => p.ticker === 'MES1!');
      expect(mes.quantity).toBe(1);
      const orders = await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`);
      expect(orders.body.items.filter((o: any) => o.ticker === 'MES1!')).toHaveLength(1);
    });

    it('keeps one strategy in arrival order under a burst', async () => {
      const results = [];
      for (let i = 0; i < 20; i++)
        results.push(await hook({ ticker: 'MYM1!', action: i % 2 ? 'sell' : 'buy', quantity: i + 1, price: 47000 + i }));
      expect(results.every((r) => r.status === 202)).toBe(true);
      await settled(results[19].body.eventId);
      // +1 −2 +3 −4 … −20 = −10
      expect((await positions()).find((p) => p.ticker === 'MYM1!').quantity).toBe(-10);
      // The engine logs each event as it finishes; log ids are assigned in commit order.
      const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=1000`)).body as any[];
      const ids = new Set(results.map((r) => r.body.eventId));
      const finished = logs.filter((l) => l.category === 'engine' && ids.has(l.context?.eventId)).reverse();
      expect(finished.map((l) => l.context.eventId)).toEqual(results.map((r) => r.body.eventId));
    });
  });
}
