import { afterEach, describe, expect, it } from '@jest/globals';
import { DEFAULT_USER } from './testing/fake-tradovate.js';
import {
  account,
  harness,
  liveAccount,
  liveUser,
  orderRequest as order,
  pause,
  started,
  testUser,
  until,
  type Harness,
} from './testing/harness.js';

/** Logins, tokens, device ids and the limits Tradovate puts on a login. */
describe('tradovate sessions', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });
  const start = async (options: Parameters<typeof harness>[0] = {}) => (h = await started(options));
  const logins = (x: Harness) => x.fake.calls('auth/accesstokenrequest').length;

  describe('tokens', () => {
    it('logs in once, renews the token before it expires, and keeps using the session', async () => {
      const h = await start({
        fake: { tokenLifetimeMs: 4000, heartbeatMs: 200, users: [testUser()] },
        config: { renewMinutesBeforeExpiry: 2 / 60 },
      });
      await h.broker.placeOrder(order());
      await until(() => h.logs.some((l) => l.startsWith('info: renewed the Tradovate access token of trader1 (demo)')), 'a renewal', 5000);
      expect(logins(h)).toBe(1);
      expect(h.fake.calls('auth/renewaccesstoken')[0]!.method).toBe('GET');
      await h.broker.placeOrder(order());
      expect(h.fake.calls('order/placeorder').at(-1)!.token).not.toBe(h.fake.calls('order/placeorder')[0]!.token);
      expect(logins(h)).toBe(1);
    });

    it('refuses an order Tradovate answers 401 without logging in for it, checks the token, and logs in once for the next order when it was dead', async () => {
      const h = await start();
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      h.fake.expireTokens();
      const refused = await h.broker.placeOrder(order());
      expect(refused.status).toBe('rejected');
      expect(refused.reason).toMatch(/refused order\/placeorder with HTTP 401.*No new login was made for it/);
      expect(h.fake.calls('order/placeorder')).toHaveLength(2);
      expect(logins(h)).toBe(1);
      await until(() => h.fake.calls('auth/me').length === 1, 'the token check');
      await until(() => h.logs.some((l) => l.includes('was revoked or expired')), 'the verdict');
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      expect(logins(h)).toBe(2);
    });

    it('logs in again for a read when the token is dead, but not when the token works and the read alone is refused', async () => {
      const h = await start();
      await h.broker.snapshot!('contract-account');
      h.fake.expireTokens();
      await pause(10);
      // An old token refused on a read: one new login, and the read goes through.
      await expect(h.broker.snapshot!('contract-account')).resolves.toEqual(
        expect.objectContaining({ brokerAccountId: 'contract-account' }),
      );
      expect(logins(h)).toBe(2);
      h.fake.answerNext('position/list', { status: 401 });
      h.fake.answerNext('position/list', { status: 401 });
      await expect(h.broker.snapshot!('contract-account')).rejects.toThrow(/HTTP 401 although the access token of trader1 \(demo\) works/);
      expect(logins(h)).toBe(2);
      expect(h.fake.calls('auth/me')).toHaveLength(2);
    });

    it('never logs in twice closer than minSecondsBetweenLogins, however often sockets are refused', async () => {
      const began = Date.now();
      const h = await start({ config: { minSecondsBetweenLogins: 1 } });
      await until(() => h.fake.wsRequests.some((r) => r.endpoint === 'user/syncrequest'), 'the user sync');
      for (let i = 0; i < 4; i++) {
        h.fake.expireTokens();
        h.fake.dropSockets('user');
        await pause(300);
      }
      await until(() => logins(h) >= 2, 'a login after the refusals');
      const times = h.fake.calls('auth/accesstokenrequest').map((r) => r.at);
      // Each login is spaced from the sending of the one before, and the first is sent after `began`:
      // the k-th arrives no sooner than `began` + k s, however many refusals came meanwhile. Measured
      // from `began`, not from the login before, whose own trip a busy machine may stretch.
      times.forEach((at, k) => expect(at - began).toBeGreaterThanOrEqual(k * 1000));
    });
  });

  describe('live accounts and device ids', () => {
    it('refuses a live account without a deviceId, explains how to get one approved, and never logs in', async () => {
      h = await harness({ fake: { environment: 'live', heartbeatMs: 200, users: [liveUser()] }, accounts: [liveAccount(undefined)] });
      await h.broker.start?.();
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('rejected');
      expect(ack.reason).toMatch(/missing settings\.deviceId \(live accounts need one\)/);
      expect(ack.reason).toMatch(/approve the device in the e-mail Tradovate sends \(or under Application Settings → My Devices/);
      expect(h.logs.some((l) => l.startsWith('warn:') && l.includes('deviceId'))).toBe(true);
      expect(h.fake.requests).toHaveLength(0);
    });

    it('sends the deviceId with the login and trades a live account from an approved device', async () => {
      h = await harness({
        fake: { environment: 'live', heartbeatMs: 200, users: [liveUser(['desk-1'])] },
        accounts: [liveAccount('desk-1')],
      });
      await h.broker.start?.();
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
      expect(h.fake.calls('auth/accesstokenrequest')[0]!.body).toEqual(expect.objectContaining({ deviceId: 'desk-1' }));
    });

    it('refuses orders from an unapproved device with the reason, without a new login or a second try', async () => {
      h = await harness({
        fake: { environment: 'live', heartbeatMs: 200, users: [liveUser(['desk-1'])] },
        accounts: [liveAccount('laptop-7')],
      });
      await h.broker.start?.();
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      for (let i = 0; i < 3; i++) {
        const ack = await h.broker.placeOrder(order());
        expect(ack.status).toBe('rejected');
        expect(ack.reason).toMatch(/HTTP 401: live accounts trade only from an approved device.*"laptop-7".*My Devices/);
      }
      expect(h.fake.calls('order/placeorder')).toHaveLength(3);
      expect(logins(h)).toBe(1);
      await until(() => h!.logs.some((l) => l.includes('still works: the 401 was about the request')), 'the token check');
      expect(logins(h)).toBe(1);
    });
  });

  describe('penalties and rate limits', () => {
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

    it('answers a penalty ticket on a GET with the same query plus the ticket (a GET has no body)', async () => {
      const h = await start();
      await until(() => h.fake.wsRequests.some((r) => r.endpoint === 'user/syncrequest'), 'the user sync');
      h.fake.penalize('position/list', 1);
      await h.broker.snapshot!('contract-account');
      const [first, second, ...more] = h.fake.calls('position/list');
      expect(more).toHaveLength(0);
      expect(second!.method).toBe('GET');
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
      expect(second!.query).toEqual({ ...first!.query, 'p-ticket': expect.stringMatching(/^ticket-/) });
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
      expect(logins(h)).toBe(1);
    });

    it('after HTTP 429, sends nothing until the wait is over, then trades again', async () => {
      const h = await start();
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

    it('after HTTP 423 (the warning before a lockout), sends nothing for lockoutWarningWaitMinutes', async () => {
      const h = await start({ config: { lockoutWarningWaitMinutes: 1 / 60 } });
      await h.broker.placeOrder(order());
      h.fake.answerNext('order/placeorder', { status: 423 });
      const warned = await h.broker.placeOrder(order());
      expect(warned.reason).toMatch(/HTTP 423: this login is about to be locked out of the API/);
      expect((await h.broker.placeOrder(order())).reason).toMatch(/locked out of the API.*paused until/);
      expect(h.fake.calls('order/placeorder')).toHaveLength(2);
      await pause(1100);
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });

    it('after a 429 on the WebSocket, pauses the whole login: no REST request and no socket request until the wait is over', async () => {
      const h = await start({ config: { rateLimitWaitMinutes: 1.5 / 60 } });
      await h.broker.placeOrder(order());
      h.fake.rateLimitSockets(60_000);
      h.fake.dropSockets('user'); // the next user/syncrequest meets the 429
      await until(() => h.logs.some((l) => l.includes('answered user/syncrequest with 429')), 'the 429');
      const requestsAt429 = h.fake.requests.length;
      const socketRequestsAt429 = h.fake.wsRequests.length;
      const limited = h.fake.wsRequests.at(-1)!;
      expect(limited.endpoint).toBe('user/syncrequest');
      const ack = await h.broker.placeOrder(order());
      expect(ack.reason).toMatch(/429 on the WebSocket.*paused until/);
      h.fake.rateLimitSockets(0);
      await until(() => h.fake.wsRequests.length > socketRequestsAt429, 'the sync after the pause', 10_000);
      // The pause counts from the 429's answer, which left the fake after the refused sync reached it:
      // nothing the plugin sent afterwards, REST or socket, reached the fake before that sync + 1.5 s.
      // Checked by arrival times, not by looking at some moment a busy machine may reach late.
      const after = [...h.fake.requests.slice(requestsAt429), ...h.fake.wsRequests.slice(socketRequestsAt429)];
      for (const request of after) expect(request.at - limited.at).toBeGreaterThanOrEqual(1500);
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });
  });

  describe('shutdown events on the user-data socket', () => {
    it('ConnectionQuotaReached: tells why, logs in again only after connectionQuotaWaitMinutes, refuses orders meanwhile', async () => {
      const h = await start({ config: { connectionQuotaWaitMinutes: 1.2 / 60 } });
      await until(() => h.fake.wsRequests.some((r) => r.endpoint === 'user/syncrequest'), 'the user sync');
      const shutAt = Date.now();
      h.fake.shutdown('user', 'ConnectionQuotaReached', 'Too many connections');
      await until(() => h.logs.some((l) => l.includes("the user's connection quota is reached")), 'the explanation');
      const ack = await h.broker.placeOrder(order());
      expect(ack.status).toBe('rejected');
      expect(ack.reason).toMatch(/connection quota is reached.*No new login before \d\d:\d\d:\d\d UTC/);
      await until(() => logins(h) === 2, 'the login after the wait', 10_000);
      // The hold counts from the shutdown's arrival, after `shutAt`: a login sent after it reaches the
      // fake no sooner than `shutAt` + 1.2 s, however late a busy machine looks.
      expect(h.fake.calls('auth/accesstokenrequest')[1]!.at - shutAt).toBeGreaterThanOrEqual(1200);
      await until(() => h.fake.wsRequests.filter((r) => r.endpoint === 'user/syncrequest').length === 2, 'the sync after the wait');
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });
  });

  describe('partner (B2B) logins', () => {
    const partner = () => ({ ...testUser(), partner: true });

    it('syncs with splitResponses and entityTypes, by account, and takes the answer in parts', async () => {
      const user = partner();
      const acct = account({ settings: { ...account({}, user).settings, partner: true } }, user);
      h = await harness({ fake: { heartbeatMs: 200, users: [user] }, accounts: [acct] });
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      h.fake.tradeElsewhere(502, h.symbol('NQ1!'), 'Buy', 1, 25300.25); // something to sync
      await h.broker.start?.();
      const sync = await until(() => h!.fake.wsRequests.find((r) => r.endpoint === 'user/syncrequest'), 'the sync');
      expect(sync.body).toEqual({
        splitResponses: true,
        accounts: [501, 502],
        entityTypes: expect.arrayContaining(['order', 'fill', 'position', 'commandReport']),
      });
      await pause(200);
      const snapshot = await h.broker.snapshot!('contract-account');
      // The fill, its order and the contract name came in separate parts of the answer.
      expect(snapshot.fills).toEqual([expect.objectContaining({ ticker: 'NQ1!', quantity: 1, price: 25300.25 })]);
      expect((await h.broker.placeOrder(order())).status).toBe('filled');
    });

    it('says what is wrong when a partner login syncs the retail way and Tradovate drops the connection', async () => {
      const user = partner();
      h = await harness({ fake: { heartbeatMs: 200, users: [user] }, accounts: [account({}, user)] });
      await h.broker.start?.();
      await until(() => h!.logs.some((l) => l.startsWith('error:') && l.includes('Set settings.partner=true')), 'the explanation', 5000);
    });
  });

  describe('credentials', () => {
    it('refuses bad credentials clearly, does not retry them, and logs in once they are fixed', async () => {
      h = await harness({ accounts: [account({ secrets: { password: 'wrong-password-123', sec: DEFAULT_USER.sec } })] });
      h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
      await h.broker.start?.();
      const ack = await h.broker.placeOrder(order());
      expect(ack.reason).toMatch(/^Tradovate refused the login of trader1 \(demo\): Incorrect username or password/);
      await h.broker.placeOrder(order());
      await pause(300);
      expect(logins(h)).toBe(1);
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
      await pause(100);
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
