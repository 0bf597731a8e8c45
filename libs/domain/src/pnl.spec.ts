import { describe, expect, it } from '@jest/globals';
import { InstrumentCatalog } from './instruments.js';
import {
  applyFill,
  averagePrice,
  EMPTY_POSITION,
  fillProblem,
  grossPnlCents,
  netQuantity,
  openPnlCents,
  splitCents,
  type FillInput,
  type PositionState,
} from './pnl.js';

const catalog = new InstrumentCatalog();
const NQ = catalog.instrument('NQ1!');
const fill = (side: 'buy' | 'sell', quantity: number, price: number, time = 0, commissionCents = 0): FillInput => ({
  side,
  quantity,
  price,
  time,
  commissionCents,
});
const run = (ticker: string, fills: FillInput[]) => {
  const instrument = catalog.instrument(ticker);
  let state: PositionState = EMPTY_POSITION;
  const trades = [];
  let realized = 0;
  for (const f of fills) {
    const result = applyFill(state, f, instrument);
    state = result.state;
    trades.push(...result.trades);
    realized += result.realizedCents;
  }
  return { state, trades, realized };
};

describe('one hand-computed round trip per instrument class', () => {
  it.each([
    // ticker, direction, qty, entry, exit, cents: ticks × tick value × qty
    ['NQ1!', 'long', 2, 25000, 25010.25, 41 * 500 * 2], // $410.00
    ['MNQ1!', 'short', 3, 25100.5, 25090, 42 * 50 * 3], // $63.00
    ['ES1!', 'long', 1, 6800, 6798.75, -5 * 1250], // −$62.50
    ['MES1!', 'short', 4, 6810.25, 6805.5, 19 * 125 * 4], // $95.00
    ['YM1!', 'long', 1, 47500, 47563, 63 * 500], // $315.00
    ['MYM1!', 'short', 2, 47500, 47520, -20 * 50 * 2], // −$20.00
    ['RTY1!', 'long', 1, 2450.1, 2452.3, 22 * 500], // $110.00
    ['M2K1!', 'long', 5, 2450.3, 2449.9, -4 * 50 * 5], // −$10.00
    ['CL1!', 'long', 1, 62.15, 62.37, 22 * 1000], // $220.00
    ['MCL1!', 'short', 10, 60.5, 60.01, 49 * 100 * 10], // $490.00
    ['GC1!', 'long', 1, 4100.1, 4112.4, 123 * 1000], // $1,230.00
    ['MGC1!', 'short', 2, 4100, 4100.3, -3 * 100 * 2], // −$6.00
    ['AAPL', 'long', 100, 190.1, 190.35, 25 * 1 * 100], // $25.00
  ] as const)('%s %s %d from %d to %d = %d cents', (ticker, direction, quantity, entry, exit, cents) => {
    const open = direction === 'long' ? 'buy' : 'sell';
    const close = direction === 'long' ? 'sell' : 'buy';
    const { trades, realized, state } = run(ticker, [fill(open, quantity, entry), fill(close, quantity, exit)]);
    expect(trades).toEqual([
      expect.objectContaining({ direction, quantity, entryPrice: entry, exitPrice: exit, grossCents: cents, pnlCents: cents }),
    ]);
    expect(realized).toBe(cents);
    expect(state.lots).toEqual([]);
  });
});

