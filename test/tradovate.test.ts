import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { frontMonth } from '../plugins/tradovate/src/contracts.js';
import { FakeTradovate } from '../plugins/tradovate/src/testing/fake-tradovate.js';
import { testUser } from '../plugins/tradovate/src/testing/harness.js';
import { eventually, http, startServer, type TestServer } from './support/app.js';

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
});
