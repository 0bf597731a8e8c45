import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frontMonth } from '../../../plugins/tradovate/src/contracts.js';
import { FakeTradovate } from '../../../plugins/tradovate/src/testing/fake-tradovate.js';
import { testUser } from '../../../plugins/tradovate/src/testing/harness.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { connectWs } from '../../support/ws-client.js';

/**
 * The Tradovate plugin inside a real server, against a fake Tradovate: an admin adds the account
 * (secrets go in encrypted, the plugin gets them decrypted), a webhook trades through it, a fill
 * made in Tradovate's own app shows up as a manual trade, and the feed quotes the front month.
 */
describe('Tradovate through the server', () => {
  const user = testUser();
  const nq = frontMonth('NQ', new Date(), 8).symbol;
  let fake: FakeTradovate;
  let server: TestServer;
  let accountId: string;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    fake = await FakeTradovate.start({ heartbeatMs: 200, users: [user] });
    fake.quote(nq, 25300, 25300.25);
    server = await startServer({
      overrides: {
        plugins: {
          disabled: ['sim-feed'],
          settings: { tradovate: { restUrl: fake.restUrl, wsUrl: fake.wsUrl, mdUrl: fake.mdUrl, heartbeatMs: 200, reconnectMinMs: 20 } },
        },
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('loads as one plugin that is a broker and a data feed, idle and healthy without an account', async () => {
    const health = (await http(server.url, 'GET', '/api/health')).body;
    expect(health.status).toBe('ok');
    expect(health.plugins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'tradovate', kind: ['broker', 'datafeed'], status: 'started', error: null }),
      ]),
    );
    expect(health.feeds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'tradovate', connected: false, error: 'idle: no Tradovate account is configured' }),
      ]),
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('takes an account whose secrets stay write-only, and logs in with them', async () => {
    const created = await http(server.url, 'POST', '/api/accounts', {
      name: 'Tradovate demo',
      broker: 'tradovate',
      brokerAccountId: 'DEMO501',
      settings: { environment: 'demo', username: user.name, appId: 'Tradeloop', appVersion: '1.0', cid: 8 },
      secrets: { password: user.password, sec: user.sec },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual(['password', 'sec']);
    expect(JSON.stringify(created.body)).not.toContain(user.password);
    accountId = created.body.id;
    await eventually(async () => fake.calls('auth/accesstokenrequest').length > 0, 5000, 'a login');
    expect(fake.calls('auth/accesstokenrequest')[0]!.body).toEqual(
      expect.objectContaining({ name: user.name, password: user.password, sec: user.sec, cid: 8 }),
    );
    await eventually(
      async () => (await http(server.url, 'GET', '/api/market/feeds')).body.find((f: any) => f.name === 'tradovate')?.connected,
      5000,
      'the market-data connection',
    );
  });

  it('trades a webhook through Tradovate and books the fill', async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'NQ via Tradovate', defaultQuantity: 2, accountId });
    expect(created.status).toBe(201);
    strategy = created.body;
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'CME_MINI:NQ1!', action: 'buy' });
    expect(hook.status).toBe(202);
    const position = await eventually(
      async () => ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 2),
      10000,
      'the position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'NQ1!', accountId, avgPrice: 25300.25 }));
    expect(fake.calls('order/placeorder')[0]!.body).toEqual(
      expect.objectContaining({ accountSpec: 'DEMO501', symbol: nq, orderQty: 2, action: 'Buy' }),
    );
  });

  it("books a fill made in Tradovate's own app as a manual trade on the account", async () => {
    fake.tradeElsewhere(501, nq, 'Sell', 1, 25310);
    const manual = await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/positions?accountId=${accountId}`)).body as any[]).find(
          (p) => p.strategyId === null || p.strategyId === '',
        ),
      10000,
      'the manual position',
    );
    expect(manual).toEqual(expect.objectContaining({ ticker: 'NQ1!', quantity: -1 }));
    const orders = (await http(server.url, 'GET', `/api/orders?accountId=${accountId}`)).body.items as any[];
    expect(orders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ strategyId: null, status: 'filled', reason: expect.stringMatching(/placed outside Tradeloop/) }),
      ]),
    );
  });

  it('quotes the front month through the Tradovate feed', async () => {
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: 'NQ1!' });
    fake.quote(nq, 25305, 25305.25);
    const quote = await eventually(
      async () => ((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).find((q) => q.ticker === 'NQ1!' && q.bid === 25305),
      10000,
      'a Tradovate quote',
    );
    expect(quote).toBeTruthy();
  });

  it('never writes the password or the API secret to the log', async () => {
    const logs = JSON.stringify((await http(server.url, 'GET', '/api/logs?limit=500')).body);
    expect(logs).toContain('tradovate');
    expect(logs).not.toContain(user.password);
    expect(logs).not.toContain(user.sec);
  });

  it("passes a risk check's refusal after the ack to the order, the ORDER message and the log, with Tradovate's reason", async () => {
    const ws = await connectWs(server.url);
    try {
      fake.holdNew = true; // the exchange has not accepted it yet: the ack says working
      const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
      expect(hook.status).toBe(202);
      const working = await eventually(
        async () => ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as any[])[0],
        10000,
        'the working order',
      );
      fake.riskRejectNextOrder('MaxPosLimitReached', 'Max position limit reached for NQ');
      fake.holdNew = false;
      fake.exchange.activate(fake.orders.get(Number(working.brokerOrderId))!);
      const reason = 'Tradovate rejected the order: Max position limit reached for NQ — MaxPosLimitReached';
      const pushed = await ws.next('ORDER', (m) => m.data.id === working.id && m.data.status === 'rejected');
      expect(pushed.data.reason).toBe(reason);
      const stored = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=rejected`)).body.items as any[];
      expect(stored).toEqual(expect.arrayContaining([expect.objectContaining({ id: working.id, reason })]));
      const logs = JSON.stringify((await http(server.url, 'GET', '/api/logs?limit=200')).body);
      expect(logs).toContain(`rejected: ${reason}`);
    } finally {
      fake.holdNew = false;
      await ws.close();
    }
  });
});

