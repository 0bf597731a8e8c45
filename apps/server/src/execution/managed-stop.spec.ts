import { describe, expect, it } from '@jest/globals';
import { managedStopPrice } from './brackets.service.js';

const long = { entrySide: 'buy' as const, entryPrice: 25000.25, tickSize: 0.25, breakEvenTicks: 8, trailingTicks: 12 };

describe('managedStopPrice', () => {
  it('leaves the stop until the market is break-even ticks in profit, then moves it to the entry', () => {
    const breakEven = { ...long, trailingTicks: null };
    expect(managedStopPrice({ ...breakEven, best: 25002 }, 24995.25)).toBeNull(); // 7 ticks up
    expect(managedStopPrice({ ...breakEven, best: 25002.25 }, 24995.25)).toBe(25000.25); // 8 ticks up
    // With trailing too, the stop trails from the first tick: 7 ticks up puts it 12 under 25002.
    expect(managedStopPrice({ ...long, best: 25002 }, 24995.25)).toBe(24999);
  });

  it('trails the best price by the trailing ticks, never loosening', () => {
    expect(managedStopPrice({ ...long, best: 25010 }, 25000.25)).toBe(25007);
    expect(managedStopPrice({ ...long, best: 25010 }, 25007)).toBeNull();
    expect(managedStopPrice({ ...long, best: 25009 }, 25007)).toBeNull(); // a pullback never lowers it
  });

  it('mirrors it all for a short', () => {
    const short = { ...long, entrySide: 'sell' as const, entryPrice: 25000 };
    expect(managedStopPrice({ ...short, best: 24998 }, 25005)).toBe(25000); // 8 ticks down: break-even
    expect(managedStopPrice({ ...short, best: 24990 }, 25000)).toBe(24993);
  });

  it('moves only by whole ticks, on the tick grid', () => {
    // 25003.30 − 3 points = 25000.30, on the grid 25000.25: no whole tick better than the stop.
    expect(managedStopPrice({ ...long, breakEvenTicks: null, best: 25003.3 }, 25000.25)).toBeNull();
    expect(managedStopPrice({ ...long, breakEvenTicks: null, best: 25003.6 }, 25000.25)).toBe(25000.5);
  });
});
