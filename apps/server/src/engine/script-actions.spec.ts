import { describe, expect, it } from '@jest/globals';
import { OrderRateLimiter, parseAction } from './script-actions.js';

describe('script actions, as the host checks them', () => {
  it('accepts orders of every type, with take profit and stop loss in ticks or prices', () => {
    expect(parseAction({ kind: 'order', side: 'buy', ticker: ' NQ1! ', quantity: 2 })).toEqual({
      kind: 'order',
      side: 'buy',
      ticker: 'NQ1!',
      quantity: 2,
      options: { type: 'market' },
    });
    expect(
      parseAction({
        kind: 'order',
        side: 'sell',
        ticker: 'ES1!',
        quantity: 1,
        options: { type: 'limit', limitPrice: 6800.25, takeProfit: { ticks: 8 }, stopLoss: { price: 6810 } },
      }),
    ).toEqual({
      kind: 'order',
      side: 'sell',
      ticker: 'ES1!',
      quantity: 1,
      options: { type: 'limit', limitPrice: 6800.25, takeProfit: { ticks: 8 }, stopLoss: { price: 6810 } },
    });
    expect(parseAction({ kind: 'flatten', ticker: null })).toEqual({ kind: 'flatten', ticker: null });
    expect(parseAction({ kind: 'cancelAll', ticker: 'NQ1!' })).toEqual({ kind: 'cancelAll', ticker: 'NQ1!' });
  });

  it.each([
    [{ kind: 'order', side: 'hold', ticker: 'NQ1!', quantity: 1 }, 'side must be buy or sell'],
    [{ kind: 'order', side: 'buy', ticker: '', quantity: 1 }, 'buy: ticker is empty: expected a symbol like NQ1!, CME_MINI:NQ1! or AAPL'],
    [
      { kind: 'order', side: 'buy', ticker: `<script>${'x'.repeat(60_000)}`, quantity: 1 },
      'buy: ticker is 60008 characters long; at most 64',
    ],
    [
      { kind: 'order', side: 'buy', ticker: '<script>alert(1)</script>', quantity: 1 },
      'buy: ticker "<script>alert(1)</script>" is not a symbol: at most 32 letters, digits and . _ ! / - (like NQ1!, CME_MINI:NQ1!, AAPL, BTCUSDT)',
    ],
    [{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: -1 }, 'buy NQ1!: quantity must be a number above 0, got -1'],
    [{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: Number.NaN }, 'buy NQ1!: quantity must be a number above 0, got NaN'],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1e300 },
      'buy NQ1!: quantity 1e+300 is more than any order may be (at most 1,000,000)',
    ],
    [{ kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: '1' }, 'buy NQ1!: quantity must be a number above 0, got "1"'],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { type: 'limit' } },
      'buy NQ1!: a limit order needs limitPrice above 0',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { type: 'stop', stopPrice: 0 } },
      'buy NQ1!: a stop order needs stopPrice above 0',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { type: 'limit', limitPrice: 1e300 } },
      'buy NQ1!: limitPrice must be at most 100,000,000, got 1e+300',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { type: 'stop', stopPrice: 100_000_001 } },
      'buy NQ1!: stopPrice must be at most 100,000,000, got 100000001',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { stopLoss: { ticks: 1e9 } } },
      'buy NQ1!: stopLoss.ticks must be at most 1,000,000, got 1000000000',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { takeProfit: { price: 1e12 } } },
      'buy NQ1!: takeProfit.price must be at most 100,000,000, got 1000000000000',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { type: 'iceberg' } },
      'buy NQ1!: type must be market, limit or stop',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { takeProfit: { ticks: 4, price: 1 } } },
      'buy NQ1!: takeProfit needs exactly one of ticks or price',
    ],
    [
      { kind: 'order', side: 'buy', ticker: 'NQ1!', quantity: 1, options: { stopLoss: { ticks: -4 } } },
      'buy NQ1!: stopLoss.ticks must be a number above 0',
    ],
    [{ kind: 'flatten', ticker: 42 }, 'flatten: ticker must be a string like NQ1!, CME_MINI:NQ1! or AAPL, got number'],
    [{ kind: 'transfer', to: 'x' }, 'unknown action'],
    ['buy', 'not an action'],
  ])('refuses %p: %s', (raw, problem) => {
    expect(parseAction(raw)).toBe(problem);
  });
});

describe('order rate limit', () => {
  it('allows maxOrdersPerMinute in any rolling minute, per strategy', () => {
    let now = 1_000_000;
    const limiter = new OrderRateLimiter(3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 59_999;
    expect(limiter.take('a')).toBe(false);
    now += 2;
    expect(limiter.take('a')).toBe(true);
  });
});