describe('FIFO matching', () => {
  it('adds to a position and averages the entry', () => {
    const { state, trades } = run('NQ1!', [fill('buy', 1, 25000), fill('buy', 3, 25004)]);
    expect(trades).toEqual([]);
    expect(netQuantity(state)).toBe(4);
    expect(averagePrice(state)).toBe(25003);
  });

  it('closes the oldest lots first across three entries', () => {
    const { state, trades, realized } = run('NQ1!', [
      fill('buy', 1, 25000, 1),
      fill('buy', 2, 25010, 2),
      fill('buy', 1, 25020, 3),
      fill('sell', 3, 25030, 4),
    ]);
    expect(trades.map((t) => [t.quantity, t.entryPrice, t.grossCents])).toEqual([
      [1, 25000, 120 * 500], // 30 points = 120 ticks
      [2, 25010, 80 * 500 * 2],
    ]);
    expect(realized).toBe(140000); // $600 + $800
    expect(state.lots).toEqual([{ quantity: 1, price: 25020, time: 3, commissionCents: 0 }]);
  });

  it('partially closes a lot and keeps the rest at its price', () => {
    const { state, trades } = run('ES1!', [fill('buy', 3, 6800), fill('sell', 1, 6801)]);
    expect(trades).toEqual([expect.objectContaining({ quantity: 1, grossCents: 4 * 1250 })]);
    expect(state.lots).toEqual([expect.objectContaining({ quantity: 2, price: 6800 })]);
  });

  it('reverses long to short in one fill', () => {
    const { state, trades, realized } = run('NQ1!', [fill('buy', 1, 25000), fill('sell', 2, 25005)]);
    expect(trades).toEqual([expect.objectContaining({ direction: 'long', quantity: 1, grossCents: 20 * 500 })]);
    expect(realized).toBe(10000);
    expect(state.lots).toEqual([expect.objectContaining({ quantity: -1, price: 25005 })]);
  });

  it('reverses short to long in one fill', () => {
    const { state, trades } = run('MNQ1!', [fill('sell', 2, 25000), fill('buy', 5, 25010)]);
    expect(trades).toEqual([expect.objectContaining({ direction: 'short', quantity: 2, grossCents: -40 * 50 * 2 })]);
    expect(netQuantity(state)).toBe(3);
    expect(averagePrice(state)).toBe(25010);
  });

  it('never mutates the state it was given', () => {
    const before: PositionState = { lots: [{ quantity: 2, price: 25000, time: 0, commissionCents: 7 }] };
    const copy = structuredClone(before);
    applyFill(before, fill('sell', 3, 25001, 1, 5), NQ);
    expect(before).toEqual(copy);
  });

  it('refuses nonsense fills', () => {
    expect(() => applyFill(EMPTY_POSITION, fill('buy', 0, 1), NQ)).toThrow(/quantity/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', 1, NaN), NQ)).toThrow(/price/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', -1, 1), NQ)).toThrow(/quantity/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', Infinity, 1), NQ)).toThrow(/quantity/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', 1, NaN), NQ)).toThrow(/price/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', 1, Infinity), NQ)).toThrow(/price/);
    expect(() => applyFill(EMPTY_POSITION, fill('buy', 1, 1, 0, 0.5), NQ)).toThrow(/commission/);
  });

  it('adds to a short and covers it partly, oldest first', () => {
    // short 1 @ 6800.00, short 1 @ 6802.00, buy 1 @ 6799.50 covers the first: 2 ticks × $12.50
    const { state, trades } = run('ES1!', [fill('sell', 1, 6800, 1), fill('sell', 1, 6802, 2), fill('buy', 1, 6799.5, 3)]);
    expect(trades).toEqual([
      {
        direction: 'short',
        quantity: 1,
        entryPrice: 6800,
        exitPrice: 6799.5,
        entryTime: 1,
        exitTime: 3,
        grossCents: 2500,
        commissionCents: 0,
        pnlCents: 2500,
        entryPriceSource: 'unrecorded',
        exitPriceSource: 'unrecorded',
      },
    ]);
    expect(state.lots).toEqual([{ quantity: -1, price: 6802, time: 2, commissionCents: 0 }]);
    expect(netQuantity(state)).toBe(-1);
  });

  it("carries each fill's price source to its lots and to both sides of the trades they make", () => {
    const { state, trades } = run('NQ1!', [
      { ...fill('buy', 1, 25000, 1), priceSource: 'alert' },
      { ...fill('buy', 1, 25001, 2), priceSource: 'simulated' },
      { ...fill('sell', 3, 25002, 3), priceSource: 'quote:tradovate' },
    ]);
    expect(trades.map((t) => [t.quantity, t.entryPriceSource, t.exitPriceSource])).toEqual([
      [1, 'alert', 'quote:tradovate'],
      [1, 'simulated', 'quote:tradovate'],
    ]);
    expect(state.lots).toEqual([{ quantity: -1, price: 25002, time: 3, commissionCents: 0, priceSource: 'quote:tradovate' }]);
  });

  it('closes a lot in the middle of a fill and reports flat as null average', () => {
    const { state, trades } = run('NQ1!', [fill('buy', 2, 25000), fill('sell', 1, 25001), fill('sell', 1, 25002)]);
    expect(trades.map((t) => t.grossCents)).toEqual([4 * 500, 8 * 500]);
    expect(netQuantity(state)).toBe(0);
    expect(averagePrice(state)).toBeNull();
  });

  it('keeps every cent of a long session: trades plus open lots account for all commission paid', () => {
    const fills = [
      fill('buy', 3, 25000, 1, 631), // 3 NQ, $6.31
      fill('buy', 2, 25010.5, 2, 421),
      fill('sell', 4, 25020.25, 3, 843), // closes 3 @ 25000 and 1 @ 25010.5
      fill('sell', 3, 25005, 4, 633), // closes 1 @ 25010.5, opens short 2
      fill('buy', 1, 25001.75, 5, 211), // covers 1 of the short
    ];
    const { state, trades, realized } = run('NQ1!', fills);
    expect(trades.map((t) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.grossCents])).toEqual([
      ['long', 3, 25000, 25020.25, 81 * 500 * 3], // $1,215.00
      ['long', 1, 25010.5, 25020.25, 39 * 500], // $195.00
      ['long', 1, 25010.5, 25005, -22 * 500], // −$55.00
      ['short', 1, 25005, 25001.75, 13 * 500], // $32.50
    ]);
    const paid = fills.reduce((sum, f) => sum + f.commissionCents, 0);
    const charged = trades.reduce((sum, t) => sum + t.commissionCents, 0);
    const onLots = state.lots.reduce((sum, l) => sum + l.commissionCents, 0);
    expect(charged + onLots).toBe(paid);
    expect(realized).toBe(trades.reduce((sum, t) => sum + t.pnlCents, 0));
    expect(realized).toBe(121500 + 19500 - 11000 + 6500 - charged);
    for (const t of trades) expect(t.pnlCents).toBe(t.grossCents - t.commissionCents);
    expect(state.lots).toEqual([expect.objectContaining({ quantity: -1, price: 25005, time: 4 })]);
  });
});

