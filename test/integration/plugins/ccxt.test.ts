import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeBinance, spotSymbol } from '../../../plugins/ccxt/src/testing/fake-binance.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/**
 * The ccxt plugin inside a real server, against a fake of Binance's spot REST API reached by
 * pointing ccxt's URLs at it: a webhook alert becomes an order there, its fill comes back through
 * ccxt (a market order's in the placement's answer, a resting order's by polling fetchOrder and
 * fetchMyTrades) and is booked to the cent, fees included.
 */
describe('ccxt (Binance) through the server', () => {
  const apiKey = 'e2e-binance-key';
  const secret = 'e2e-binance-secret-0a9b8c';
  let fake: FakeBinance;
  let server: TestServer;
  let accountId: string;

  beforeAll(async () => {
    fake = await FakeBinance.start({ apiKey, symbols: [spotSymbol('BTCUSDT', 'BTC', 'USDT')] });
    fake.commissionRate = 0.001;
    fake.quote('BTCUSDT', 90000, 90000.5);
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'], settings: { ccxt: { apiUrl: fake.url, pollMs: 50 } } } },
    });
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('loads, idle without an account', async () => {
    const health = (await http(server.url, 'GET', '/api/health')).body;
    expect(health.plugins).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'ccxt', kind: 'broker', status: 'started', error: null })]),
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('takes an account with the exchange in its settings and the API secret sealed', async () => {
    const created = await http(server.url, 'POST', '/api/accounts', {
      name: 'Binance testnet',
      broker: 'ccxt',
      brokerAccountId: 'binance-testnet',
      settings: { exchange: 'binance', sandbox: true },
      secrets: { apiKey, secret },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual(['apiKey', 'secret']);
    accountId = created.body.id;
    await eventually(async () => fake.calls('GET', '/api/v3/exchangeInfo').length > 0, 5000, 'the markets');
  });

  it('trades a webhook alert on the exchange and books the fills, with the fees, to the cent', async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'BTC via ccxt', defaultQuantity: 0.02, accountId });
    expect(created.status).toBe(201);
    const strategy = created.body;
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'BINANCE:BTCUSDT',
      action: 'buy',
      price: 90000.5,
    });
    expect(hook.status).toBe(202);
    const position = await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 0.02),
      10000,
      'the position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'BTCUSDT', accountId, avgPrice: 90000.5 }));
    expect(fake.calls('POST', '/api/v3/order')[0]!.params).toEqual(
      expect.objectContaining({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.02',
        newClientOrderId: expect.stringMatching(/^tl[0-9a-f]{30}$/),
      }),
    );

    fake.quote('BTCUSDT', 91000, 91000.5);
    const exit = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'BTCUSDT', action: 'exit', price: 91000 });
    expect(exit.status).toBe(202);
    const summary = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/pnl/summary?strategyId=${strategy.id}`)).body;
        return body.tradeCount >= 1 ? body : undefined;
      },
      10000,
      'the closed trade',
    );
    // 0.02 × (91000 − 90000.5) = 19.99; fees 0.1 %: 1800.01 → 1.80 and 1820.00 → 1.82; 19.99 − 3.62 = 16.37.
    expect(summary.realizedPnl).toBe(16.37);
  });

  it('rests a limit order from an alert at the exchange and books its fill, found by polling, to the cent', async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'BTC limits via ccxt', defaultQuantity: 0.01, accountId });
    const strategy = created.body;
    const before = fake.calls('GET', '/api/v3/myTrades').length;
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'BTCUSDT',
      action: 'buy',
      orderType: 'limit',
      limitPrice: 89000,
    });
    expect(hook.status).toBe(202);
    await eventually(
      async () => fake.orders.find((o) => o.type === 'LIMIT' && o.price === '89000' && o.isWorking),
      10000,
      'the resting order',
    );
    fake.quote('BTCUSDT', 88990, 88995.5);
    const position = await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 0.01),
      10000,
      'the position',
    );
    expect(position.avgPrice).toBe(88995.5);
    expect(fake.calls('GET', '/api/v3/myTrades').length).toBeGreaterThan(before);
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
    expect(orders).toEqual([expect.objectContaining({ status: 'filled' })]);
  });

  it('never writes the API secret to the log', async () => {
    const logs = JSON.stringify((await http(server.url, 'GET', '/api/logs?limit=500')).body);
    expect(logs).not.toContain(secret);
  });
});
