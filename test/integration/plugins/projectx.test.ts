import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_USER, FakeProjectX } from '../../../plugins/projectx/src/testing/fake-projectx.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/**
 * The ProjectX plugin inside a real server, against a fake ProjectX gateway: an admin adds the
 * account (the API key goes in sealed), a webhook alert becomes an order at the gateway tagged with
 * its client order id, the fill comes back over the user hub (SignalR) and is booked to the cent,
 * a root outside the futures catalog is priced with ProjectX's tick size and value, and the feed
 * quotes the front month over the market hub.
 */
describe('ProjectX through the server', () => {
  const user = structuredClone(DEFAULT_USER);
  let fake: FakeProjectX;
  let server: TestServer;
  let accountId: string;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    fake = await FakeProjectX.start({ users: [user], keepAliveMs: 500 });
    fake.exchange.feesPerContract = 1.37;
    fake.quote('NQZ6', 25300, 25300.25);
    fake.quote('6EZ6', 1.085, 1.08505);
    server = await startServer({
      overrides: {
        plugins: {
          disabled: ['sim-feed', 'tradovate'],
          settings: { projectx: { apiUrl: fake.url, rtcUrl: fake.url, reconnectMaxMs: 200 } },
        },
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('loads as one plugin that is a broker and a data feed, idle without an account, sending nothing', async () => {
    const health = (await http(server.url, 'GET', '/api/health')).body;
    expect(health.plugins).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'projectx', kind: ['broker', 'datafeed'], status: 'started', error: null })]),
    );
    expect(health.feeds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'projectx', connected: false, error: 'idle: no ProjectX account is configured' }),
      ]),
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('takes an account whose API key stays sealed, and logs in with it', async () => {
    const created = await http(server.url, 'POST', '/api/accounts', {
      name: 'TopstepX practice',
      broker: 'projectx',
      brokerAccountId: 'PRAC-V2-101',
      startingBalance: 50000,
      settings: { userName: user.userName },
      secrets: { apiKey: user.apiKey },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual(['apiKey']);
    expect(JSON.stringify(created.body)).not.toContain(user.apiKey);
    accountId = created.body.id;
    await eventually(async () => fake.calls('/api/Auth/loginKey').length > 0, 5000, 'a login');
    expect(fake.calls('/api/Auth/loginKey')[0]!.body).toEqual({ userName: user.userName, apiKey: user.apiKey });
    await eventually(
      async () => fake.hubs.invocations.some((i) => i.target === 'SubscribeTrades' && i.args[0] === 101),
      5000,
      "the user hub's trade subscription",
    );
  });

  it('turns a webhook alert into an order at ProjectX and books its fill from the user hub to the cent', async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'NQ via ProjectX', defaultQuantity: 2, accountId });
    expect(created.status).toBe(201);
    strategy = created.body;
    const lookups = fake.calls('/api/Trade/search').length;
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'CME_MINI:NQ1!', action: 'buy' });
    expect(hook.status).toBe(202);
    const position = await eventually(
      async () => ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 2),
      10000,
      'the long position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'NQ1!', accountId, avgPrice: 25300.25 }));
    const placed = fake.calls('/api/Order/place')[0]!.body;
    expect(placed).toEqual(expect.objectContaining({ accountId: 101, contractId: 'CON.F.US.ENQ.Z26', type: 2, side: 0, size: 2 }));
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
    expect(placed['customTag']).toBe(orders[0].clientOrderId);
    // The fill came as a GatewayUserTrade event, not from a lookup.
    expect(fake.calls('/api/Trade/search')).toHaveLength(lookups);

    fake.quote('NQZ6', 25310.75, 25311);
    const flat = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', positionSize: 0 });
    expect(flat.status).toBe(202);
    const trades = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body;
        return body.total === 1 ? body.items : undefined;
      },
      10000,
      'the closed trade',
    );
    // long 2 @ 25300.25 → 25310.75: 42 ticks × $5 × 2 = $420.00; fees $1.37 a contract a side: 4 × 1.37 = $5.48
    expect(trades.map((t: any) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.grossPnl, t.commission, t.pnl])).toEqual([
      ['long', 2, 25300.25, 25310.75, 420, 5.48, 414.52],
    ]);
  });

  it("prices a root outside the futures catalog with ProjectX's tick size and value", async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'Euro via ProjectX', defaultQuantity: 1, accountId });
    const euro = created.body;
    await http(server.url, 'POST', `/webhooks/${euro.webhookToken}`, { ticker: 'CME:6E1!', action: 'buy' });
    await eventually(
      async () => ((await http(server.url, 'GET', `/api/positions?strategyId=${euro.id}`)).body as any[]).find((p) => p.quantity === 1),
      10000,
      'the euro position',
    );
    fake.quote('6EZ6', 1.0856, 1.08565);
    await http(server.url, 'POST', `/webhooks/${euro.webhookToken}`, { ticker: '6E1!', positionSize: 0 });
    const trades = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/trades?strategyId=${euro.id}`)).body;
        return body.total === 1 ? body.items : undefined;
      },
      10000,
      'the euro trade',
    );
    // 1.08505 → 1.0856: 11 ticks of 0.00005 × $6.25 = $68.75 (the stock-style default would say $0.00)
    expect(trades.map((t: any) => [t.ticker, t.entryPrice, t.exitPrice, t.grossPnl])).toEqual([['6E1!', 1.08505, 1.0856, 68.75]]);
  });

  it("books a trade made on ProjectX's own platform as a manual trade on the account", async () => {
    fake.tradeElsewhere(101, 'NQZ6', 'sell', 1, 25312);
    const manual = await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/positions?accountId=${accountId}`)).body as any[]).find(
          (p) => !p.strategyId && p.quantity === -1,
        ),
      10000,
      'the manual position',
    );
    expect(manual).toEqual(expect.objectContaining({ ticker: 'NQ1!', avgPrice: 25312 }));
  });

  it('quotes the front month through the market hub', async () => {
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: 'NQ1!' });
    fake.quote('NQZ6', 25320, 25320.25);
    const quote = await eventually(
      async () => ((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).find((q) => q.ticker === 'NQ1!' && q.bid === 25320),
      10000,
      'a ProjectX quote',
    );
    expect(quote.feed).toBe('projectx');
  });

  it('never writes the API key to the log', async () => {
    const logs = JSON.stringify((await http(server.url, 'GET', '/api/logs?limit=500')).body);
    expect(logs).toContain('projectx');
    expect(logs).not.toContain(user.apiKey);
  });
});

