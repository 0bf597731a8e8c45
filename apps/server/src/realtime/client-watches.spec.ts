import { describe, expect, it } from '@jest/globals';
import { ClientWatches } from './client-watches.js';

const tickers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('ClientWatches', () => {
  it('refuses a message with more tickers than one message may carry, changing nothing', () => {
    const watches = new ClientWatches({ maxTickersPerWatch: 3, maxTickersPerToken: 10, graceMs: 0 });
    expect(watches.problem('c1', 't', 'watch', tickers('A', 4))).toMatch(/at most 3 in one message, got 4/);
    expect(watches.tickers).toBe(0);
  });

  it("counts a token's distinct tickers over all its connections: shared ones once", () => {
    const watches = new ClientWatches({ maxTickersPerWatch: 5, maxTickersPerToken: 6, graceMs: 0 });
    watches.set('c1', 't', 'watch', ['A', 'B', 'C']);
    watches.set('c2', 't', 'subscribe', ['B', 'C', 'D']);
    expect(watches.tokenTickers('t')).toBe(4);
    // E, F make 6: allowed; E, F, G make 7: refused.
    expect(watches.problem('c3', 't', 'watch', ['A', 'E', 'F'])).toBeNull();
    expect(watches.problem('c3', 't', 'watch', ['E', 'F', 'G'])).toMatch(/would keep 7 tickers .* at most 6/);
    // Another token has its own allowance.
    expect(watches.problem('c4', 'other', 'watch', ['E', 'F', 'G'])).toBeNull();
  });

  it("counts what a client's new set frees, and reports what its union gained and lost", () => {
    const watches = new ClientWatches({ maxTickersPerWatch: 5, maxTickersPerToken: 3, graceMs: 0 });
    expect(watches.set('c1', 't', 'watch', ['A', 'B', 'C'])).toEqual({ added: ['A', 'B', 'C'], removed: [] });
    // Replacing its own watch frees A and B: D and E fit.
    expect(watches.problem('c1', 't', 'watch', ['C', 'D', 'E'])).toBeNull();
    expect(watches.set('c1', 't', 'watch', ['C', 'D', 'E'])).toEqual({ added: ['D', 'E'], removed: ['A', 'B'] });
    // A SUBSCRIBE naming a watched ticker adds nothing to the union.
    expect(watches.set('c1', 't', 'subscribe', ['C'])).toEqual({ added: [], removed: [] });
    expect(watches.set('c1', 't', 'watch', [])).toEqual({ added: [], removed: ['D', 'E'] });
    expect([...(watches.keeping('C') ?? [])]).toEqual(['c1']);
  });

  it('forgets a client that leaves, and with it what its token kept', () => {
    const watches = new ClientWatches({ maxTickersPerWatch: 5, maxTickersPerToken: 5, graceMs: 0 });
    watches.set('c1', 't', 'watch', ['A', 'B']);
    watches.set('c2', 't', 'watch', ['B']);
    expect(watches.drop('c1').sort()).toEqual(['A', 'B']);
    expect(watches.tokenTickers('t')).toBe(1);
    expect(watches.keeping('A')).toBeUndefined();
    expect([...(watches.keeping('B') ?? [])]).toEqual(['c2']);
    expect(watches.drop('c2')).toEqual(['B']);
    expect(watches.tickers).toBe(0);
    expect(watches.drop('never')).toEqual([]);
  });

  it('counts tickers a token let go against it while they stay quoted, so swapping watches cannot go past the limit', () => {
    let now = 0;
    const watches = new ClientWatches({ maxTickersPerWatch: 5, maxTickersPerToken: 4, graceMs: 30_000 }, () => now);
    watches.set('c1', 't', 'watch', ['A', 'B', 'C']);
    // A, B, C let go and D, E, F asked for: 6 quoted for the next 30 s.
    expect(watches.problem('c1', 't', 'watch', ['D', 'E', 'F'])).toMatch(/would keep 6 tickers .*last 30 s.*at most 4/);
    watches.set('c1', 't', 'watch', ['D']);
    // Taking a ticker back that it let go costs nothing new.
    expect(watches.problem('c1', 't', 'watch', ['A', 'D'])).toBeNull();
    expect(watches.problem('c1', 't', 'watch', ['D', 'E'])).toMatch(/would keep 5 tickers/);
    now = 30_000;
    expect(watches.problem('c1', 't', 'watch', ['D', 'E', 'F', 'G'])).toBeNull();
  });
});
