import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { asset, FakeAlpaca } from '../../../plugins/alpaca/src/testing/fake-alpaca.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/**
 * The Alpaca plugin inside a real server, against a fake Alpaca: an admin adds the account, a
 * webhook alert becomes an order at the fake, its fill comes back over the fake trade-updates
 * stream and is booked to the cent, and the feed quotes the stock.
 */
describe('Alpaca through the server', () => {
  const key = { keyId: 'PKE2E0001', secretKey: 'e2e-secret-7c6b5a', accountNumber: 'PA3E2E0001', cash: 100_000 };
  let fake: FakeAlpaca;
  let server: TestServer;
  let accountId: string;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    fake = await FakeAlpaca.start({ accounts: [key], assets: [asset('AAPL'), asset('SNDL', { price_increment: '0.0001' })] });
    fake.quote('SNDL', 0.9512, 0.9515);
    fake.quote('AAPL', 187.5, 187.52);
    server = await startServer({
      overrides: {
        plugins: {
          disabled: ['sim-feed'],
          settings: { alpaca: { restUrl: fake.restUrl, streamUrl: fake.streamUrl, dataUrl: fake.dataUrl, reconnectMinMs: 20 } },
        },
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('loads as a broker and a data feed, idle without an account', async () => {
    const health = (await http(server.url, 'GET', '/api/health')).body;
    expect(health.plugins).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'alpaca', kind: ['broker', 'datafeed'], status: 'started', error: null })]),
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses an account without its declared fields, naming them', async () => {
    const missing = await http(server.url, 'POST', '/api/accounts', {
      name: 'Alpaca',
      broker: 'alpaca',
      brokerAccountId: 'PA3X',
      settings: {},
    });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/keyId/);
    expect(JSON.stringify(missing.body)).toMatch(/secretKey/);
  });

  it('takes an account whose secret key stays write-only', async () => {
    const created = await http(server.url, 'POST', '/api/accounts', {
      name: 'Alpaca paper',
      broker: 'alpaca',
      brokerAccountId: key.accountNumber,
      settings: { environment: 'paper', keyId: key.keyId },
      secrets: { secretKey: key.secretKey },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual(['secretKey']);
    expect(JSON.stringify(created.body)).not.toContain(key.secretKey);
    accountId = created.body.id;
  });

  it('trades a webhook alert through Alpaca and books the fill from the stream to the cent', async () => {
    const created = await http(server.url, 'POST', '/api/strategies', { name: 'AAPL via Alpaca', defaultQuantity: 3, accountId });
    expect(created.status).toBe(201);
    strategy = created.body;
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NASDAQ:AAPL', action: 'buy' });
    expect(hook.status).toBe(202);
    const position = await eventually(
      async () => ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.quantity === 3),
      10000,
      'the position',
    );
    expect(position).toEqual(expect.objectContaining({ ticker: 'AAPL', accountId, avgPrice: 187.52 }));
    expect(fake.calls('POST', '/v2/orders')[0]!.body).toEqual(
      expect.objectContaining({ symbol: 'AAPL', qty: '3', side: 'buy', type: 'market', client_order_id: expect.stringMatching(/^tl-/) }),
    );

    fake.quote('AAPL', 188.13, 188.15);
    const exit = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'AAPL', action: 'exit' });
    expect(exit.status).toBe(202);
    // 3 × (188.13 − 187.52) = 1.83, no commission.
    const summary = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/pnl/summary?strategyId=${strategy.id}`)).body;
        return body.tradeCount >= 1 ? body : undefined;
      },
      10000,
      'the closed trade',
    );
    expect(summary.realizedPnl).toBe(1.83);
    expect(fake.calls('POST', '/v2/orders')[1]!.body).toEqual(expect.objectContaining({ symbol: 'AAPL', qty: '3', side: 'sell' }));
  });

  it('quotes the stock through the Alpaca feed', async () => {
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { defaultTicker: 'AAPL' });
    const quote = await eventually(
      async () => {
        fake.quote('AAPL', 188.2, 188.22);
        return ((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).find((q) => q.ticker === 'AAPL' && q.bid === 188.2);
      },
      10000,
      'an Alpaca quote',
    );
    expect(quote.feed).toBe('alpaca');
  });

  it("takes a stock's tick size from Alpaca's asset once it traded there (point value one dollar per share)", async () => {
    const hook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'SNDL', action: 'buy', quantity: 100 });
    expect(hook.status).toBe(202);
    await eventually(
      async () =>
        ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[]).find((p) => p.ticker === 'SNDL'),
      10000,
      'the SNDL position',
    );
    const quote = await eventually(
      async () => {
        fake.quote('SNDL', 0.9513, 0.9516);
        return ((await http(server.url, 'GET', '/api/market/quotes')).body as any[]).find((q) => q.ticker === 'SNDL' && q.bid === 0.9513);
      },
      10000,
      'an SNDL quote',
    );
    expect(quote).toEqual(expect.objectContaining({ step: 0.0001, tickValue: 0.0001 }));
  });

  it('never writes the secret key to the log', async () => {
    const logs = JSON.stringify((await http(server.url, 'GET', '/api/logs?limit=500')).body);
    expect(logs).not.toContain(key.secretKey);
  });
});