describe('commissions to the cent', () => {
  it('charges entry and exit commission to the trade', () => {
    // $2.10 per side per contract on 2 NQ: 420 cents in, 420 cents out
    const { trades, realized } = run('NQ1!', [fill('buy', 2, 25000, 0, 420), fill('sell', 2, 25001, 1, 420)]);
    expect(trades[0]).toEqual(expect.objectContaining({ grossCents: 4 * 500 * 2, commissionCents: 840, pnlCents: 4000 - 840 }));
    expect(realized).toBe(3160);
  });

  it('splits odd cents without losing or inventing one', () => {
    // 3 cents on entry of 2; half closes (1 cent or 2 go with it), the rest stays on the lot.
    const first = run('AAPL', [fill('buy', 2, 100, 0, 3), fill('sell', 1, 100, 1, 1)]);
    const onLot = first.state.lots[0].commissionCents;
    expect(first.trades[0].commissionCents + onLot).toBe(3 + 1);
    const second = applyFill(first.state, fill('sell', 1, 100, 2, 1), catalog.instrument('AAPL'));
    expect(first.trades[0].commissionCents + second.trades[0].commissionCents).toBe(3 + 1 + 1);
    expect(first.realized + second.realizedCents).toBe(-5);
  });

  it('splits a reversing fill commission between the close and the new lot', () => {
    const { trades, state } = run('NQ1!', [fill('buy', 1, 25000, 0, 100), fill('sell', 3, 25000, 1, 301)]);
    const exitShare = trades[0].commissionCents - 100;
    expect(exitShare + state.lots[0].commissionCents).toBe(301);
    expect([100, 101]).toContain(exitShare);
  });

  it('splits 3 cents of entry commission over a half close: 2 go with the trade, 1 stays on the lot', () => {
    const { trades, state } = run('NQ1!', [fill('buy', 2, 25000, 0, 3), fill('sell', 1, 25000, 1, 0)]);
    expect(trades[0].commissionCents).toBe(2);
    expect(trades[0].pnlCents).toBe(-2);
    expect(state.lots[0].commissionCents).toBe(1);
  });

  it('books a rebate (negative commission) the same way', () => {
    const { trades, realized } = run('NQ1!', [fill('buy', 1, 25000, 0, -25), fill('sell', 1, 25000.25, 1, -25)]);
    expect(trades[0]).toEqual(expect.objectContaining({ grossCents: 500, commissionCents: -50, pnlCents: 550 }));
    expect(realized).toBe(550);
  });

  it('splitCents is exact for any weights', () => {
    expect(splitCents(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitCents(7, [0, 2])).toEqual([0, 7]);
    expect(splitCents(0, [1, 2])).toEqual([0, 0]);
    for (let total = 0; total < 50; total++) expect(splitCents(total, [1, 3, 7]).reduce((a, b) => a + b)).toBe(total);
  });
});

describe('open P&L', () => {
  const long: PositionState = { lots: [{ quantity: 2, price: 25000, time: 0, commissionCents: 0 }] };
  const short: PositionState = { lots: [{ quantity: -1, price: 25000, time: 0, commissionCents: 0 }] };
  it('marks longs at the bid and shorts at the ask', () => {
    const quote = { bid: 25002, ask: 25002.25 };
    expect(openPnlCents(long, quote, NQ)).toBe(8 * 500 * 2); // $80
    expect(openPnlCents(short, quote, NQ)).toBe(-9 * 500); // −$45
    expect(openPnlCents(EMPTY_POSITION, quote, NQ)).toBe(0);
  });
  it('never returns −0', () => {
    expect(Object.is(grossPnlCents('short', 100, 100, 1, NQ), 0)).toBe(true);
  });
});

describe('fillProblem', () => {
  const fill = (fields: Partial<FillInput> = {}): FillInput => ({
    side: 'buy',
    quantity: 1,
    price: 25000,
    time: 1,
    commissionCents: 0,
    ...fields,
  });

  it('accepts an ordinary fill and what it books', () => {
    const result = applyFill(EMPTY_POSITION, fill({ quantity: 3 }), NQ);
    expect(fillProblem(fill({ quantity: 3 }), result)).toBeUndefined();
  });

  it.each([
    [{ quantity: 1e300 }, /fill quantity 1e\+300 is more than any order may be \(at most 1,000,000\)/],
    [{ quantity: Number.NaN }, /fill quantity must be a number above 0, got NaN/],
    [{ quantity: Number.POSITIVE_INFINITY }, /fill quantity must be a number above 0, got Infinity/],
    [{ quantity: 1e-12 }, /smaller than the finest quantity/],
    [{ price: Number.POSITIVE_INFINITY }, /fill price must be a price above 0/],
    [{ price: 2e9 }, /at most 1,000,000,000, got 2000000000/],
    [{ commissionCents: 0.5 }, /whole cents/],
  ])('refuses %o', (fields, reason) => {
    expect(fillProblem(fill(fields))).toMatch(reason);
  });

  it('refuses a fill that would make the position larger than any may be, or P&L inexact', () => {
    const state = { lots: [{ quantity: 999_999, price: 25000, time: 1, commissionCents: 0 }] };
    const more = fill({ quantity: 2 });
    expect(fillProblem(more, applyFill(state, more, NQ))).toBe(
      'the position would be 1000001, more than any position may be (at most 1,000,000)',
    );
    // Closing 1,000,000 contracts a billion points away: 4e9 ticks × $5 × 1e6 is past exact cents.
    const huge = { lots: [{ quantity: 1_000_000, price: 1, time: 1, commissionCents: 0 }] };
    const close = fill({ side: 'sell', quantity: 1_000_000, price: 999_999_999 });
    expect(fillProblem(close, applyFill(huge, close, NQ))).toBe('its P&L would be too large to keep exact to the cent');
  });
});
