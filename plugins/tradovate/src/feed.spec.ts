import { afterEach, describe, expect, it } from '@jest/globals';
import { harness, pause, until, type Harness } from './testing/harness.js';

describe('tradovate data feed', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });

  it('is idle without a Tradovate account, says why, and supports nothing (the simulated feed keeps quoting)', async () => {
    h = await harness({ accounts: [] });
    await h.feed.start?.();
    expect(h.statuses).toEqual([{ connected: false, error: 'idle: no Tradovate account is configured' }]);
    expect(h.feed.supports('NQ1!')).toBe(false);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('logs in with the account, authorizes with the market-data token, subscribes the front month and publishes its quotes', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    expect(h.feed.supports('NQ1!')).toBe(true);
    expect(h.feed.supports('CME_MINI:MNQ1!')).toBe(true);
    expect(h.feed.supports('AAPL')).toBe(false);
    await h.feed.subscribe(['NQ1!']);
    const symbol = h.symbol('NQ1!');
    expect(h.fake.wsRequests.filter((r) => r.kind === 'md')).toEqual([
      expect.objectContaining({ kind: 'md', endpoint: 'md/subscribeQuote', body: { symbol } }),
    ]);
    expect(h.fake.calls('contract/find')[0]!.query).toEqual({ name: symbol });
    expect(h.fake.authorizations).toEqual([{ kind: 'md', token: expect.stringMatching(/^md-/), accepted: true }]);
    // Float noise from the wire lands on the tick grid.
    h.fake.quote(symbol, 25300.000000001, 25300.249999);
    h.fake.quote(h.symbol('ES1!'), 6800, 6800.25); // not subscribed
    const quote = await until(() => h!.quotes[0], 'a quote');
    expect(quote).toEqual({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: expect.any(Number) });
    await pause(100);
    expect(h.quotes.every((q) => q.ticker === 'NQ1!')).toBe(true);
  });

  it('keeps the side that did not change when a quote comes partial', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    await h.feed.subscribe(['ES1!']);
    h.fake.quote(h.symbol('ES1!'), 6800, 6800.25);
    await until(() => h!.quotes.length === 1, 'the first quote');
    const contractId = h.fake.contractId(h.symbol('ES1!'));
    for (const c of h.fake.connections) {
      if (c.kind === 'md')
        c.socket.send(
          `a${JSON.stringify([{ e: 'md', d: { quotes: [{ contractId, timestamp: new Date().toISOString(), entries: { Offer: { price: 6800.5, size: 3 } } }] } }])}`,
        );
    }
    await until(() => h!.quotes.length === 2, 'the partial quote');
    expect(h.quotes[1]).toEqual(expect.objectContaining({ bid: 6800, ask: 6800.5 }));
  });

  it('reconnects after the socket drops, resubscribes, counts the reconnect and quotes again', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    await h.feed.subscribe(['NQ1!']);
    h.fake.dropSockets('md');
    await until(() => h!.statuses.some((s) => !s.connected), 'the disconnect report');
    await until(() => h!.statuses.at(-1)?.connected && h!.statuses.at(-1)?.reconnects === 1, 'the reconnect');
    await until(() => h!.fake.wsRequests.filter((r) => r.endpoint === 'md/subscribeQuote').length === 2, 'the resubscription');
    h.fake.quote(h.symbol('NQ1!'), 25301, 25301.25);
    await until(() => h!.quotes.some((q) => q.bid === 25301), 'a quote after the reconnect');
    expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
  });

  it('logs in again when its token was revoked while it was away, then resubscribes', async () => {
    h = await harness();
    await h.feed.start?.();
    await h.feed.subscribe(['NQ1!']);
    await until(() => h!.fake.wsRequests.some((r) => r.endpoint === 'md/subscribeQuote'), 'the subscription');
    h.fake.expireTokens();
    h.fake.dropSockets('md');
    await until(() => h!.fake.calls('auth/accesstokenrequest').length === 2, 'a new login');
    await until(() => h!.fake.wsRequests.filter((r) => r.endpoint === 'md/subscribeQuote').length === 2, 'the resubscription');
  });

  it('drops a connection that went silent (no heartbeat) and makes a new one', async () => {
    h = await harness({ fake: { heartbeatMs: 60_000 } });
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    // The fake sends no `h` for a minute: after four client heartbeats (200 ms each) the client gives up on it.
    await until(
      () => h!.statuses.some((s) => !s.connected && /no frame from Tradovate/.test(s.error ?? '')),
      'the silent socket dropped',
      3000,
    );
  });

  it('sends the client heartbeat [] while connected', async () => {
    h = await harness();
    const frames: string[] = [];
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    for (const c of h.fake.connections) c.socket.on('message', (data) => frames.push(data.toString()));
    await until(() => frames.includes('[]'), 'a heartbeat', 2000);
  });

  it('unsubscribes what is no longer wanted', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    await h.feed.subscribe(['NQ1!']);
    await h.feed.unsubscribe(['NQ1!']);
    expect(h.fake.wsRequests.at(-1)).toEqual(
      expect.objectContaining({ kind: 'md', endpoint: 'md/unsubscribeQuote', body: { symbol: h.symbol('NQ1!') } }),
    );
  });

  it('wakes up when an account is added', async () => {
    h = await harness({ accounts: [] });
    await h.feed.start?.();
    expect(h.feed.supports('NQ1!')).toBe(false);
    const { account } = await import('./testing/harness.js');
    h.setAccounts([account()]);
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    expect(h.feed.supports('NQ1!')).toBe(true);
  });

  it('after a token renewal, authorizes a new market-data connection with the renewed token, without a new login', async () => {
    h = await harness({ fake: { tokenLifetimeMs: 3000, heartbeatMs: 200 }, config: { renewMinutesBeforeExpiry: 1.5 / 60 } });
    await h.feed.start?.();
    await h.feed.subscribe(['NQ1!']);
    await until(() => h!.fake.wsRequests.some((r) => r.endpoint === 'md/subscribeQuote'), 'the subscription');
    await until(() => h!.fake.calls('auth/renewaccesstoken').length === 1, 'the renewal', 4000);
    await pause(1800); // the login's mdAccessToken has expired by now; the renewal answered none
    h.fake.dropSockets('md');
    await until(() => h!.fake.wsRequests.filter((r) => r.endpoint === 'md/subscribeQuote').length === 2, 'the resubscription', 4000);
    expect(h.fake.calls('auth/accesstokenrequest')).toHaveLength(1);
    const md = h.fake.authorizations.filter((a) => a.kind === 'md');
    expect(md.at(-1)).toEqual({ kind: 'md', token: expect.stringMatching(/^access-/), accepted: true });
    expect(md.every((a) => a.accepted)).toBe(true);
    h.fake.quote(h.symbol('NQ1!'), 25310, 25310.25);
    await until(() => h!.quotes.some((q) => q.bid === 25310), 'a quote on the renewed token');
  });

  it('Maintenance: says so in its status and does not reconnect before maintenanceWaitMinutes', async () => {
    h = await harness({ config: { maintenanceWaitMinutes: 1 / 60 } });
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    const connects = () => h!.fake.authorizations.filter((a) => a.kind === 'md').length;
    const shutAt = Date.now();
    h.fake.shutdown('md', 'Maintenance', 'Weekly maintenance');
    const down = await until(() => h!.statuses.find((s) => !s.connected), 'the report');
    expect(down.error).toMatch(/for maintenance \(Tradovate says: Weekly maintenance\); trying again at \d\d:\d\d:\d\d UTC/);
    await until(() => connects() === 2 && h!.statuses.at(-1)?.connected, 'the reconnect after the wait', 10_000);
    // Seen once it happened, so never before it: a reconnect sooner than the wait shows as under 1 s
    // from `shutAt`, while a busy machine only makes the gap longer.
    expect(Date.now() - shutAt).toBeGreaterThanOrEqual(1000);
  });

  it('IPQuotaReached: says so and waits ipQuotaWaitMinutes before connecting again', async () => {
    h = await harness({ config: { ipQuotaWaitMinutes: 1 / 60 } });
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market-data connection');
    const shutAt = Date.now();
    h.fake.shutdown('md', 'IPQuotaReached');
    const down = await until(() => h!.statuses.find((s) => !s.connected), 'the report');
    expect(down.error).toMatch(/too many connections from this IP address/);
    await until(() => h!.statuses.at(-1)?.connected, 'the reconnect after the wait', 10_000);
    expect(Date.now() - shutAt).toBeGreaterThanOrEqual(1000);
    expect(h.fake.authorizations.filter((a) => a.kind === 'md')).toHaveLength(2);
  });
});
