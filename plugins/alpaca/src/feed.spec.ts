import { afterEach, describe, expect, it } from '@jest/globals';
import { account, harness, until, type Harness } from './testing/harness.js';

describe('alpaca market data feed', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.teardown();
    h = undefined;
  });

  it('is idle without an account and says so, quoting nothing', async () => {
    h = await harness({ accounts: [] });
    await h.feed.start?.();
    expect(h.feed.supports('AAPL')).toBe(false);
    expect(h.statuses.at(-1)).toEqual({ connected: false, error: 'idle: no Alpaca account is configured' });
  });

  it('authenticates, subscribes to quotes and publishes them under the ticker; stocks only', async () => {
    h = await harness();
    await h.feed.start?.();
    await until(() => h!.statuses.find((s) => s.connected), 'connected');
    expect(h.feed.supports('AAPL')).toBe(true);
    expect(h.feed.supports('NQ1!')).toBe(false);
    await h.feed.subscribe(['AAPL']);
    await until(() => h!.fake.dataSubscriptions().includes('AAPL'), 'the subscription');
    h.fake.quote('AAPL', 187.5, 187.52);
    await until(() => h!.quotes.length > 0, 'a quote');
    expect(h.quotes[0]).toEqual(expect.objectContaining({ ticker: 'AAPL', bid: 187.5, ask: 187.52 }));
    expect(Math.abs(h.quotes[0]!.time - Date.now())).toBeLessThan(60_000);
  });

  it('subscribes again after the connection is lost, and reports the loss', async () => {
    h = await harness();
    await h.feed.start?.();
    await h.feed.subscribe(['AAPL']);
    await until(() => h!.statuses.find((s) => s.connected), 'connected');
    await until(() => h!.fake.dataSubscriptions().includes('AAPL'), 'the subscription');
    h.fake.dropDataStreams();
    await until(() => h!.statuses.find((s) => !s.connected && /Alpaca market data/.test(s.error ?? '')), 'the loss');
    await until(() => h!.statuses.at(-1)?.connected && h!.fake.dataSubscriptions().includes('AAPL'), 'subscribed again');
    expect(h.statuses.at(-1)!.reconnects).toBe(1);
    h.fake.quote('AAPL', 188, 188.02);
    await until(() => h!.quotes.find((q) => q.bid === 188), 'a quote after the reconnect');
  });

  it('reports refused keys in words', async () => {
    h = await harness({ accounts: [account({ secrets: { secretKey: 'wrong-secret' } })] });
    await h.feed.start?.();
    const status = await until(() => h!.statuses.find((s) => s.error?.includes('refused')), 'the refusal');
    expect(status.error).toBe('Alpaca market data refused: auth failed (402)');
  });
});
