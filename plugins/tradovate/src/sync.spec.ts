import { describe, expect, it } from '@jest/globals';
import { tornDownAfterEach } from '@tradeloop/broker-contract';
import { harness, orderRequest as order, pause, started, until, type Harness } from './testing/harness.js';

/** What the user-data socket tells the broker: fills, entity arrays, statuses, risk rejections, and its own orders after a restart. */
describe('tradovate user-data sync', () => {
  const keep = tornDownAfterEach<Harness>();
  const start = async (options: Parameters<typeof harness>[0] = {}) => keep(await started(options));
  const synced = (x: Harness, n = 1) =>
    until(() => x.fake.wsRequests.filter((r) => r.endpoint === 'user/syncrequest').length >= n, 'the user sync');

  describe('fills through props events', () => {
    it("reports a fill made in Tradovate's own app with the account, so the server books it", async () => {
      const h = await start();
      await synced(h);
      await pause(50);
      const orderId = h.fake.tradeElsewhere(502, h.symbol('NQ1!'), 'Buy', 2, 25301.5);
      const fill = await until(() => h.fills[0], 'the fill made elsewhere');
      expect(fill).toEqual(
        expect.objectContaining({
          clientOrderId: `tradovate-order-${orderId}`,
          brokerOrderId: String(orderId),
          brokerAccountId: 'contract-account',
          ticker: 'NQ1!',
          side: 'buy',
          quantity: 2,
          price: 25301.5,
        }),
      );
    });

    it('leaves fills from before it started alone', async () => {
      const h = keep(await harness());
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      h.fake.tradeElsewhere(502, h.symbol('NQ1!'), 'Sell', 1, 25300);
      await pause(20);
      await h.broker.start?.();
      await synced(h);
      await pause(200);
      expect(h.fills).toHaveLength(0);
    });

    it('after a dropped socket, reconnects, syncs again and reports the fill it missed', async () => {
      const h = await start();
      const request = order({ type: 'limit', limitPrice: 25290 });
      expect((await h.broker.placeOrder(request)).status).toBe('working');
      h.fake.dropSockets('user');
      h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() }); // fills while nobody listens
      const fill = await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the missed fill');
      expect(fill.price).toBe(25290);
      expect(h.fake.wsRequests.filter((r) => r.endpoint === 'user/syncrequest')).toHaveLength(2);
      await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled'), 'filled');
    });

    it('reports a fill again after the server failed to book it, once the socket syncs again', async () => {
      const h = await start({ failFills: 1 });
      const request = order({ type: 'limit', limitPrice: 25290 });
      await h.broker.placeOrder(request);
      h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
      await until(() => h.logs.some((l) => l.includes('will retry after the next sync')), 'the failed report');
      h.fake.dropSockets('user');
      await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill, reported again');
      expect(h.fills).toHaveLength(1);
    });
  });

  describe('props events whose entity is an array', () => {
    it('reports each fill of an array, and the order filled once all are in', async () => {
      const h = await start();
      h.fake.splitFills = 2; // one event: entity [fill, fill]
      const request = order({ quantity: 4 });
      const ack = await h.broker.placeOrder(request);
      expect(ack.status).toBe('filled');
      const ours = h.fills.filter((f) => f.clientOrderId === request.clientOrderId);
      expect(ours.map((f) => f.quantity)).toEqual([2, 2]);
      expect(new Set(ours.map((f) => f.fillId)).size).toBe(2);
      for (const f of ours) expect(f.fillId).toMatch(/^tradovate-\d+$/);
      expect(h.fills.some((f) => f.fillId === 'tradovate-undefined')).toBe(false);
    });

    it('applies an array of order updates to every order in it (two resting orders cancelled in one event)', async () => {
      const h = await start();
      await h.broker.placeOrder(order());
      const a = order({ type: 'limit', limitPrice: 25000 });
      const b = order({ type: 'limit', limitPrice: 25010 });
      await h.broker.placeOrder(a);
      await h.broker.placeOrder(b);
      await h.broker.flatten!('contract-account', 'NQ1!'); // the liquidation cancels both in one event
      for (const request of [a, b]) {
        const update = await until(
          () => h.updates.find((u) => u.clientOrderId === request.clientOrderId),
          `${request.clientOrderId} cancelled`,
        );
        expect(update.status).toBe('cancelled');
      }
    });

    it('leaves a malformed fill out, says so, and still reports the good one beside it', async () => {
      const h = await start();
      await synced(h);
      const orderId = h.fake.tradeElsewhere(502, h.symbol('NQ1!'), 'Buy', 1, 25301);
      await until(() => h.fills.length === 1, 'the good fill');
      const good = {
        id: 999_001,
        orderId,
        contractId: h.fake.contractId(h.symbol('NQ1!')),
        timestamp: new Date().toISOString(),
        action: 'Buy',
        qty: 1,
        price: 25302,
        active: true,
      };
      h.fake.sockets.props(502, 'fill', [good, { id: 'x', orderId }, { ...good, id: 999_002, price: null }], 'Created');
      await until(() => h.fills.length === 2, 'the second good fill');
      await pause(100);
      expect(h.fills.map((f) => f.fillId)).toEqual([expect.stringMatching(/^tradovate-\d+$/), 'tradovate-999001']);
      expect(h.logs.filter((l) => l.startsWith('warn: ignored a Tradovate fill'))).toHaveLength(1);
    });
  });

  describe('order statuses', () => {
    it('takes Completed as done-by-filling, and keeps an order it is told is Unknown as it was', async () => {
      const h = await start();
      const request = order({ type: 'limit', limitPrice: 25000 });
      const ack = await h.broker.placeOrder(request);
      const orderId = Number(ack.brokerOrderId);
      const entity = { ...h.fake.exchange.orderEntity(h.fake.orders.get(orderId)!) };
      h.fake.sockets.props(502, 'order', [{ ...entity, ordStatus: 'Unknown' }]);
      await until(() => h.logs.some((l) => l.includes('as "Unknown"')), 'the warning');
      expect(h.updates).toHaveLength(0);
      const contractId = h.fake.contractId(h.symbol('NQ1!'));
      h.fake.sockets.props(
        502,
        'fill',
        [{ id: 999_100, orderId, contractId, timestamp: new Date().toISOString(), action: 'Buy', qty: 1, price: 25000, active: true }],
        'Created',
      );
      h.fake.sockets.props(502, 'order', [{ ...entity, ordStatus: 'Completed' }]);
      const update = await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId), 'the final update');
      expect(update.status).toBe('filled');
    });
  });

  describe('risk rejections (command reports)', () => {
    it('rejects the order with the risk check’s reason and text, in the ack', async () => {
      const h = await start();
      h.fake.riskRejectNextOrder('MaxPosLimitReached', 'Max position limit of 2 contracts reached');
      const ack = await h.broker.placeOrder(order({ quantity: 3 }));
      expect(ack.status).toBe('rejected');
      expect(ack.brokerOrderId).not.toBe('');
      expect(ack.reason).toBe('Tradovate rejected the order: Max position limit of 2 contracts reached — MaxPosLimitReached');
    });

    it('reports a risk rejection that comes after the ack, with its reason', async () => {
      const h = await start({ config: { ackTimeoutMs: 0 } });
      h.fake.holdNew = true;
      const request = order({ type: 'limit', limitPrice: 25000 });
      expect((await h.broker.placeOrder(request)).status).toBe('working');
      h.fake.riskRejectNextOrder('TradingLocked', 'Trading is locked for the day');
      const held = Number(h.records.find((r) => r.order.clientOrderId === request.clientOrderId)!.order.brokerOrderId);
      h.fake.holdNew = false;
      h.fake.exchange.activate(h.fake.orders.get(held)!);
      const update = await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId), 'the rejection');
      expect(update).toEqual(
        expect.objectContaining({ status: 'rejected', reason: expect.stringContaining('Trading is locked for the day — TradingLocked') }),
      );
    });
  });

  describe('its own orders after a restart', () => {
    /** Places a resting order, stops, and starts a new plugin on the same fake with what the server kept. */
    const restart = async (options: { echo: boolean; keepId: boolean }) => {
      const first = keep(await started());
      first.fake.echoClOrdId = options.echo;
      const request = order({ type: 'limit', limitPrice: 25290 });
      expect((await first.broker.placeOrder(request)).status).toBe('working');
      await first.broker.stop?.();
      await first.feed.stop?.();
      const records = first.records.map((r) => ({
        ...r,
        order: { ...r.order, brokerOrderId: options.keepId ? r.order.brokerOrderId : null },
      }));
      const second = keep(await harness({ reuse: first.fake, records }));
      await second.broker.start?.();
      await synced(first, 2);
      return { first, second, request };
    };

    const cases = [
      { name: 'by the clOrdId its command kept', echo: true, keepId: false },
      { name: 'by the order id its place answer gave (the command kept no clOrdId)', echo: false, keepId: true },
      { name: 'by its fields (no clOrdId, and the server stored no answer)', echo: false, keepId: false },
    ];
    for (const c of cases) {
      it(`knows its working order ${c.name}: no second order when the server sends it again, the fill under the original clientOrderId`, async () => {
        const { first, second, request } = await restart(c);
        const again = await second.broker.placeOrder({ ...request });
        expect(again.status).toBe('working');
        expect(first.fake.calls('order/placeorder')).toHaveLength(1);
        expect(again.brokerOrderId).toBe(String([...first.fake.orders.keys()][0]));
        first.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
        const fill = await until(() => second.fills[0], 'the fill after the restart');
        expect(fill.clientOrderId).toBe(request.clientOrderId);
        const update = await until(() => second.updates.find((u) => u.clientOrderId === request.clientOrderId), 'filled');
        expect(update.status).toBe('filled');
      });
    }

    it('does not take an order a person placed in the Tradovate app for its own, however alike: it sends its own', async () => {
      const h = keep(await harness());
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      const request = order({ type: 'limit', limitPrice: 25290 });
      // On record, but the crash came before it reached Tradovate; meanwhile a person placed the same order by hand.
      h.records.push({
        order: { ...request, brokerOrderId: null, limitPrice: 25290, stopPrice: null, createdAt: Date.now() },
        status: 'pending',
      });
      const manual = h.fake.exchange.createOrder({
        accountId: 502,
        symbol: h.symbol('NQ1!'),
        action: 'Buy',
        qty: 1,
        orderType: 'Limit',
        price: 25290,
        isAutomated: false,
      });
      h.fake.exchange.activate(manual);
      await h.broker.start?.();
      await synced(h);
      const ack = await h.broker.placeOrder({ ...request });
      expect(ack.status).toBe('working');
      expect(ack.brokerOrderId).not.toBe(String(manual.id));
      expect(h.fake.calls('order/placeorder')).toHaveLength(1);
    });
  });
});
