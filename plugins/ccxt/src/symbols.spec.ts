import { describe, expect, it } from '@jest/globals';
import type { MarketInterface as Market } from 'ccxt';
import { marketProblem } from './broker.js';
import { marketFor, onGrid, stepOf } from './symbols.js';

const market = (fields: Partial<Market>): Market =>
  ({
    active: true,
    precision: { amount: 0.001, price: 0.1 },
    limits: { amount: { min: 0.001 }, cost: { min: 5 }, price: {}, leverage: {} },
    ...fields,
  }) as Market;

/** The shapes ccxt gives Binance's spot and USDT-margined markets. */
const markets: Record<string, Market> = {
  'BTC/USDT': market({ id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', spot: true, swap: false }),
  'BTC/USDT:USDT': market({
    id: 'BTCUSDT',
    symbol: 'BTC/USDT:USDT',
    base: 'BTC',
    quote: 'USDT',
    settle: 'USDT',
    spot: false,
    swap: true,
    linear: true,
  }),
  'BTC/USD:BTC': market({
    id: 'BTCUSD_PERP',
    symbol: 'BTC/USD:BTC',
    base: 'BTC',
    quote: 'USD',
    settle: 'BTC',
    spot: false,
    swap: true,
    linear: false,
  }),
  'ETH/BTC': market({ id: 'ETHBTC', symbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', spot: true }),
};

describe('ccxt symbol mapping', () => {
  it.each([
    ['BTCUSDT', 'BTC/USDT'],
    ['btcusdt', 'BTC/USDT'],
    ['BINANCE:BTCUSDT', 'BTC/USDT'],
    ['BTC/USDT', 'BTC/USDT'],
    ['BTCUSDT.P', 'BTC/USDT:USDT'],
    ['BINANCE:BTCUSDT.P', 'BTC/USDT:USDT'],
    ['BTC/USDT:USDT', 'BTC/USDT:USDT'],
    ['ETHBTC', 'ETH/BTC'],
  ])('%s → %s', (ticker, symbol) => {
    expect(marketFor(ticker, markets)?.symbol).toBe(symbol);
  });

  it('finds nothing for an unlisted pair, and never takes an inverse contract for a .P', () => {
    expect(marketFor('DOGEUSDT', markets)).toBeUndefined();
    expect(marketFor('BTCUSD.P', markets)).toBeUndefined();
    expect(marketFor('ETHBTC.P', markets)).toBeUndefined();
  });
});

describe('precision and minimums', () => {
  it('reads a step in either precision mode', () => {
    expect(stepOf(0.01, 4)).toBe(0.01);
    expect(stepOf(2, 2)).toBeCloseTo(0.01, 12);
    expect(stepOf(5, 3)).toBeUndefined();
  });

  it('compares on an integer grid, free of float noise', () => {
    expect(onGrid(0.3, 0.1)).toBe(true);
    expect(onGrid(90000.07, 0.01)).toBe(true);
    expect(onGrid(0.0015, 0.001)).toBe(false);
  });

  it('names the step, the minimum amount, the tick and the minimum cost', () => {
    const m = markets['BTC/USDT']!;
    const order = {
      clientOrderId: 'x',
      brokerAccountId: 'a',
      ticker: 'BTCUSDT',
      side: 'buy' as const,
      quantity: 0.01,
      type: 'market' as const,
    };
    expect(marketProblem(order, m, 4, 90000)).toBeUndefined();
    expect(marketProblem({ ...order, quantity: 0.0105 }, m, 4, 90000)).toBe(
      "quantity 0.0105 is not a multiple of BTC/USDT's amount step 0.001",
    );
    const bigMinimum = { ...m, limits: { ...m.limits, amount: { min: 0.002 } } } as typeof m;
    expect(marketProblem({ ...order, quantity: 0.001 }, bigMinimum, 4, 90000)).toBe(
      "quantity 0.001 is below BTC/USDT's minimum amount 0.002",
    );
    expect(marketProblem({ ...order, type: 'limit', limitPrice: 90000.05 }, m, 4, 90000.05)).toBe(
      "limitPrice 90000.05 is not a multiple of BTC/USDT's tick size 0.1",
    );
    // 0.001 × 4000 = 4 USDT, under the 5 USDT minimum.
    expect(marketProblem({ ...order, quantity: 0.001 }, m, 4, 4000)).toBe("the order is worth 4 USDT, below BTC/USDT's minimum of 5");
  });
});
