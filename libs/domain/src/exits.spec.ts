import { describe, expect, it } from '@jest/globals';
import type { ExitSpec, OrderSide } from '@tradeloop/contracts';
import { readStopLoss, readTakeProfit } from './alert-exits.js';
import { entryReference, exitPrice, exitsCrossed, exitTarget, trailTicks, wholeTicks, type ExitRole } from './exits.js';
import { FUTURES_CATALOG } from './instruments.js';

const tick = (root: string) => FUTURES_CATALOG.find((i) => i.root === root)!.tickSize;
const NQ = tick('NQ'); // 0.25
const MNQ = tick('MNQ'); // 0.25
const ES = tick('ES'); // 0.25
const STOCK = 0.01; // any stock, AAPL here

/** An exit as an alert states it (TradersPost's keys and Tradeloop's), read by the alert reader. */
const stated = (role: ExitRole, raw: Record<string, unknown>): ExitSpec =>
  role === 'takeProfit' ? readTakeProfit(raw)! : readStopLoss(raw)!.at;

describe('exit prices measured from a reference (a limit, a stop, the alert price)', () => {
  // Every row worked by hand: distance, raw price, then onto the grid toward the entry.
  // A long's take profit and a short's stop sit above and round down; the other two round up.
  it.each<[string, number, OrderSide, number, ExitRole, Record<string, unknown>, number]>([
    // NQ, tick 0.25
    ['NQ', NQ, 'buy', 25000.25, 'takeProfit', { ticks: 40 }, 25010.25], // + 40 × 0.25
    ['NQ', NQ, 'buy', 25000.25, 'stopLoss', { ticks: 20 }, 24995.25], // − 20 × 0.25
    ['NQ', NQ, 'buy', 25000.25, 'takeProfit', { points: 10 }, 25010.25],
    ['NQ', NQ, 'buy', 25000.25, 'takeProfit', { amount: 12.6 }, 25012.75], // 25012.85 → down
    ['NQ', NQ, 'buy', 25000.25, 'stopLoss', { amount: 12.6 }, 24987.75], // 24987.65 → up: risks 12.50, not 12.60
    ['NQ', NQ, 'buy', 25000.25, 'takeProfit', { percent: 1 }, 25250.25], // 250.0025 → 25250.2525 → down
    ['NQ', NQ, 'buy', 25000.25, 'stopLoss', { percent: 1 }, 24750.25], // 24750.2475 → up
    ['NQ', NQ, 'sell', 25000.25, 'takeProfit', { percent: 1 }, 24750.25], // 24750.2475 → up
    ['NQ', NQ, 'sell', 25000.25, 'stopLoss', { percent: 1 }, 25250.25], // 25250.2525 → down
    ['NQ', NQ, 'sell', 25000, 'takeProfit', { ticks: 40 }, 24990],
    ['NQ', NQ, 'sell', 25000, 'stopLoss', { points: 5 }, 25005],
    ['NQ', NQ, 'sell', 25000, 'takeProfit', { percent: 0.5 }, 24875], // 125 exactly
    ['NQ', NQ, 'buy', 24900, 'takeProfit', { limitPrice: 25000.3 }, 25000.25], // a price: down
    ['NQ', NQ, 'buy', 25000, 'stopLoss', { stopPrice: 24990.1 }, 24990.25], // up
    ['NQ', NQ, 'sell', 25000, 'takeProfit', { price: 24990.1 }, 24990.25], // up
    ['NQ', NQ, 'sell', 25000, 'stopLoss', { stopPrice: 25010.1 }, 25010], // down
    // MNQ, tick 0.25: TradersPost's own example, and a percent
    ['MNQ', MNQ, 'buy', 18500, 'takeProfit', { amount: 100 }, 18600],
    ['MNQ', MNQ, 'buy', 18500, 'takeProfit', { percent: 0.3 }, 18555.5], // 55.5 exactly
    ['MNQ', MNQ, 'buy', 18500, 'stopLoss', { percent: 0.3 }, 18444.5],
    ['MNQ', MNQ, 'sell', 18500.25, 'takeProfit', { points: 20.1 }, 18480.25], // 18480.15 → up
    ['MNQ', MNQ, 'sell', 18500.25, 'stopLoss', { amount: 20.1 }, 18520.25], // 18520.35 → down
    // ES, tick 0.25
    ['ES', ES, 'buy', 6800.5, 'takeProfit', { ticks: 8 }, 6802.5],
    ['ES', ES, 'buy', 6800.5, 'takeProfit', { percent: 0.25 }, 6817.5], // 17.00125 → 6817.50125 → down
    ['ES', ES, 'buy', 6800.5, 'stopLoss', { percent: 0.25 }, 6783.5], // 6783.49875 → up
    ['ES', ES, 'sell', 6800.5, 'takeProfit', { percent: 0.25 }, 6783.5], // up
    ['ES', ES, 'sell', 6800.5, 'stopLoss', { percent: 0.25 }, 6817.5], // down
    // A stock, tick 0.01: TradersPost's spec example (10 % and 5 % from 191.25)
    ['AAPL', STOCK, 'buy', 191.25, 'takeProfit', { percent: 10 }, 210.37], // 210.375 → down
    ['AAPL', STOCK, 'buy', 191.25, 'stopLoss', { type: 'stop', percent: 5 }, 181.69], // 181.6875 → up
    ['AAPL', STOCK, 'sell', 191.25, 'takeProfit', { percent: 10 }, 172.13], // 172.125 → up
    ['AAPL', STOCK, 'sell', 191.25, 'stopLoss', { percent: 5 }, 200.81], // 200.8125 → down
    ['AAPL', STOCK, 'buy', 191.25, 'takeProfit', { amount: 2.5 }, 193.75],
    ['AAPL', STOCK, 'buy', 191.25, 'takeProfit', { ticks: 15 }, 191.4],
    ['AAPL', STOCK, 'buy', 100.123, 'takeProfit', { ticks: 10 }, 100.22], // a limit as sent, off the grid: 100.223 → down
    ['AAPL', STOCK, 'buy', 100.123, 'stopLoss', { ticks: 10 }, 100.03], // 100.023 → up
  ])('%s (tick %d): %s from %d, %s %j → %d', (_root, tickSize, side, from, role, raw, expected) => {
    expect(exitPrice(stated(role, raw), side, from, role, tickSize)).toBe(expected);
    expect(exitTarget(stated(role, raw), role, { entrySide: side, tickSize, reference: from })).toEqual({ price: expected });
  });

  it('keeps a relative exit at least one tick from its entry', () => {
    // NQ: 0.0004 % of 25,000 is 0.1 point, less than a tick: one tick instead of none.
    expect(exitPrice({ percent: 0.0004 }, 'buy', 25000, 'takeProfit', NQ)).toBe(25000.25);
    expect(exitPrice({ percent: 0.0004 }, 'buy', 25000, 'stopLoss', NQ)).toBe(24999.75);
    expect(exitPrice({ points: 0.004 }, 'sell', 191.25, 'takeProfit', STOCK)).toBe(191.24);
    expect(exitPrice({ ticks: 0.5 }, 'sell', 25000, 'stopLoss', NQ)).toBe(25000.25);
  });
});

