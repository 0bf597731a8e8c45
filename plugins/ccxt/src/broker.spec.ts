import { afterEach, describe, expect, it } from '@jest/globals';
import { contractView, defineBrokerContractTests } from '@tradeloop/broker-contract';
import { exchangeClientId } from './broker.js';
import { account, harness, orderRequest as order, until, type Harness } from './testing/harness.js';

defineBrokerContractTests('ccxt', async () => contractView(await harness()));

describe('ccxt broker (Binance spot through a fake of its REST API)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });
  const started = async (options: Parameters<typeof harness>[0] = {}) => {
    h = await harness(options);
    await h.broker.start?.();
    h.publishQuote({ ticker: 'BTCUSDT', bid: 90000, ask: 90000.5, time: Date.now() });
    return h;
  };

  it("sends Binance's documented order: symbol, side, type, quantity, newClientOrderId, signed with the API key", async () => {
    const h = await started();
    const request = order({
      clientOrderId: 'shape-1',
      type: 'limit',
      side: 'sell',
      quantity: 0.015,
      limitPrice: 91000.5,
      timeInForce: 'gtc',
    });
    expect((await h.broker.placeOrder(request)).status).toBe('working');
    const [call] = h.fake.calls('POST', '/api/v3/order');
    expect(call!.params).toEqual(
      expect.objectContaining({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        quantity: '0.015',
        price: '91000.5',
        timeInForce: 'GTC',
        newClientOrderId: exchangeClientId('shape-1'),
        signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    );
    expect(exchangeClientId('shape-1')).toMatch(/^tl[0-9a-f]{30}$/);
    expect(call!.apiKey).toBe('fake-binance-key');
    await h.broker.placeOrder(order({ clientOrderId: 'shape-2', type: 'stop', side: 'sell', stopPrice: 89000 }));
    expect(h.fake.calls('POST', '/api/v3/order')[1]!.params).toEqual(expect.objectContaining({ type: 'STOP_LOSS', stopPrice: '89000' }));
  });

  it('maps TradingView spellings to markets: BINANCE:BTCUSDT and BTC/USDT to the spot market; a perpetual the exchange does not list is refused', async () => {
    const h = await started();
    for (const ticker of ['BTCUSDT', 'BTC/USDT']) expect((await h.broker.placeOrder(order({ ticker }))).status).toBe('filled');
    expect(h.fake.calls('POST', '/api/v3/order').map((c) => c.params.symbol)).toEqual(['BTCUSDT', 'BTCUSDT']);
    expect((await h.broker.placeOrder(order({ ticker: 'BTCUSDT.P' }))).reason).toBe(
      'binance has no market for BTCUSDT.P (spelled like BTCUSDT, BTC/USDT, or BTCUSDT.P for a perpetual)',
    );
  });

  it("checks amount step, minimum amount, tick size and minimum cost from ccxt's markets before sending", async () => {
    const h = await started();
    expect((await h.broker.placeOrder(order({ quantity: 0.000015 }))).reason).toBe(
      "quantity 0.000015 is not a multiple of BTC/USDT's amount step 0.00001",
    );
    expect((await h.broker.placeOrder(order({ type: 'limit', limitPrice: 90000.005 }))).reason).toBe(
      "limitPrice 90000.005 is not a multiple of BTC/USDT's tick size 0.01",
    );
    expect((await h.broker.placeOrder(order({ quantity: 0.00005 }))).reason).toBe(
      "the order is worth 4.500025 USDT, below BTC/USDT's minimum of 5",
    );
    expect(h.fake.calls('POST', '/api/v3/order')).toHaveLength(0);
  });

  it("passes the exchange's refusals through in its words", async () => {
    const h = await started();
    expect((await h.broker.placeOrder(order({ quantity: 100 }))).reason).toBe(
      'binance refused the order: Account has insufficient balance for requested action.',
    );
    h.fake.refuseNext(-1013, 'Filter failure: PERCENT_PRICE_BY_SIDE');
    expect((await h.broker.placeOrder(order())).reason).toBe('binance refused the order: Filter failure: PERCENT_PRICE_BY_SIDE');
    expect((await h.broker.placeOrder(order({ brokerAccountId: 'nope' }))).reason).toBe(
      'no ccxt account "nope" is configured in Tradeloop',
    );
  });

  it('books fills with the exchange fee when it is charged in dollars (USDT), to the cent', async () => {
    const h = await started();
    h.fake.commissionRate = 0.001;
    const ack = await h.broker.placeOrder(order({ quantity: 0.02 }));
    expect(ack.status).toBe('filled');
    // 0.02 × 90000.5 = 1800.01 USDT; 0.1 % of it = 1.80001 → 1.80.
    expect(h.fills).toEqual([
      expect.objectContaining({ quantity: 0.02, price: 90000.5, commission: 1.8, fillId: expect.stringMatching(/^binance:\d+$/) }),
    ]);
  });

  it('reconciles at start: an order still open on record that filled while the server was down is booked and ended', async () => {
    const first = await started();
    const request = order({ type: 'limit', limitPrice: 89000 });
    expect((await first.broker.placeOrder(request)).status).toBe('working');
    await first.broker.stop?.();
    first.fake.quote('BTCUSDT', 88990, 88995);
    const second = await harness({ reuse: first.fake, records: first.records });
    try {
      await second.broker.start?.();
      expect(second.fills).toEqual([expect.objectContaining({ clientOrderId: request.clientOrderId, price: 88995, quantity: 0.01 })]);
      expect(second.updates).toEqual([expect.objectContaining({ clientOrderId: request.clientOrderId, status: 'filled' })]);
    } finally {
      await second.teardown();
    }
  });

  it('takes tick size from the market, a dollar per point per coin', async () => {
    const h = await started();
    expect(await h.broker.instrument!('BTCUSDT')).toEqual({
      root: 'BTCUSDT',
      description: 'BTC/USDT',
      kind: 'equity',
      tickSize: 0.01,
      tickValue: 0.01,
    });
    expect(await h.broker.instrument!('DOGEUSDT')).toBeUndefined();
  });

  it('stays idle without an account; refuses a bad exchange id in words; never logs the secret', async () => {
    const h = await started({ accounts: [] });
    expect(h.logs).toContain('info: idle: no ccxt account is configured');
    h.setAccounts([account({ settings: { exchange: 'nosuchexchange' } })]);
    await until(() => h.logs.find((l) => l.includes('settings.exchange')), 'the warning');
    h.setAccounts([account({ secrets: { apiKey: 'wrong-key', secret: 'fake-binance-secret-5d4c3b' } })]);
    const ack = await h.broker.placeOrder(order());
    expect(ack.reason).toMatch(/^binance refused the order: Invalid API-key/);
    expect(h.logs.join('\n') + JSON.stringify(ack)).not.toContain('fake-binance-secret-5d4c3b');
  });
});
