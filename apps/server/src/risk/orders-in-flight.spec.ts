import { describe, expect, it } from '@jest/globals';
import { OrdersInFlight } from './orders-in-flight.js';

describe('orders in flight', () => {
  it("counts an account's allowed orders toward the side they trade, until their fills land", () => {
    const inFlight = new OrdersInFlight(30_000);
    inFlight.add('o1', 'acct', 'NQ1!', 'buy', 2, 0);
    inFlight.add('o2', 'acct', 'NQ1!', 'buy', 1, 0);
    inFlight.add('o3', 'acct', 'NQ1!', 'sell', 4, 0);
    inFlight.add('o4', 'other', 'NQ1!', 'buy', 5, 0);
    expect(inFlight.toward('acct', 'NQ1!', 'buy', 1)).toBe(3);
    expect(inFlight.toward('acct', 'NQ1!', 'sell', 1)).toBe(-4);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1)).toBe(0);

    // A partial fill leaves the rest in flight; the landing is counted for the account.
    expect(inFlight.landed('acct')).toBe(0);
    inFlight.land('o1', 1);
    expect([inFlight.toward('acct', 'NQ1!', 'buy', 1), inFlight.landed('acct')]).toEqual([2, 1]);
    inFlight.land('o1', 0);
    inFlight.land('o3', 0);
    expect(inFlight.on('acct', 1)).toEqual(new Map([['NQ1!', [1]]]));
    expect([inFlight.landed('acct'), inFlight.landed('other'), inFlight.size]).toEqual([3, 0, 2]);
    // An order it does not hold (refused, or landed already) changes nothing.
    inFlight.land('o1', 0);
    inFlight.land('never', 0);
    expect([inFlight.landed('acct'), inFlight.size]).toEqual([3, 2]);
  });

  it("says what a position's market orders will move it by once they fill: not its resting orders, nor another position's", () => {
    const inFlight = new OrdersInFlight(30_000);
    const position = (key: string, closing: boolean, market: boolean) => ({ key, closing, market });
    inFlight.add('entry', 'acct', 'ES1!', 'buy', 2, 0, position('s1', false, true));
    inFlight.add('resting', 'acct', 'ES1!', 'buy', 5, 0, position('s1', false, false));
    inFlight.add('stop leg', 'acct', 'ES1!', 'sell', 2, 0, position('s1', true, false));
    inFlight.add('exit', 'acct', 'ES1!', 'sell', 3, 0, position('s1', true, true));
    inFlight.add('other', 'acct', 'ES1!', 'buy', 7, 0, position('s2', false, true));
    inFlight.add('nq', 'acct', 'NQ1!', 'sell', 1, 0, position('s1', false, true));
    expect(inFlight.marketFillingByTicker('acct', 's1', 1)).toEqual(
      new Map([
        ['ES1!', -1],
        ['NQ1!', -1],
      ]),
    );
    expect(inFlight.marketFillingByTicker('acct', 's2', 1)).toEqual(new Map([['ES1!', 7]]));
    expect(inFlight.marketFillingByTicker('other', 's1', 1)).toEqual(new Map());
    inFlight.land('nq', 0);
    // What is left of a piece, until the rest fills; then nothing, and the position on record holds it.
    inFlight.land('exit', 1);
    expect(inFlight.marketFillingByTicker('acct', 's1', 1)).toEqual(new Map([['ES1!', 1]]));
    inFlight.land('exit', 0);
    inFlight.land('entry', 0);
    expect(inFlight.marketFillingByTicker('acct', 's1', 1)).toEqual(new Map());
    // A market order whose time is over counts no more, as for the limits.
    expect(inFlight.marketFillingByTicker('acct', 's2', 30_000)).toEqual(new Map());
  });

  it("says what a position's market orders the other way will move it by: what an order this way closes", () => {
    const inFlight = new OrdersInFlight(30_000);
    const position = (key: string, closing: boolean, market: boolean) => ({ key, closing, market });
    inFlight.add('entry', 'acct', 'ES1!', 'buy', 2, 0, position('s1', false, true));
    inFlight.add('add', 'acct', 'ES1!', 'buy', 1, 0, position('s1', false, true));
    inFlight.add('resting', 'acct', 'ES1!', 'buy', 5, 0, position('s1', false, false));
    inFlight.add('exit', 'acct', 'ES1!', 'sell', 1, 0, position('s1', true, true));
    inFlight.add('other', 'acct', 'ES1!', 'buy', 7, 0, position('s2', false, true));
    inFlight.add('nq', 'acct', 'NQ1!', 'buy', 4, 0, position('s1', false, true));
    // A sell closes the market buys on their way (not the resting one, nor another position's or ticker's).
    expect(inFlight.marketAgainst('acct', 's1', 'ES1!', 'sell', 1)).toBe(3);
    expect(inFlight.marketAgainst('acct', 's1', 'ES1!', 'buy', 1)).toBe(-1);
    expect(inFlight.marketAgainst('acct', 's2', 'ES1!', 'sell', 1)).toBe(7);
    expect(inFlight.marketAgainst('other', 's1', 'ES1!', 'sell', 1)).toBe(0);
    inFlight.land('entry', 0);
    expect(inFlight.marketAgainst('acct', 's1', 'ES1!', 'sell', 1)).toBe(1);
    expect(inFlight.marketAgainst('acct', 's1', 'ES1!', 'sell', 30_000)).toBe(0);
  });

  it('lists the positions a market order is on its way to, in one account or all, for a flatten to close', () => {
    const inFlight = new OrdersInFlight(30_000);
    const position = (key: string, closing: boolean, market: boolean) => ({ key, closing, market });
    inFlight.add('entry', 'a1', 'ES1!', 'buy', 2, 0, position('s1', false, true));
    inFlight.add('add', 'a1', 'ES1!', 'buy', 1, 0, position('s1', false, true));
    inFlight.add('resting', 'a1', 'NQ1!', 'buy', 5, 0, position('s1', false, false));
    inFlight.add('manual', 'a2', 'NQ1!', 'sell', 1, 10, position('', false, true));
    inFlight.add('unkeyed', 'a2', 'CL1!', 'sell', 1, 0);
    const landed = inFlight.landedAll;
    expect(inFlight.marketFillingPositions(1)).toEqual([
      { accountId: 'a1', positionKey: 's1', ticker: 'ES1!' },
      { accountId: 'a2', positionKey: '', ticker: 'NQ1!' },
    ]);
    expect(inFlight.marketFillingPositions(1, 'a1')).toEqual([{ accountId: 'a1', positionKey: 's1', ticker: 'ES1!' }]);
    expect(inFlight.marketFillingPositions(1, 'none')).toEqual([]);
    inFlight.land('entry', 0);
    expect(inFlight.landedAll).toBe(landed + 1);
    expect(inFlight.marketFillingPositions(1, 'a1')).toHaveLength(1);
    inFlight.land('add', 0);
    expect(inFlight.marketFillingPositions(1, 'a1')).toEqual([]);
    // Lapsed orders are dropped on the way, an emptied account with them.
    expect(inFlight.marketFillingPositions(30_005)).toEqual([{ accountId: 'a2', positionKey: '', ticker: 'NQ1!' }]);
    expect(inFlight.marketFillingPositions(30_010)).toEqual([]);
  });

  it('stops counting an order that neither fills nor ends within its time, without asking for a new read', () => {
    const inFlight = new OrdersInFlight(1_000);
    inFlight.add('slow', 'acct', 'CL1!', 'sell', 3, 0);
    expect(inFlight.toward('acct', 'CL1!', 'sell', 999)).toBe(-3);
    expect(inFlight.toward('acct', 'CL1!', 'sell', 1_000)).toBe(0);
    expect([inFlight.size, inFlight.landed('acct')]).toEqual([0, 0]);
    expect(inFlight.on('acct', 1_001)).toEqual(new Map());
  });

  it('lets each order lapse at its own time, in any ticker, whichever was added first', () => {
    const inFlight = new OrdersInFlight(1_000);
    inFlight.add('late', 'acct', 'ES1!', 'buy', 1, 500);
    inFlight.add('early', 'acct', 'NQ1!', 'buy', 2, 0);
    inFlight.add('latest', 'acct', 'ES1!', 'buy', 4, 900);
    expect(inFlight.on('acct', 999)).toEqual(
      new Map([
        ['ES1!', [1, 4]],
        ['NQ1!', [2]],
      ]),
    );
    expect(inFlight.on('acct', 1_000)).toEqual(new Map([['ES1!', [1, 4]]]));
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1_499)).toBe(5);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1_500)).toBe(4);
    // An order added after a sweep, lapsing before the one the sweep kept, still lapses on time.
    inFlight.add('quick', 'acct', 'ES1!', 'buy', 8, 600);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1_599)).toBe(12);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1_600)).toBe(4);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1_900)).toBe(0);
    expect(inFlight.size).toBe(0);
  });

  it('projects a position from its own orders in flight: those that opened it, and closing market orders', () => {
    const inFlight = new OrdersInFlight(30_000);
    inFlight.add('flatten-1', 'acct', 'ES1!', 'sell', 2, 0, { key: 's1', closing: true, market: true });
    inFlight.add('take-profit', 'acct', 'ES1!', 'sell', 2, 0, { key: 's1', closing: true, market: false });
    inFlight.add('add-on', 'acct', 'ES1!', 'buy', 1, 0, { key: 's1', closing: false, market: false });
    inFlight.add('other', 'acct', 'ES1!', 'sell', 5, 0, { key: 's2', closing: false, market: true });
    // A second flatten sees the first's sell; a bracket's stop does not see its take profit.
    expect(inFlight.pending('acct', 's1', 'ES1!', 'sell', 1)).toBe(-2);
    expect(inFlight.pending('acct', 's1', 'ES1!', 'buy', 1)).toBe(1);
    expect(inFlight.pending('acct', 's2', 'ES1!', 'sell', 1)).toBe(-5);
    // The account's view: closing orders are not exposure, and the caller's own position may be left out.
    expect(inFlight.toward('acct', 'ES1!', 'sell', 1)).toBe(-5);
    expect(inFlight.toward('acct', 'ES1!', 'sell', 1, 's2')).toBe(0);
    expect(inFlight.toward('acct', 'ES1!', 'buy', 1, 's2')).toBe(1);
    expect(inFlight.on('acct', 1)).toEqual(new Map([['ES1!', [1, -5]]]));
    inFlight.land('flatten-1', 0);
    expect(inFlight.pending('acct', 's1', 'ES1!', 'sell', 1)).toBe(0);
  });
});
