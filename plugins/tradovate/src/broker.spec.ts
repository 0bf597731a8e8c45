import { describe, expect, it } from '@jest/globals';
import { contractView, defineBrokerContractTests, tornDownAfterEach } from '@tradeloop/broker-contract';
import { account, harness, orderRequest as order, pause, started as startHarness, until, type Harness } from './testing/harness.js';

defineBrokerContractTests('tradovate', async () => contractView(await harness()));

describe('tradovate broker', () => {
  const keep = tornDownAfterEach<Harness>();
  const started = async (options: Parameters<typeof harness>[0] = {}) => keep(await startHarness(options));

  describe('orders', () => {
    it('sends what the docs describe: account, front-month symbol, action, type, clOrdId, isAutomated', async () => {
      const h = await started();
      await h.broker.placeOrder(order({ clientOrderId: 'shape-1', type: 'limit', side: 'sell', quantity: 2, limitPrice: 25400 }));
      const [request] = h.fake.calls('order/placeorder');
      expect(request!.body).toEqual({
        accountSpec: 'contract-account',
        accountId: 502,
        clOrdId: 'tl:shape-1',
        action: 'Sell',
        symbol: h.symbol('NQ1!'),
        orderQty: 2,
        orderType: 'Limit',
        price: 25400,
        timeInForce: 'Day',
        isAutomated: true,
      });
      expect(request!.token).toMatch(/^access-/);
    });

    it("sends the order's time in force as Tradovate spells it (Day, GTC, IOC, FOK); without one, the plugin's setting", async () => {
      const h = await started({ config: { timeInForce: 'GTC' } });
      for (const timeInForce of ['day', 'gtc', 'ioc', 'fok'] as const)
        await h.broker.placeOrder(order({ clientOrderId: `tif-${timeInForce}`, type: 'limit', limitPrice: 25000, timeInForce }));
      await h.broker.placeOrder(order({ clientOrderId: 'tif-none', type: 'limit', limitPrice: 25000 }));
      expect(h.fake.calls('order/placeorder').map((c) => [c.body!.clOrdId, c.body!.timeInForce])).toEqual([
        ['tl:tif-day', 'Day'],
        ['tl:tif-gtc', 'GTC'],
        ['tl:tif-ioc', 'IOC'],
        ['tl:tif-fok', 'FOK'],
        ['tl:tif-none', 'GTC'],
      ]);
    });

    it('reports an IOC limit that does not fill at once as cancelled by Tradovate, with no fill', async () => {
      const h = await started();
      const ack = await h.broker.placeOrder(order({ clientOrderId: 'ioc-1', type: 'limit', limitPrice: 25000, timeInForce: 'ioc' }));
      expect(h.fake.calls('order/placeorder')[0]!.body!.timeInForce).toBe('IOC');
      if (ack.status !== 'cancelled') {
        expect(ack.status).toBe('working');
        await until(() => h.updates.find((u) => u.clientOrderId === 'ioc-1' && u.status === 'cancelled'), 'the IOC order cancelled');
      }
      expect(h.fills).toHaveLength(0);
    });

    it('refuses a time in force Tradovate does not take, before sending anything', async () => {
      const h = await started();
      const ack = await h.broker.placeOrder(order({ timeInForce: 'opg' as unknown as 'day' }));
      expect(ack).toEqual({ brokerOrderId: '', status: 'rejected', reason: 'timeInForce must be one of day, gtc, ioc, fok, got "opg"' });
      expect(h.fake.calls('order/placeorder')).toHaveLength(0);
    });

    it("passes a refusal through in Tradovate's words", async () => {
      const h = await started();
      h.fake.refuseNextOrder('InvalidContract', 'Contract is not available for trading');
      const ack = await h.broker.placeOrder(order());
      expect(ack).toEqual({
        brokerOrderId: '',
        status: 'rejected',
        reason: 'Tradovate rejected the order: Contract is not available for trading: InvalidContract',
      });
    });

    it('passes an exchange rejection after the order got an id through as words, in the ack', async () => {
      const h = await started();
      h.fake.rejectNextOrder('Outside of trading hours');
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('rejected');
      expect(ack.brokerOrderId).not.toBe('');
      expect(ack.reason).toMatch(/Outside of trading hours/);
      expect(h.fills).toHaveLength(0);
    });

    it('reports a rejection that comes after the ack as an order update', async () => {
      const h = await started({ config: { ackTimeoutMs: 0 } });
      h.fake.rejectNextOrder('Risk check failed: max position');
      const request = order({ type: 'limit', limitPrice: 25000 });
      const ack = await h.broker.placeOrder(request);
      if (ack.status === 'working') {
        const update = await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId), 'the rejection');
        expect(update).toEqual(expect.objectContaining({ status: 'rejected', reason: expect.stringMatching(/max position/) }));
      } else expect(ack.reason).toMatch(/max position/);
    });

    it('sends one order to Tradovate however often the same clientOrderId arrives', async () => {
      const h = await started();
      const request = order();
      await Promise.all([h.broker.placeOrder(request), h.broker.placeOrder({ ...request }), h.broker.placeOrder({ ...request })]);
      await h.broker.placeOrder({ ...request });
      expect(h.fake.calls('order/placeorder')).toHaveLength(1);
    });

    it('refuses what Tradovate cannot trade, and accounts it does not know, in words', async () => {
      const h = await started();
      expect((await h.broker.placeOrder(order({ ticker: 'AAPL' }))).reason).toMatch(
        /AAPL is not a futures contract the Tradovate plugin maps/,
      );
      expect((await h.broker.placeOrder(order({ quantity: 1.5 }))).reason).toMatch(/whole number of contracts/);
      expect((await h.broker.placeOrder(order({ brokerAccountId: 'nope' }))).reason).toBe(
        'no Tradovate account "nope" is configured in Tradeloop',
      );
      h.setAccounts([...h.accounts, account({ id: 'x', brokerAccountId: 'GHOST1' })]);
      expect((await h.broker.placeOrder(order({ brokerAccountId: 'GHOST1' }))).reason).toMatch(
        /has no account "GHOST1" \(it has: DEMO501, contract-account\)/,
      );
      expect(h.fake.calls('order/placeorder')).toHaveLength(0);
    });
  });

  describe('failureReason "Success" (a documented value of the failure enum)', () => {
    it('takes a placement, a bracket, a cancel and a liquidation answered with it as done', async () => {
      const h = await started();
      h.fake.successReason = true;
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      const bracket = await h.broker.placeBracket!(order(), { takeProfit: 25320, stopLoss: 25280 });
      expect(bracket.entry.status).toBe('filled');
      const resting = order({ type: 'limit', limitPrice: 25000 });
      expect((await h.broker.placeOrder(resting)).status).toBe('working');
      expect(await h.broker.cancelOrder(resting.clientOrderId)).toBe(true);
      await h.broker.flatten!('contract-account', 'NQ1!');
      expect(h.fake.calls('order/placeorder')).toHaveLength(2);
      expect(h.logs.filter((l) => /refused|Success/.test(l))).toEqual([]);
    });

    it('still takes answers without it (an id alone)', async () => {
      const h = await started();
      h.fake.successReason = false;
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      const resting = order({ type: 'limit', limitPrice: 25000 });
      await h.broker.placeOrder(resting);
      expect(await h.broker.cancelOrder(resting.clientOrderId)).toBe(true);
    });

    it('refuses on any other failure reason, even beside an order id', async () => {
      const h = await started();
      h.fake.answerNext('order/placeorder', {
        status: 200,
        body: { failureReason: 'SessionClosed', failureText: 'Market is closed', orderId: 42 },
      });
      const ack = await h.broker.placeOrder(order());
      expect(ack).toEqual(
        expect.objectContaining({ status: 'rejected', reason: 'Tradovate rejected the order: Market is closed: SessionClosed' }),
      );
    });
  });

  describe('brackets (OSO with OCO exits)', () => {
    for (const nullLinks of [false, true]) {
      it(`enters, arms both exits, and cancels the stop when the target fills${nullLinks ? ' (placeOSO answering oso2Id: null)' : ''}`, async () => {
        const h = await started();
        h.fake.osoNullLinks = nullLinks;
        const request = order({ clientOrderId: `bracket-${nullLinks}` });
        const ack = await h.broker.placeBracket!(request, { takeProfit: 25320, stopLoss: 25280 });
        expect(ack.entry.status).toBe('filled');
        const [call] = h.fake.calls('order/placeoso');
        expect(call!.body).toEqual(
          expect.objectContaining({
            action: 'Buy',
            orderType: 'Market',
            bracket1: { action: 'Sell', orderType: 'Limit', price: 25320 },
            bracket2: { action: 'Sell', orderType: 'Stop', stopPrice: 25280 },
          }),
        );
        expect(ack.takeProfitOrderId).toMatch(/^\d+$/);
        if (!nullLinks) expect(ack.stopLossOrderId).toMatch(/^\d+$/);
        h.publishQuote({ ticker: 'NQ1!', bid: 25320, ask: 25320.25, time: Date.now() });
        const exit = await until(() => h.fills.find((f) => f.clientOrderId === `${request.clientOrderId}:tp`), 'the target fill');
        expect(exit).toEqual(expect.objectContaining({ side: 'sell', price: 25320, brokerAccountId: 'contract-account' }));
        const stop = await until(() => h.updates.find((u) => u.clientOrderId === `${request.clientOrderId}:sl`), 'the stop cancelled');
        expect(stop.status).toBe('cancelled');
        h.publishQuote({ ticker: 'NQ1!', bid: 25270, ask: 25270.25, time: Date.now() });
        await pause(150);
        expect(h.fills.filter((f) => f.clientOrderId.startsWith(request.clientOrderId))).toHaveLength(2);
      });
    }

    it('refuses a bracket without exits', async () => {
      const h = await started();
      expect((await h.broker.placeBracket!(order(), {})).entry.reason).toMatch(/takeProfit, a stopLoss or both/);
    });
  });

  describe('flatten and snapshot', () => {
    it('reads positions, working orders, fills and cash; flatten closes the position and cancels working orders', async () => {
      const h = await started();
      await h.broker.placeOrder(order({ quantity: 3 }));
      const resting = order({ type: 'limit', limitPrice: 25000 });
      await h.broker.placeOrder(resting);
      const before = await h.broker.snapshot!('contract-account');
      expect(before.positions).toEqual([{ ticker: 'NQ1!', contract: h.symbol('NQ1!'), quantity: 3, avgPrice: 25300.25 }]);
      expect(before.workingOrders).toEqual([
        expect.objectContaining({ clientOrderId: resting.clientOrderId, side: 'buy', ticker: 'NQ1!' }),
      ]);
      expect(before.fills.map((f) => f.quantity)).toEqual([3]);
      expect(before.cash).toEqual({ balance: 50_000, realizedPnl: 0, openPnl: 125, netLiquidation: 50_125 });
      await h.broker.flatten!('contract-account', 'NQ1!');
      const after = await h.broker.snapshot!('contract-account');
      expect(after.positions).toEqual([]);
      expect(after.workingOrders).toEqual([]);
      expect(h.fake.calls('order/liquidateposition')[0]!.body).toEqual({
        accountId: 502,
        contractId: h.fake.contractId(h.symbol('NQ1!')),
        admin: false,
        isAutomated: true,
      });
      await until(() => h.fills.some((f) => f.side === 'sell' && f.quantity === 3), 'the liquidation fill');
    });

    it('lists and cancels every order still able to fill: not yet accepted (PendingNew) and held exits (Suspended)', async () => {
      const h = await started();
      h.fake.holdNew = true; // the exchange has not accepted the entries yet
      const entry = order({ type: 'limit', limitPrice: 25000 });
      const bracket = await h.broker.placeBracket!(entry, { takeProfit: 25100, stopLoss: 24900 });
      expect(bracket.entry.status).toBe('working');
      const plain = order({ type: 'stop', stopPrice: 25400 });
      await h.broker.placeOrder(plain);
      const snapshot = await h.broker.snapshot!('contract-account');
      const statuses = snapshot.workingOrders.map((o) => h.fake.orders.get(Number(o.brokerOrderId))!.ordStatus).sort();
      expect(statuses).toEqual(['PendingNew', 'PendingNew', 'Suspended', 'Suspended']);
      expect(snapshot.workingOrders.map((o) => o.clientOrderId)).toEqual(
        expect.arrayContaining([entry.clientOrderId, plain.clientOrderId]),
      );
      await h.broker.flatten!('contract-account', 'NQ1!');
      await until(() => [...h.fake.orders.values()].every((o) => o.ordStatus === 'Canceled'), 'every order cancelled');
      expect((await h.broker.snapshot!('contract-account')).workingOrders).toEqual([]);
      h.fake.releaseHeld();
      h.publishQuote({ ticker: 'NQ1!', bid: 24000, ask: 24000.25, time: Date.now() });
      await pause(150);
      expect(h.fills).toHaveLength(0);
    });
  });
});
