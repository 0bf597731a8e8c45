import { afterEach, describe, expect, it } from '@jest/globals';
import type { OrderRequest } from '@tradeloop/contracts';
import { defineBrokerContractTests } from '../../../test/plugin-contracts/broker.contract.js';
import { DEFAULT_USER } from './testing/fake-tradovate.js';
import { account, harness, pause, testUser, until, type Harness } from './testing/harness.js';

defineBrokerContractTests('tradovate', async () => {
  const h = await harness();
  return { plugin: h.broker, publishQuote: h.publishQuote, fills: h.fills, updates: h.updates, teardown: h.teardown };
});

let seq = 0;
const order = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `spec-${Date.now()}-${++seq}`,
  brokerAccountId: 'contract-account',
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'market',
  ...fields,
});

describe('tradovate broker', () => {
  let h: Harness | undefined;
  let extra: Harness | undefined;
  afterEach(async () => {
    await extra?.teardown();
    await h?.teardown();
    h = extra = undefined;
  });

  const started = async (options: Parameters<typeof harness>[0] = {}) => {
    h = await harness(options);
    await h.broker.start?.();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    return h;
  };

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

  describe('fills through props events', () => {
    it("reports a fill made in Tradovate's own app with the account, so the server books it", async () => {
      const h = await started();
      await until(() => h.fake.wsRequests.some((r) => r.endpoint === 'user/syncrequest'), 'the user sync');
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
      h = await harness();
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      h.fake.tradeElsewhere(502, h.symbol('NQ1!'), 'Sell', 1, 25300);
      await pause(20);
      await h.broker.start?.();
      await until(() => h!.fake.wsRequests.some((r) => r.endpoint === 'user/syncrequest'), 'the user sync');
      await pause(200);
      expect(h.fills).toHaveLength(0);
    });

    it('after a dropped socket, reconnects, syncs again and reports the fill it missed', async () => {
      const h = await started();
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
      const h = await started({ failFills: 1 });
      const request = order({ type: 'limit', limitPrice: 25290 });
      await h.broker.placeOrder(request);
      h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
      await until(() => h.logs.some((l) => l.includes('will retry after the next sync')), 'the failed report');
      h.fake.dropSockets('user');
      await until(() => h.fills.find((f) => f.clientOrderId === request.clientOrderId), 'the fill, reported again');
      expect(h.fills).toHaveLength(1);
    });

    it('after a restart, knows its own working order by clOrdId and reports its fill under the original clientOrderId', async () => {
      const first = await started();
      const request = order({ type: 'limit', limitPrice: 25290 });
      await first.broker.placeOrder(request);
      await first.broker.stop?.();
      await first.feed.stop?.();
      extra = await harness({ reuse: first.fake });
      await extra.broker.start?.();
      await until(() => first.fake.wsRequests.filter((r) => r.endpoint === 'user/syncrequest').length >= 2, 'the new sync');
      await pause(50);
      first.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
      const fill = await until(() => extra!.fills[0], 'the fill after the restart');
      expect(fill.clientOrderId).toBe(request.clientOrderId);
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
      });
      await until(() => h.fills.some((f) => f.side === 'sell' && f.quantity === 3), 'the liquidation fill');
    });
  });

  describe('auth', () => {
    it('logs in once, renews the token before it expires, and keeps using the session', async () => {
      const h = await started({
        fake: { tokenLifetimeMs: 4000, heartbeatMs: 200, users: [testUser()] },
        config: { renewMinutesBeforeExpiry: 2 / 60 },
      });
      await h.broker.placeOrder(order());
      await until(() => h.logs.some((l) => l.startsWith('info: renewed the Tradovate access token of trader1 (demo)')), 'a renewal', 5000);
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
      const renewed = h.fake.calls('auth/renewaccesstoken')[0]!;
      expect(renewed.method).toBe('GET');
      await h.broker.placeOrder(order());
      expect(h.fake.calls('order/placeorder').at(-1)!.token).not.toBe(h.fake.calls('order/placeorder')[0]!.token);
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
    });

    it('logs in again when Tradovate says the token expired, and the order still goes through', async () => {
      const h = await started();
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      h.fake.expireTokens();
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('filled');
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(2);
      expect(h.logs.some((l) => l.startsWith('warn:') && l.includes('refused the access token'))).toBe(true);
    });

    it('answers a penalty ticket by waiting p-time and resending the same body with the ticket', async () => {
      h = await harness();
      h.fake.penalize('auth/accesstokenrequest', 1);
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      await h.broker.start?.();
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('filled');
      const [first, second, ...more] = h.fake.calls('auth/accesstokenrequest');
      expect(more).toHaveLength(0);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
      expect(second!.body).toEqual({ ...first!.body, 'p-ticket': expect.stringMatching(/^ticket-/) });
      expect(h.logs.some((l) => /wait 1 s before auth\/accesstokenrequest again \(penalty ticket\)/.test(l))).toBe(true);
    });

    it('stops at a captcha: says so clearly, waits long, and sends no more logins meanwhile', async () => {
      h = await harness();
      h.fake.penalize('auth/accesstokenrequest', 0, true);
      await h.broker.start?.();
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('rejected');
      expect(ack.reason).toMatch(/captcha/);
      expect(ack.reason).toMatch(/a server cannot answer one/);
      const second = await h.broker.placeOrder(order());
      expect(second.reason).toMatch(/paused until \d\d:\d\d:\d\d UTC/);
      await pause(300);
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
    });

    it('refuses bad credentials clearly, does not retry them, and logs in once they are fixed', async () => {
      h = await harness({ accounts: [account({ secrets: { password: 'wrong-password-123', sec: DEFAULT_USER.sec } })] });
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      await h.broker.start?.();
      const ack = await h.broker.placeOrder(order());
      expect(ack.reason).toMatch(/^Tradovate refused the login of trader1 \(demo\): Incorrect username or password/);
      await h.broker.placeOrder(order());
      await pause(300);
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
      h.setAccounts([account()]);
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });

    it("passes a locked account through in Tradovate's words", async () => {
      const user = { ...testUser(), refuseLogin: 'Your account is locked. Please contact support.' };
      h = await harness({ fake: { heartbeatMs: 200, users: [user] }, accounts: [account({}, user)] });
      await h.broker.start?.();
      expect((await h.broker.placeOrder(order())).reason).toMatch(/Your account is locked\. Please contact support\./);
    });

    it('says what an account lacks instead of trying to log in', async () => {
      h = await harness({ accounts: [account({ settings: { environment: 'demo', username: 'trader1' }, secrets: {} })] });
      await h.broker.start?.();
      expect((await h.broker.placeOrder(order())).reason).toBe(
        'account "Tradovate demo" is missing settings.appId, settings.cid (a number), secrets.password, secrets.sec',
      );
      expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(0);
    });

    it('after HTTP 429, sends nothing until the wait is over, then trades again', async () => {
      const h = await started();
      await h.broker.placeOrder(order());
      h.fake.answerNext('order/placeorder', { status: 429, headers: { 'retry-after': '1' } });
      const limited = await h.broker.placeOrder(order());
      expect(limited.reason).toMatch(/rate limit answered order\/placeorder with HTTP 429: requests paused until/);
      const meanwhile = await h.broker.placeOrder(order());
      expect(meanwhile.status).toBe('rejected');
      expect(h.fake.calls('order/placeorder')).toHaveLength(2);
      await pause(1100);
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });
  });

  describe('idle and secrets', () => {
    it('is idle without accounts: says so, and refuses orders with the reason', async () => {
      h = await harness({ accounts: [] });
      await h.broker.start?.();
      expect(h.logs).toContain('info: idle: no Tradovate account is configured (POST /api/accounts with "broker": "tradovate")');
      expect((await h.broker.placeOrder(order())).reason).toBe('no Tradovate account "contract-account" is configured in Tradeloop');
      expect(h.fake.requests).toHaveLength(0);
    });

    it('never lets the password or the API secret into a log line or an answer', async () => {
      const password = 'Sup3r-Secret-Pass';
      const sec = 'sec-7f3a9c-very-secret';
      const user = { ...testUser(), password, sec };
      h = await harness({ fake: { heartbeatMs: 200, users: [user] }, accounts: [account({}, user)] });
      // Everything that talks about a login: a penalty, a refusal that echoes the request, a 401, a captcha.
      h.fake.penalize('auth/accesstokenrequest', 0);
      await h.broker.start?.();
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      const answers = [await h.broker.placeOrder(order())];
      h.fake.refuseNextOrder('UnknownReason', `echo of the request: ${password} ${sec}`);
      answers.push(await h.broker.placeOrder(order()));
      h.fake.expireTokens();
      h.fake.answerNext('auth/accesstokenrequest', { status: 500, body: { errorText: `internal: ${password}/${sec}` } });
      answers.push(await h.broker.placeOrder(order()));
      h.setAccounts([account({ secrets: { password: `${password}-old`, sec } }, user)]);
      answers.push(await h.broker.placeOrder(order()));
      const everything = JSON.stringify([h.logs, answers, h.updates, h.fills]);
      expect(everything).toContain('***');
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(sec);
    });
  });
});