/**
 * A restart between placing and filling: the server sends its working order to the plugin again;
 * the plugin finds it at ProjectX by its customTag and places nothing twice, and the fill that
 * happened while the server was down is booked against the original order.
 */
describe('ProjectX across a server restart', () => {
  const user = structuredClone(DEFAULT_USER);
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-projectx-restart-'));
  let fake: FakeProjectX;
  let server: TestServer | undefined;
  const settings = () => ({
    overrides: {
      plugins: { disabled: ['sim-feed', 'tradovate'], settings: { projectx: { apiUrl: fake.url, rtcUrl: fake.url, reconnectMaxMs: 200 } } },
    },
  });

  beforeAll(async () => {
    fake = await FakeProjectX.start({ users: [user], keepAliveMs: 500 });
    fake.quote('NQZ6', 25300, 25300.25);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recognises its working order after the restart, places it once, and books the fill it missed on the original order', async () => {
    server = await startServer({ dataDir, ...settings() });
    const account = await http(server.url, 'POST', '/api/accounts', {
      name: 'TopstepX practice',
      broker: 'projectx',
      brokerAccountId: 'PRAC-V2-101',
      settings: { userName: user.userName },
      secrets: { apiKey: user.apiKey },
    });
    expect(account.status).toBe(201);
    const strategy = (
      await http(server.url, 'POST', '/api/strategies', { name: 'NQ limit', defaultQuantity: 1, accountId: account.body.id })
    ).body;
    await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      orderType: 'limit',
      limitPrice: 25200,
    });
    const working = await eventually(
      async () => ((await http(server!.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as any[])[0],
      10000,
      'the working order',
    );
    expect(fake.calls('/api/Order/place')).toHaveLength(1);
    await server.close({ keepData: true });
    server = undefined;

    fake.quote('NQZ6', 25199.75, 25200); // fills while Tradeloop is away
    server = await startServer({ dataDir, ...settings() });
    const position = await eventually(
      async () =>
        ((await http(server!.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 1),
      10000,
      'the position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'NQ1!', avgPrice: 25200 }));
    expect(fake.calls('/api/Order/place')).toHaveLength(1);
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
    expect(orders).toEqual([expect.objectContaining({ id: working.id, status: 'filled', filledQuantity: 1, avgFillPrice: 25200 })]);
  });
});
