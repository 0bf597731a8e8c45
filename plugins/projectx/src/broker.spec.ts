import { describe, expect, it } from '@jest/globals';
import { tornDownAfterEach } from '@tradeloop/broker-contract';
import { DEFAULT_USER } from './testing/fake-projectx.js';
import { account, harness, orderRequest as order, pause, started as startHarness, until, type Harness } from './testing/harness.js';

describe('projectx broker', () => {
  const keep = tornDownAfterEach<Harness>();
  const started = async (options: Parameters<typeof harness>[0] = {}) => keep(await startHarness(options));

  describe('orders', () => {
    it("sends what the docs describe: account id, the front month's contract id, type, side, size, prices and the client order id as customTag", async () => {
      const h = await started();
      await h.broker.placeOrder(order({ clientOrderId: 'shape-1', type: 'limit', side: 'sell', quantity: 2, limitPrice: 25400 }));
      await h.broker.placeOrder(order({ clientOrderId: 'shape-2', type: 'stop', side: 'buy', quantity: 1, stopPrice: 25500 }));
      await h.broker.placeOrder(order({ clientOrderId: 'shape-3', ticker: 'MES1!' }));
      const [limit, stop, market] = h.fake.calls('/api/Order/place').map((c) => c.body);
      expect(limit).toEqual({
        accountId: 102,
        contractId: 'CON.F.US.ENQ.Z26',
        type: 1,
        side: 1,
        size: 2,
        limitPrice: 25400,
        stopPrice: null,
        trailPrice: null,
        customTag: 'shape-1',
        linkedOrderId: null,
      });
      expect(stop).toEqual(expect.objectContaining({ type: 4, side: 0, stopPrice: 25500, limitPrice: null, customTag: 'shape-2' }));
      expect(market).toEqual(expect.objectContaining({ type: 2, contractId: 'CON.F.US.MES.Z26', customTag: 'shape-3' }));
      // The contract search asked for the root; the active contract was taken, not the next one nor MNQ.
      expect(h.fake.calls('/api/Contract/search').map((c) => c.body)).toEqual(
        expect.arrayContaining([
          { searchText: 'NQ', live: false },
          { searchText: 'MES', live: false },
        ]),
      );
    });

    it('books a fill that reaches the hub before the place answer to its order, not as a trade made elsewhere', async () => {
      const h = await started();
      const request = order({ quantity: 3 });
      const ack = await h.broker.placeOrder(request);
      const fill = await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill');
      expect(fill).toEqual(expect.objectContaining({ brokerOrderId: ack.brokerOrderId, quantity: 3, price: 25300.25, ticker: 'NQ1!' }));
      expect(fill.brokerAccountId).toBeUndefined();
      expect(fill.fillId).toMatch(/^projectx-\d+$/);
    });

    it("books ProjectX's fees as the fill's commission", async () => {
      const h = await started();
      h.fake.exchange.feesPerContract = 1.37;
      const request = order({ quantity: 2 });
      await h.broker.placeOrder(request);
      expect((await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill')).commission).toBe(2.74);
    });

    it("rejects with ProjectX's own words and code when it answers success:false", async () => {
      const h = await started();
      h.fake.refuseNext('/api/Order/place', 7, 'Outside of trading hours');
      const ack = await h.broker.placeOrder(order({ clientOrderId: 'refused-1' }));
      expect(ack).toEqual({
        brokerOrderId: '',
        status: 'rejected',
        reason: 'ProjectX rejected the order: Outside of trading hours (error code 7)',
      });
      expect(await h.broker.placeOrder(order({ clientOrderId: 'refused-1' }))).toEqual(ack);
      expect(h.fake.calls('/api/Order/place')).toHaveLength(1);
    });

    it('rejects fractions of a contract, an unknown account and a root ProjectX does not list, naming each', async () => {
      const h = await started();
      expect((await h.broker.placeOrder(order({ quantity: 1.5 }))).reason).toMatch(/whole contracts/);
      expect((await h.broker.placeOrder(order({ brokerAccountId: 'nobody' }))).reason).toMatch(/no ProjectX account "nobody"/);
      expect((await h.broker.placeOrder(order({ ticker: 'ZZ1!' }))).reason).toMatch(/ProjectX has no contract for ZZ1!/);
      expect(h.fake.calls('/api/Order/place')).toHaveLength(0);
    });

    it('cancels and modifies a working order; a refused cancel answers false', async () => {
      const h = await started();
      const request = order({ type: 'limit', limitPrice: 25200, quantity: 2 });
      const ack = await h.broker.placeOrder(request);
      const px = h.broker as unknown as { modifyOrder(id: string, changes: object): Promise<boolean> };
      expect(await px.modifyOrder(request.clientOrderId, { limitPrice: 25290, quantity: 1 })).toBe(true);
      expect(h.fake.calls('/api/Order/modify')[0]!.body).toEqual({
        accountId: 102,
        orderId: Number(ack.brokerOrderId),
        size: 1,
        limitPrice: 25290,
        stopPrice: null,
        trailPrice: null,
      });
      h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
      const fill = await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill at the new price');
      expect(fill).toEqual(expect.objectContaining({ quantity: 1, price: 25290 }));
      await until(() => h.updates.find((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled'), 'filled');
      expect(await h.broker.cancelOrder(request.clientOrderId)).toBe(false);
    });

    it('places a trailing stop (type 5) that follows the market and fills when it turns', async () => {
      const h = await started();
      const px = h.broker as unknown as { placeTrailingStop(o: object, trail: number): Promise<{ status: string }> };
      const request = order({ clientOrderId: 'trail-1', side: 'sell' });
      const { type: _type, ...rest } = request;
      expect((await px.placeTrailingStop(rest, 10)).status).toBe('working');
      expect(h.fake.calls('/api/Order/place')[0]!.body).toEqual(expect.objectContaining({ type: 5, trailPrice: 10, stopPrice: null }));
      h.publishQuote({ ticker: 'NQ1!', bid: 25320, ask: 25320.25, time: Date.now() });
      await pause(50);
      expect(h.fills).toHaveLength(0);
      h.publishQuote({ ticker: 'NQ1!', bid: 25310, ask: 25310.25, time: Date.now() });
      expect((await until(() => h.fills.find((f) => f.clientOrderId === 'trail-1'), 'the trailing fill')).price).toBe(25310);
    });

    it("books a trade made on ProjectX's own platform as a manual trade on its account", async () => {
      const h = await started();
      h.fake.tradeElsewhere(102, 'NQZ6', 'sell', 2, 25305.5);
      const fill = await until(() => h.fills.find((f) => f.brokerAccountId), 'the manual fill');
      expect(fill).toEqual(
        expect.objectContaining({ brokerAccountId: 'contract-account', ticker: 'NQ1!', side: 'sell', quantity: 2, price: 25305.5 }),
      );
      expect(fill.clientOrderId).toMatch(/^projectx-order-\d+$/);
    });

    it('answers a lost place answer from the order found by its tag, and never places it twice', async () => {
      const h = await started({ config: { requestTimeoutMs: 500 } });
      h.fake.swallowNextPlace = true;
      const request = order({ type: 'limit', limitPrice: 25200 });
      const ack = await h.broker.placeOrder(request);
      expect(ack.status).toBe('working');
      expect(Number(ack.brokerOrderId)).toBeGreaterThan(0);
      expect(h.fake.calls('/api/Order/place')).toHaveLength(1);
      expect(await h.broker.placeOrder({ ...request })).toEqual(ack);
    });
  });

  describe('sessions', () => {
    it('logs in with the API key once for the broker and the feed, and renews the token with Auth/validate before it expires', async () => {
      const h = await started({ fake: { tokenLifetimeMs: 3000 }, config: { renewHoursBeforeExpiry: 0.0005 } });
      await h.feed.start?.();
      expect(h.fake.calls('/api/Auth/loginKey')).toEqual([
        { path: '/api/Auth/loginKey', body: { userName: DEFAULT_USER.userName, apiKey: DEFAULT_USER.apiKey } },
      ]);
      // Once the plugin has read the renewal's answer, not once the fake has the request: the fake
      // revokes the old token as it answers, and an order sent with it before then would log in again.
      await until(() => h.logs.some((l) => l.startsWith('debug: renewed the ProjectX session')), 'a renewal', 5000);
      expect(h.fake.calls('/api/Auth/validate').length).toBeGreaterThanOrEqual(1);
      // The renewed token works (the fake revoked the old one) with no new login.
      const request = order();
      expect((await h.broker.placeOrder(request)).status).not.toBe('rejected');
      await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill');
      expect(h.fake.calls('/api/Auth/loginKey')).toHaveLength(1);
    });

    it('logs in again once when ProjectX no longer knows the token, and the order goes through', async () => {
      const h = await started();
      h.fake.expireTokens();
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).not.toBe('rejected');
      expect(h.fake.calls('/api/Auth/loginKey')).toHaveLength(2);
    });

    it('rejects orders with the login refusal and keeps the API key out of every reason and log line', async () => {
      const h = await started({ accounts: [account({ secrets: { apiKey: 'wrong-key-123456' } })] });
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('rejected');
      expect(ack.reason).toBe(
        'ProjectX cannot take the order: ProjectX refused the login of trader@example.com: Invalid credentials (error code 3). Check the user name and API key of the account.',
      );
      await h.broker.placeOrder(order());
      expect(h.fake.calls('/api/Auth/loginKey')).toHaveLength(1); // not retried until the account changes
      const text = JSON.stringify([ack, h.logs]);
      expect(text).not.toContain('wrong-key-123456');
    });
  });

  describe('rate limits', () => {
    it('waits out a short 429 (Retry-After) and sends the refused request again', async () => {
      const h = await started();
      await h.broker.placeOrder(order()); // the contract is looked up and cached: the next request is the place
      h.fake.rateLimit(1, '1');
      const began = Date.now();
      const request = order();
      const ack = await h.broker.placeOrder(request);
      expect(ack.status).not.toBe('rejected');
      expect(Date.now() - began).toBeGreaterThanOrEqual(900);
      expect(h.fake.calls('/api/Order/place').filter((c) => c.body['customTag'] === request.clientOrderId)).toHaveLength(2);
      await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill');
      expect(h.logs.some((l) => /HTTP 429 .*no request for 1 s/.test(l))).toBe(true);
    });

    it('refuses orders without sending them while a long 429 wait lasts, saying so', async () => {
      const h = await started();
      h.fake.rateLimit(1, '120');
      const first = await h.broker.placeOrder(order());
      expect(first).toEqual(
        expect.objectContaining({ status: 'rejected', reason: expect.stringMatching(/limiting requests \(HTTP 429\).*120 s/) }),
      );
      const sent = h.fake.requests.length;
      const second = await h.broker.placeOrder(order());
      expect(second.reason).toMatch(/HTTP 429/);
      expect(h.fake.requests.length).toBe(sent);
    });

    it('keeps under its own request budget: requests past it wait for the window', async () => {
      const { RequestBudget } = await import('./rest.js');
      let now = 0;
      const budget = new RequestBudget(3, 60_000, () => now);
      for (let i = 0; i < 3; i++) {
        expect(budget.wait()).toBe(0);
        budget.take();
        now += 1000;
      }
      expect(budget.wait()).toBe(57_000);
      now = 60_000;
      expect(budget.wait()).toBe(0);
    });
  });

  describe('the user hub', () => {
    it('subscribes accounts, orders, positions and trades, and again after a dropped connection; fills after it are booked', async () => {
      const h = await started();
      const subscriptions = () => h.fake.hubs.invocations.filter((i) => i.hub === 'user').map((i) => `${i.target}(${i.args.join(',')})`);
      await until(() => subscriptions().length >= 4, 'the subscriptions');
      expect(subscriptions()).toEqual(['SubscribeAccounts()', 'SubscribeOrders(102)', 'SubscribePositions(102)', 'SubscribeTrades(102)']);
      h.fake.hubs.drop('user');
      await until(() => subscriptions().length >= 8, 'the subscriptions after the reconnection', 6000);
      expect(subscriptions().slice(4)).toEqual(subscriptions().slice(0, 4));
      expect(h.logs.some((l) => /user hub reconnected: subscribing again/.test(l))).toBe(true);
      const request = order({ type: 'limit', limitPrice: 25250 });
      await h.broker.placeOrder(request);
      h.publishQuote({ ticker: 'NQ1!', bid: 25249.75, ask: 25250, time: Date.now() });
      expect((await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill')).price).toBe(25250);
    });
  });

  describe('after a restart', () => {
    it("recognises its working order by customTag, answers the server's repeat from it, and books its fill on it", async () => {
      const h = await started();
      const request = order({ type: 'limit', limitPrice: 25200, quantity: 2 });
      const first = await h.broker.placeOrder(request);
      await h.broker.stop?.();
      await h.feed.stop?.();
      const extra = keep(await startHarness({ reuse: h.fake, records: h.records }));
      await until(() => extra.logs.some((l) => /restored 1 working order/.test(l)), 'the restore');
      expect(await extra.broker.placeOrder({ ...request })).toEqual(first);
      expect(h.fake.calls('/api/Order/place')).toHaveLength(1);
      extra.publishQuote({ ticker: 'NQ1!', bid: 25199.75, ask: 25200, time: Date.now() });
      const fill = await until(() => extra.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill');
      expect(fill).toEqual(expect.objectContaining({ brokerOrderId: first.brokerOrderId, quantity: 2, price: 25200 }));
    });

    it('reports the fill and the final status of an order that filled while it was down', async () => {
      const h = await started();
      const request = order({ type: 'limit', limitPrice: 25200 });
      await h.broker.placeOrder(request);
      await h.broker.stop?.();
      await h.feed.stop?.();
      h.fake.hubs.drop('user');
      await pause(50);
      h.fake.quote('NQZ6', 25150, 25150.25);
      const extra = keep(await startHarness({ reuse: h.fake, records: h.records }));
      const fill = await until(() => extra.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the missed fill');
      expect(fill.price).toBe(25150.25);
      await until(() => extra.updates.find((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled'), 'filled');
    });
  });

  describe('instruments', () => {
    it("tells a root outside the catalog's tick size and value from ProjectX's contract", async () => {
      const h = await started();
      const px = h.broker as unknown as { instrument(t: string): Promise<unknown> };
      expect(await px.instrument('6E1!')).toEqual({
        root: '6E',
        description: 'Euro FX: December 2026',
        kind: 'future',
        tickSize: 0.00005,
        tickValue: 6.25,
      });
    });
  });
});
