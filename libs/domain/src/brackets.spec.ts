import { describe, expect, it } from '@jest/globals';
import { bestPrice, legPrices, managedStopPrice } from './brackets.js';

describe('legPrices', () => {
  it('places ticks from the fill and keeps prices, each on the tick grid toward the entry', () => {
    // NQ long filled at 25000.25: 40 ticks up is 25010.25, 20 down 24995.25.
    expect(legPrices('buy', 25000.25, 0.25, { takeProfit: { ticks: 40 }, stopLoss: { ticks: 20 } })).toEqual({
      takeProfit: 25010.25,
      stopLoss: 24995.25,
    });
    // MNQ short filled at 18500: 80 ticks (20 points) down, 40 up.
    expect(legPrices('sell', 18500, 0.25, { takeProfit: { ticks: 80 }, stopLoss: { ticks: 40 } })).toEqual({
      takeProfit: 18480,
      stopLoss: 18510,
    });
    // ES long with prices made from its reference: kept (already on the grid).
    expect(legPrices('buy', 6801, 0.25, { takeProfit: { price: 6817.5 }, stopLoss: { price: 6783.5 } })).toEqual({
      takeProfit: 6817.5,
      stopLoss: 6783.5,
    });
    // A stock filled off the penny grid at 100.0037: 100 ticks up is 101.0037 → 101.00, down 99.0037 → 99.01.
    expect(legPrices('buy', 100.0037, 0.01, { takeProfit: { ticks: 100 }, stopLoss: { ticks: 100 } })).toEqual({
      takeProfit: 101,
      stopLoss: 99.01,
    });
    // A script's price off the grid: a long's take profit down, its stop up.
    expect(legPrices('buy', 25000, 0.25, { takeProfit: { price: 25010.1 }, stopLoss: { price: 24990.1 } })).toEqual({
      takeProfit: 25010,
      stopLoss: 24990.25,
    });
    // Fractional ticks (an alert may send 2.5): 25000.625 → 25000.5, toward the entry.
    expect(legPrices('buy', 25000, 0.25, { takeProfit: { ticks: 2.5 } })).toEqual({ takeProfit: 25000.5, stopLoss: null });
  });

  it('knows nothing in ticks before the fill, and nothing not asked for', () => {
    expect(legPrices('buy', null, 0.25, { takeProfit: { ticks: 40 }, stopLoss: { price: 24990 } })).toEqual({
      takeProfit: null,
      stopLoss: 24990,
    });
    expect(legPrices('buy', 100, 0.01, null)).toEqual({ takeProfit: null, stopLoss: null });
  });
});

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

  it('follows the bid up for a long and the ask down for a short', () => {
    const quote = { bid: 25010, ask: 25010.25 };
    expect(bestPrice({ entrySide: 'buy', best: 25005 }, quote)).toBe(25010);
    expect(bestPrice({ entrySide: 'buy', best: 25012 }, quote)).toBe(25012);
    expect(bestPrice({ entrySide: 'sell', best: 25020 }, quote)).toBe(25010.25);
    expect(bestPrice({ entrySide: 'sell', best: 25000 }, quote)).toBe(25000);
  });
});
