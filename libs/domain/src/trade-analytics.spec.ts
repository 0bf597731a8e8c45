import { describe, expect, it } from '@jest/globals';
import { histogram, hourOfDay, percentile, signalTimeOf, statsByKey } from './analytics-stats.js';
import { InstrumentCatalog } from './instruments.js';
import { bracketStop, observePrice, slippage, startExcursion, tradeExcursion } from './trade-analytics.js';

const catalog = new InstrumentCatalog();
const instrument = (ticker: string) => catalog.instrument(ticker);
const T = Date.UTC(2026, 11, 3, 14, 30, 0);

describe('slippage against the signal price (worse is negative)', () => {
  it.each([
    // side, ticker, fill, reference, quantity, ticks, cents
    ['buy', 'NQ1!', 25000.5, 25000, 1, -2, -1000], // paid 2 ticks more: 2 × $5
    ['sell', 'MNQ1!', 24999.75, 25000.25, 2, -2, -200], // sold 2 ticks lower: 2 × $0.50 × 2
    ['sell', 'ES1!', 5000.5, 5000, 1, 2, 2500], // sold 2 ticks higher: better, 2 × $12.50
    ['buy', 'NQ1!', 25000.25, 25000.1, 1, -0.6, -300], // an alert price off the grid: 0.6 tick × $5
    ['buy', 'CL1!', 70.03, 70, 2, -3, -6000], // 3 ticks × $10 × 2
    ['buy', 'YM1!', 44000, 44000, 5, 0, 0],
  ] as const)('%s %s filled %d vs %d × %d → %d ticks, %d cents', (side, ticker, fill, reference, quantity, ticks, cents) => {
    expect(slippage(side, fill, reference, quantity, instrument(ticker))).toEqual({ ticks, cents });
  });
});

describe('MFE / MAE / R of a closed trade from its quote path', () => {
  it('a long NQ trade: best 25010.25, worst 24996.50, stop 24990', () => {
    const trade = {
      direction: 'long' as const,
      quantity: 2,
      entryPrice: 25000,
      exitPrice: 25005,
      entryTime: T,
      exitTime: T + 600_000,
      pnlCents: 19580,
    };
    const path = [
      { price: 25003, time: T + 60_000 },
      { price: 24996.5, time: T + 120_000 },
      { price: 25010.25, time: T + 300_000 },
      { price: 25010.25, time: T + 310_000 }, // the same high again: the first time counts
      { price: 25020, time: T + 700_000 }, // after the exit: not part of the trade
    ];
    expect(tradeExcursion(trade, path, instrument('NQ1!'), 24990)).toEqual({
      mfeTicks: 41, // 10.25 points
      mfeCents: 41000, // 41 × $5 × 2
      mfePrice: 25010.25,
      mfeTime: T + 300_000,
      maeTicks: -14, // 3.5 points
      maeCents: -14000, // 14 × $5 × 2
      maePrice: 24996.5,
      maeTime: T + 120_000,
      holdingMs: 600_000,
      stopPrice: 24990,
      riskCents: 40000, // 40 ticks × $5 × 2
      rMultiple: 0.49, // 195.80 ÷ 400.00
    });
  });

  it('a short MES trade with a stop 12 ticks away, tracked incrementally', () => {
    const es = instrument('MES1!');
    const trade = {
      direction: 'short' as const,
      quantity: 3,
      entryPrice: 5000,
      exitPrice: 4997.25,
      entryTime: T,
      exitTime: T + 90_000,
      pnlCents: 3753,
    };
    const state = startExcursion('short', 5000, T);
    observePrice(state, 4998.75, T + 10_000);
    observePrice(state, 5002.5, T + 20_000);
    observePrice(state, 4995, T + 30_000);
    observePrice(state, 5001, T - 5_000); // before the entry: ignored
    const stop = bracketStop('short', 5000, { stopLossPrice: null, stopLossTicks: 12 }, es);
    expect(stop).toBe(5003);
    const result = tradeExcursion(trade, state, es, stop);
    expect(result).toMatchObject({
      mfeTicks: 20, // 5 points down
      mfeCents: 7500, // 20 × $1.25 × 3
      mfeTime: T + 30_000,
      maeTicks: -10, // 2.5 points up
      maeCents: -3750,
      maeTime: T + 20_000,
      riskCents: 4500, // 12 × $1.25 × 3
      rMultiple: 0.83, // 37.53 ÷ 45.00
      holdingMs: 90_000,
    });
    // The state handed in is not changed by the exit price.
    expect(state.worst.price).toBe(5002.5);
  });

  it('a trade never in profit: MFE 0 at the entry, MAE at the exit; no stop, no R', () => {
    const trade = {
      direction: 'long' as const,
      quantity: 1,
      entryPrice: 70,
      exitPrice: 69.9,
      entryTime: T,
      exitTime: T + 5_000,
      pnlCents: -10000,
    };
    expect(tradeExcursion(trade, [{ price: 69.95, time: T + 1_000 }], instrument('CL1!'))).toEqual({
      mfeTicks: 0,
      mfeCents: 0,
      mfePrice: 70,
      mfeTime: T,
      maeTicks: -10,
      maeCents: -10000,
      maePrice: 69.9,
      maeTime: T + 5_000,
      holdingMs: 5_000,
      stopPrice: null,
      riskCents: null,
      rMultiple: null,
    });
  });

  it('a stop on the winning side of the entry risks nothing: no R', () => {
    const trade = {
      direction: 'long' as const,
      quantity: 1,
      entryPrice: 100,
      exitPrice: 101,
      entryTime: T,
      exitTime: T + 1,
      pnlCents: 100,
    };
    expect(tradeExcursion(trade, [], instrument('AAPL'), 100.5).rMultiple).toBeNull();
  });
});

describe('summaries', () => {
  it('percentiles by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNull();
  });

  it('histogram buckets keep every value', () => {
    expect(histogram([-3, 0, 0.5, 1, 7, 100], [0, 1, 5])).toEqual([
      { from: 0, count: 3 },
      { from: 1, count: 1 },
      { from: 5, count: 2 },
    ]);
  });

  it('win rate and expectancy per key', () => {
    expect(
      statsByKey([
        { key: 'a', pnlCents: 1000 },
        { key: 'b', pnlCents: -250 },
        { key: 'a', pnlCents: -333 },
        { key: 'a', pnlCents: 0 },
      ]),
    ).toEqual([
      { key: 'a', trades: 3, wins: 1, winRate: 0.3333, totalCents: 667, expectancyCents: 222 },
      { key: 'b', trades: 1, wins: 0, winRate: 0, totalCents: -250, expectancyCents: -250 },
    ]);
  });

  it('hour of day in a zone, and TradingView times', () => {
    expect(hourOfDay(Date.UTC(2026, 11, 3, 14, 30), 'America/New_York')).toBe(9);
    expect(hourOfDay(Date.UTC(2026, 11, 3, 0, 5), 'UTC')).toBe(0);
    expect(signalTimeOf('2026-12-03T14:29:59Z', T)).toBe(T - 1000);
    expect(signalTimeOf(String(T / 1000), T)).toBe(T);
    expect(signalTimeOf('not a time', T)).toBeNull();
    expect(signalTimeOf('2020-01-01T00:00:00Z', T)).toBeNull();
    expect(signalTimeOf(undefined, T)).toBeNull();
  });
});
