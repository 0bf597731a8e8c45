import { afterEach, describe, expect, it } from '@jest/globals';
import { account, harness, pause, until, type Harness } from './testing/harness.js';

describe('projectx feed', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });

  it('stays idle without an account, saying so, and supports nothing', async () => {
    h = await harness({ accounts: [] });
    await h.feed.start?.();
    expect(h.feed.supports('NQ1!')).toBe(false);
    expect(h.statuses.at(-1)).toEqual({ connected: false, error: 'idle: no ProjectX account is configured' });
    expect(h.fake.requests).toHaveLength(0);
  });

  it("quotes a continuous ticker from its front month's GatewayQuote events, merging partial updates", async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market hub');
    expect(h.feed.supports('NQ1!')).toBe(true);
    expect(h.feed.supports('AAPL')).toBe(false);
    await h.feed.subscribe(['NQ1!']);
    expect(h.fake.hubs.invocations.filter((i) => i.hub === 'market')).toEqual([
      { hub: 'market', target: 'SubscribeContractQuotes', args: ['CON.F.US.ENQ.Z26'] },
    ]);
    h.fake.quote('NQZ6', 25300, 25300.25);
    const quote = await until(() => h!.quotes.find((q) => q.bid === 25300), 'a quote');
    expect(quote).toEqual(expect.objectContaining({ ticker: 'NQ1!', bid: 25300, ask: 25300.25 }));
    // A partial update (only the bid) keeps the last ask.
    h.fake.hubs.emit('market', 'SubscribeContractQuotes:CON.F.US.ENQ.Z26', 'GatewayQuote', ['CON.F.US.ENQ.Z26', { bestBid: 25301 }]);
    expect(await until(() => h!.quotes.find((q) => q.bid === 25301), 'the partial quote')).toEqual(
      expect.objectContaining({ ticker: 'NQ1!', ask: 25300.25 }),
    );
  });

  it('reconnects after a dropped connection, reports it, subscribes again and quotes on', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market hub');
    await h.feed.subscribe(['NQ1!', 'MES1!']);
    h.fake.hubs.drop('market');
    await until(() => h!.statuses.some((s) => !s.connected), 'the drop reported');
    await until(() => h!.fake.hubs.invocations.filter((i) => i.hub === 'market').length >= 4, 'the resubscription', 6000);
    expect(
      h.fake.hubs.invocations
        .filter((i) => i.hub === 'market')
        .slice(2)
        .map((i) => i.args[0]),
    ).toEqual(['CON.F.US.ENQ.Z26', 'CON.F.US.MES.Z26']);
    await until(() => h!.statuses.at(-1)?.connected, 'connected again');
    expect(h.statuses.at(-1)!.reconnects).toBeGreaterThanOrEqual(1);
    h.fake.quote('MES1!'.replace('1!', 'Z6'), 6800, 6800.25);
    expect(await until(() => h!.quotes.find((q) => q.ticker === 'MES1!'), 'a quote after the reconnection')).toEqual(
      expect.objectContaining({ bid: 6800, ask: 6800.25 }),
    );
  });

  it('stops quoting a ticker it was told to let go', async () => {
    h = await harness({ accounts: [account()] });
    await h.feed.start?.();
    await until(() => h!.statuses.at(-1)?.connected, 'the market hub');
    await h.feed.subscribe(['NQ1!']);
    await h.feed.unsubscribe(['NQ1!']);
    expect(h.fake.hubs.invocations.at(-1)).toEqual({ hub: 'market', target: 'UnsubscribeContractQuotes', args: ['CON.F.US.ENQ.Z26'] });
    h.fake.quote('NQZ6', 25300, 25300.25);
    await pause(100);
    expect(h.quotes).toHaveLength(0);
  });
});