describe('exits given the wrong way round', () => {
  it('crosses when a closing limit is at or past its stop: both would fill', () => {
    // A long's exits are sells: take profit above the stop, or both fill wherever the market goes.
    expect(exitsCrossed('sell', 6810, 6790)).toBe(false);
    expect(exitsCrossed('sell', 6790, 6810)).toBe(true);
    expect(exitsCrossed('sell', 6800, 6800)).toBe(true);
    // A short's are buys: take profit below the stop.
    expect(exitsCrossed('buy', 6790, 6810)).toBe(false);
    expect(exitsCrossed('buy', 6810, 6790)).toBe(true);
    expect(exitsCrossed('buy', 6800, 6800)).toBe(true);
  });
});

describe('exits measured from the fill (an entry without a reference)', () => {
  const long = (tickSize: number, estimate: number | null) => ({ entrySide: 'buy' as const, tickSize, reference: null, estimate });

  it.each<[string, number, Record<string, unknown>, number | null, object | null]>([
    ['NQ', NQ, { ticks: 40 }, null, { ticks: 40 }],
    ['NQ', NQ, { points: 10 }, null, { ticks: 40 }],
    ['NQ', NQ, { amount: 10.1 }, null, { ticks: 40 }], // 40.4 ticks → 40, toward the entry
    ['NQ', NQ, { points: 0.1 }, null, { ticks: 1 }], // 0.4 → at least one
    ['NQ', NQ, { percent: 1 }, 25000.125, { ticks: 1000 }], // of the mid 25000.125: 250.00125 → 1000.005 ticks → 1000
    ['NQ', NQ, { percent: 1 }, null, null], // nothing to take a percent of
    ['NQ', NQ, { limitPrice: 25010.1 }, null, { price: 25010 }], // a price stays a price
    ['MNQ', MNQ, { amount: 20 }, null, { ticks: 80 }],
    ['ES', ES, { percent: 0.25 }, 6800.125, { ticks: 68 }], // 17.0003125 → 68.00125 ticks → 68
    ['AAPL', STOCK, { percent: 10 }, 191.26, { ticks: 1912 }], // 19.126 → 1912.6 ticks → 1912
  ])('%s (tick %d): %j with estimate %p → %j', (_root, tickSize, raw, estimate, expected) => {
    expect(exitTarget(stated('takeProfit', raw), 'takeProfit', long(tickSize, estimate))).toEqual(expected);
  });

  it('rounds whole ticks toward the entry, float dust aside, and never below one', () => {
    expect([wholeTicks(0.3, 0.1), wholeTicks(10.1, 0.25), wholeTicks(0.1, 0.25), wholeTicks(2.75, 0.25)]).toEqual([3, 40, 1, 11]);
  });
});

describe('a trailing stop loss in ticks', () => {
  it('is its distance in whole ticks, a percent of the reference, else of the estimate', () => {
    const basis = { entrySide: 'buy' as const, tickSize: NQ, reference: 25000 };
    expect(trailTicks({ percent: 1 }, basis)).toBe(1000); // 250 points
    expect(trailTicks({ points: 2.6 }, basis)).toBe(10); // 10.4 → 10: never looser than asked
    expect(trailTicks({ percent: 1 }, { ...basis, reference: null, estimate: 25000.125 })).toBe(1000);
    expect(trailTicks({ percent: 1 }, { ...basis, reference: null })).toBeNull();
    expect(trailTicks({ percent: 1 }, { entrySide: 'sell', tickSize: STOCK, reference: 71 })).toBe(71); // 0.71
  });
});

describe('entryReference', () => {
  it.each([
    [{ type: 'market' as const, signalPrice: 25000 }, 25000],
    [{ signalPrice: 25000 }, 25000],
    [{ type: 'market' as const }, null],
    [{ type: 'limit' as const, limitPrice: 24990, signalPrice: 25000 }, 24990],
    [{ type: 'stop' as const, stopPrice: 25010, signalPrice: 25000 }, 25010],
    [{ type: 'stop_limit' as const, stopPrice: 25010, limitPrice: 25012 }, 25012],
    [{ type: 'trailing_stop' as const, signalPrice: 25000 }, 25000],
  ])('%j → %p', (entry, expected) => {
    expect(entryReference(entry)).toBe(expected);
  });
});
