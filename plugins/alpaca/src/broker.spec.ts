import { afterEach, describe, expect, it } from '@jest/globals';
import { contractView, defineBrokerContractTests } from '@tradeloop/broker-contract';
import { account, harness, orderRequest as order, pause, until, type Harness } from './testing/harness.js';

defineBrokerContractTests('alpaca', async () => contractView(await harness()));

describe('alpaca broker', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });
  const started = async (options: Parameters<typeof harness>[0] = {}) => {
    h = await harness(options);
    await h.broker.start?.();
    h.fake.quote('AAPL', 187.5, 187.52);
    return h;
  };

  it('sends what the docs describe: symbol, qty as a decimal string, side, type, time in force, prices, client_order_id, keys in headers', async () => {
    const h = await started();
    await h.broker.placeOrder(
      order({
        clientOrderId: 'shape-1',
        type: 'limit',
        side: 'sell',
        quantity: 3,
        limitPrice: 190.25,
        timeInForce: 'day',
        extendedHours: true,
      }),
    );
    const [request] = h.fake.calls('POST', '/v2/orders');
    expect(request!.body).toEqual({
      symbol: 'AAPL',
      qty: '3',
      side: 'sell',
      type: 'limit',
      time_in_force: 'day',
      limit_price: '190.25',
      extended_hours: true,
      client_order_id: 'tl-shape-1',
    });
    expect(request!.keyId).toBe('PKTEST1234');
    await h.broker.placeOrder(order({ clientOrderId: 'shape-2', type: 'stop', side: 'buy', quantity: 2, stopPrice: 191 }));
    expect(h.fake.calls('POST', '/v2/orders')[1]!.body).toEqual(
      expect.objectContaining({ type: 'stop', stop_price: '191', time_in_force: 'gtc', client_order_id: 'tl-shape-2' }),
    );
  });

  it('fills a fractional market order where the asset is fractionable, and books it to the share', async () => {
    const h = await started();
    const request = order({ quantity: 0.5, timeInForce: 'day' });
    const ack = await h.broker.placeOrder(request);
    expect(ack.status).toBe('filled');
    expect(h.fills).toEqual([expect.objectContaining({ clientOrderId: request.clientOrderId, quantity: 0.5, price: 187.52, side: 'buy' })]);
    expect(h.fake.calls('POST', '/v2/orders')[0]!.body).toEqual(expect.objectContaining({ qty: '0.5', time_in_force: 'day' }));
  });

  it('refuses fractions Alpaca does not take, in words, without sending them', async () => {
    const h = await started();
    expect((await h.broker.placeOrder(order({ ticker: 'BRK.A', quantity: 0.5 }))).reason).toBe(
      'BRK.A is not fractionable at Alpaca: the quantity must be a whole number of shares, got 0.5',
    );
    expect((await h.broker.placeOrder(order({ quantity: 0.5, type: 'limit', limitPrice: 180 }))).reason).toMatch(
      /fractional quantities \(0\.5 AAPL\) only as market orders with time in force day/,
    );
    expect((await h.broker.placeOrder(order({ type: 'limit', limitPrice: 180.123 }))).reason).toBe(
      "limitPrice 180.123 is not a multiple of Alpaca's price increment 0.01 for AAPL",
    );
    expect((await h.broker.placeOrder(order({ extendedHours: true }))).reason).toMatch(
      /extended-hours orders only as limit orders with time in force day/,
    );
    expect(h.fake.calls('POST', '/v2/orders')).toHaveLength(0);
  });

  it("passes Alpaca's refusals through as rejected acks in its words", async () => {
    const h = await started();
    h.fake.refuseNext(403, 40310000, 'insufficient buying power');
    expect(await h.broker.placeOrder(order())).toEqual({
      brokerOrderId: '',
      status: 'rejected',
      reason: 'Alpaca refused the order: insufficient buying power',
    });
    h.fake.refuseNext(422, 40010001, 'account is not allowed to short');
    expect((await h.broker.placeOrder(order({ side: 'sell' }))).reason).toBe(
      'Alpaca rejected the order as invalid: account is not allowed to short',
    );
    expect((await h.broker.placeOrder(order({ ticker: 'ZZZZ' }))).reason).toBe('Alpaca does not list ZZZZ');
    expect((await h.broker.placeOrder(order({ brokerAccountId: 'nope' }))).reason).toBe(
      'no Alpaca account "nope" is configured in Tradeloop',
    );
    // The fake's own buying-power check: 100 000 shares of AAPL cost more than the account has.
    const big = await h.broker.placeOrder(order({ quantity: 100_000 }));
    expect(big).toEqual(expect.objectContaining({ status: 'rejected', reason: 'Alpaca refused the order: insufficient buying power' }));
  });

  it('reports a rejection that comes on the stream after the ack', async () => {
    const h = await started();
    h.fake.rejectOnStream = true;
    const request = order({ type: 'limit', limitPrice: 150 });
    const ack = await h.broker.placeOrder(request);
    if (ack.status === 'working') {
      const update = await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId), 'the rejection');
      expect(update).toEqual(expect.objectContaining({ status: 'rejected', brokerOrderId: ack.brokerOrderId }));
    } else expect(ack.status).toBe('rejected');
  });

  it('books each part of a split fill once, with its own id', async () => {
    const h = await started();
    h.fake.book.splitFills = true;
    const request = order({ quantity: 5 });
    expect((await h.broker.placeOrder(request)).status).toBe('filled');
    expect(h.fills.map((f) => f.quantity)).toEqual([2, 3]);
    expect(new Set(h.fills.map((f) => f.fillId)).size).toBe(2);
  });

  it("books a fill made in Alpaca's own app as the account's, and catches up on fills missed while the stream was down", async () => {
    const h = await started();
    h.fake.tradeElsewhere('contract-account', 'AAPL', 'sell', 2, 187.5);
    const manual = await until(() => h.fills.find((f) => f.brokerAccountId === 'contract-account'), 'the manual fill');
    expect(manual).toEqual(expect.objectContaining({ side: 'sell', quantity: 2, price: 187.5, ticker: 'AAPL' }));

    const request = order({ type: 'limit', limitPrice: 187 });
    expect((await h.broker.placeOrder(request)).status).toBe('working');
    h.fake.dropTradeStreams();
    h.fake.quote('AAPL', 186.9, 186.95); // fills while the plugin is not listening
    const fill = await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the missed fill', 5000);
    expect(fill.price).toBe(186.95);
    await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled'), 'filled');
    await pause(100);
    expect(h.fills.filter((f) => f.clientOrderId === request.clientOrderId)).toHaveLength(1);
  });

  it('reconciles at start: an order the server still has open that filled while it was down is booked and ended', async () => {
    const first = await started();
    const request = order({ type: 'limit', limitPrice: 187 });
    await first.broker.placeOrder(request);
    await first.broker.stop?.();
    first.fake.quote('AAPL', 186.9, 186.95);
    const second = await harness({ reuse: first.fake, records: first.records });
    try {
      await second.broker.start?.();
      expect(second.fills).toEqual([expect.objectContaining({ clientOrderId: request.clientOrderId, price: 186.95, quantity: 1 })]);
      await until(() => second.updates.find((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled'), 'filled');
      expect(second.records[0]!.status).toBe('filled');
    } finally {
      await second.teardown();
    }
  });

  it('reports positions, open orders, fills and cash in its snapshot', async () => {
    const h = await started();
    await h.broker.placeOrder(order({ quantity: 10 }));
    await h.broker.placeOrder(order({ type: 'limit', limitPrice: 150 }));
    const snapshot = await h.broker.snapshot!('contract-account');
    expect(snapshot.positions).toEqual([{ ticker: 'AAPL', contract: 'AAPL', quantity: 10, avgPrice: 187.52 }]);
    expect(snapshot.workingOrders).toHaveLength(1);
    expect(snapshot.fills).toEqual([expect.objectContaining({ quantity: 10, price: 187.52 })]);
    // 10 000 000 − 10 × 187.52 = 9 998 124.80 in cash; equity marks the shares at the mid, 187.51.
    expect(snapshot.cash).toEqual({ balance: 9_998_124.8, realizedPnl: null, openPnl: -0.1, netLiquidation: 9_999_999.9 });
  });

  it('tells tick size from the asset (point value one dollar per share); nothing for what Alpaca does not list', async () => {
    const h = await started();
    expect(await h.broker.instrument!('AAPL')).toEqual({
      root: 'AAPL',
      description: 'AAPL',
      kind: 'equity',
      tickSize: 0.01,
      tickValue: 0.01,
    });
    expect(await h.broker.instrument!('ZZZZ')).toBeUndefined();
  });

  it('stays idle without an account, then trades once one is added; never logs the secret', async () => {
    const h = await started({ accounts: [] });
    expect(h.logs).toContain('info: idle: no Alpaca account is configured');
    expect((await h.broker.placeOrder(order())).status).toBe('rejected');
    h.setAccounts([account({ settings: { environment: 'paper', keyId: 'PKWRONG99' } })]);
    await pause(300);
    expect((await h.broker.placeOrder(order())).reason).toMatch(/Alpaca refused the API key/);
    h.setAccounts([account()]);
    await pause(50);
    expect((await h.broker.placeOrder(order())).status).toBe('filled');
    expect(h.logs.join('\n')).not.toContain('fake-secret-key-9f8e7d');
  });
});