/**
 * A restart between placing and filling: the server sends its working order to the plugin again; the
 * plugin finds it at Tradovate from the server's records (the fake keeps no clOrdId on commands) and
 * places nothing twice, and the fill books against the original order.
 */
describe('Tradovate across a server restart', () => {
  const user = testUser();
  const nq = frontMonth('NQ', new Date(), 8).symbol;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-tradovate-restart-'));
  let fake: FakeTradovate;
  let server: TestServer | undefined;
  const settings = () => ({
    overrides: {
      plugins: {
        disabled: ['sim-feed'],
        settings: { tradovate: { restUrl: fake.restUrl, wsUrl: fake.wsUrl, mdUrl: fake.mdUrl, heartbeatMs: 200, reconnectMinMs: 20 } },
      },
    },
  });

  beforeAll(async () => {
    fake = await FakeTradovate.start({ heartbeatMs: 200, users: [user] });
    fake.quote(nq, 25300, 25300.25);
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recognises its working order after the restart, places it once, and books its fill on the original order', async () => {
    server = await startServer({ dataDir, ...settings() });
    const account = await http(server.url, 'POST', '/api/accounts', {
      name: 'Tradovate demo',
      broker: 'tradovate',
      brokerAccountId: 'DEMO501',
      settings: { environment: 'demo', username: user.name, appId: 'Tradeloop', appVersion: '1.0', cid: 8 },
      secrets: { password: user.password, sec: user.sec },
    });
    expect(account.status).toBe(201);
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'NQ limit', defaultQuantity: 1, accountId: account.body.id });
    const strategy = created.body;
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
    expect(fake.calls('order/placeorder')).toHaveLength(1);
    await server.close({ keepData: true });

    server = await startServer({ dataDir, ...settings() });
    await eventually(async () => fake.wsRequests.filter((r) => r.endpoint === 'user/syncrequest').length >= 2, 10000, 'the new sync');
    await eventually(
      async () =>
        ((await http(server!.url, 'GET', '/api/logs?limit=200')).body as any[]).some((l) => /restored 1 working order/.test(l.message)),
      10000,
      'the working order restored',
    );
    expect(fake.calls('order/placeorder')).toHaveLength(1);
    fake.quote(nq, 25199.75, 25200);
    const position = await eventually(
      async () =>
        ((await http(server!.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 1),
      10000,
      'the position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'NQ1!', avgPrice: 25200 }));
    const filled = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
    expect(filled).toEqual([expect.objectContaining({ id: working.id, status: 'filled', filledQuantity: 1 })]);
  });
});
