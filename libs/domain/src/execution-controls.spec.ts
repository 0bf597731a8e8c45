import { describe, expect, it } from '@jest/globals';
import {
  checkExits,
  checkRiskLimits,
  increasesExposure,
  insideWindow,
  linkTarget,
  localMinutes,
  parseExitTarget,
} from './execution-controls.js';

describe('linkTarget', () => {
  it.each([
    [2, { multiplier: 1, inverse: false }, true, 2],
    [2, { multiplier: 2, inverse: false }, true, 4],
    [-3, { multiplier: 0.5, inverse: false }, true, -1], // −1.5 → −1: never more than the scaled signal
    [3, { multiplier: 1, inverse: true }, true, -3],
    [0, { multiplier: 3, inverse: true }, true, 0],
    [1, { multiplier: 0.5, inverse: false }, false, 0.5], // shares may be fractional
  ])('signal %d with %o (whole contracts: %s) → %d', (target, rule, whole, expected) => {
    expect(linkTarget(target, rule, whole)).toBe(expected);
  });
});

describe('parseExitTarget', () => {
  it('reads ticks, points, TradersPost amounts and prices, numbers as strings too', () => {
    expect(parseExitTarget('takeProfit', { ticks: 40 })).toEqual({ ticks: 40 });
    expect(parseExitTarget('takeProfit', { points: '10' })).toEqual({ points: 10 });
    expect(parseExitTarget('takeProfit', { amount: 12.5 })).toEqual({ points: 12.5 });
    expect(parseExitTarget('stopLoss', { stopPrice: 24990 })).toEqual({ price: 24990 });
    expect(parseExitTarget('takeProfit', { limitPrice: '25100.25' })).toEqual({ price: 25100.25 });
    expect(parseExitTarget('stopLoss', { percent: 1 })).toEqual({ percent: 1 });
  });

  it('names the field and the problem', () => {
    expect(parseExitTarget('takeProfit', 40)).toMatch(/^takeProfit must be an object/);
    expect(parseExitTarget('stopLoss', { ticks: -5 })).toBe('stopLoss.ticks must be a number greater than 0, got -5');
    expect(parseExitTarget('stopLoss', { ticks: 5, price: 1 })).toMatch(/^stopLoss needs exactly one of/);
    expect(parseExitTarget('stopLoss', { miles: 5 })).toMatch(/^stopLoss needs exactly one of/);
  });

  it('bounds each exit as an alert bounds it: a stop loss of 100 % or more would be at or below zero', () => {
    expect(parseExitTarget('stopLoss', { percent: 500 })).toBe('stopLoss.percent must be at most 99.99, got 500');
    expect(parseExitTarget('exits.stopLoss', { percent: 100 })).toBe('exits.stopLoss.percent must be at most 99.99, got 100');
    expect(parseExitTarget('stopLoss', { percent: 99.99 })).toEqual({ percent: 99.99 });
    // A take profit may be far above the entry, as an alert's may (up to 1,000 %).
    expect(parseExitTarget('takeProfit', { percent: 500 })).toEqual({ percent: 500 });
    expect(parseExitTarget('takeProfit', { percent: 1001 })).toBe('takeProfit.percent must be at most 1,000, got 1001');
    expect(parseExitTarget('exits.stopLoss', { price: 1e300 })).toBe('exits.stopLoss.price must be at most 100,000,000, got 1e+300');
    expect(parseExitTarget('takeProfit', { ticks: 1e9 })).toBe('takeProfit.ticks must be at most 1,000,000, got 1000000000');
    expect(parseExitTarget('takeProfit', { amount: '100000001' })).toBe('takeProfit.amount must be at most 100,000,000, got 100000001');
  });
});

describe('trading windows', () => {
  it('reads local minutes across the November DST change in New York', () => {
    expect(localMinutes(Date.parse('2026-10-30T13:30:00Z'), 'America/New_York')).toBe(9 * 60 + 30); // EDT, UTC−4
    expect(localMinutes(Date.parse('2026-11-02T14:30:00Z'), 'America/New_York')).toBe(9 * 60 + 30); // EST, UTC−5
  });

  it('checks a day window and one that spans midnight', () => {
    const day = { start: '09:30', end: '16:00', timeZone: 'America/New_York' };
    expect(insideWindow(Date.parse('2026-11-02T14:30:00Z'), day)).toBe(true);
    expect(insideWindow(Date.parse('2026-11-02T21:00:00Z'), day)).toBe(false); // 16:00 is outside
    expect(insideWindow(Date.parse('2026-11-02T14:29:00Z'), day)).toBe(false);
    const overnight = { start: '18:00', end: '16:00', timeZone: 'America/New_York' };
    expect(insideWindow(Date.parse('2026-11-02T23:30:00Z'), overnight)).toBe(true); // 18:30
    expect(insideWindow(Date.parse('2026-11-02T21:30:00Z'), overnight)).toBe(false); // 16:30, the daily break
  });
});

describe('increasesExposure', () => {
  it('lets an order toward flat through and holds an order away from it', () => {
    expect(increasesExposure(2, 'sell', 1)).toBe(false);
    expect(increasesExposure(2, 'sell', 2)).toBe(false);
    expect(increasesExposure(2, 'buy', 1)).toBe(true);
    expect(increasesExposure(0, 'sell', 1)).toBe(true);
    expect(increasesExposure(2, 'sell', 3)).toBe(true); // reverses
  });
});

describe('checking risk limits and exits as users send them', () => {
  const zones = (zone: string) => ['America/New_York', 'America/Chicago'].includes(zone);

  it('accepts the limits, numbers as strings too, and drops an empty object to none', () => {
    expect(
      checkRiskLimits(
        {
          maxDailyLoss: '500',
          maxPositionSize: 3,
          tradingWindow: { start: '09:30', end: '16:00' },
          flattenAt: '15:55',
          timeZone: 'America/Chicago',
        },
        zones,
      ),
    ).toEqual({
      ok: true,
      value: {
        maxDailyLoss: 500,
        maxPositionSize: 3,
        tradingWindow: { start: '09:30', end: '16:00' },
        flattenAt: '15:55',
        timeZone: 'America/Chicago',
      },
    });
    expect(checkRiskLimits({}, zones)).toEqual({ ok: true, value: null });
  });

  it('names the field that is wrong', () => {
    expect(checkRiskLimits({ maxDailyLoss: -5 }, zones)).toEqual({
      ok: false,
      error: 'risk.maxDailyLoss must be a number greater than 0, got -5',
    });
    expect(checkRiskLimits({ flattenAt: '3:55pm' }, zones)).toEqual({
      ok: false,
      error: 'risk.flattenAt must be a time HH:MM (24-hour), got "3:55pm"',
    });
    expect(checkRiskLimits({ tradingWindow: { start: '09:30' } }, zones)).toEqual({
      ok: false,
      error: 'risk.tradingWindow.end must be a time HH:MM (24-hour), got undefined',
    });
    expect(checkRiskLimits({ timeZone: 'Mars/Olympus' }, zones)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^risk.timeZone must be an IANA zone/),
    });
    expect(checkRiskLimits({ maxLoss: 5 }, zones)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^risk.maxLoss is not a risk limit/),
    });
  });

  it('checks exits', () => {
    expect(checkExits({ takeProfit: { ticks: 40 }, stopLoss: { points: '5' }, trailingTicks: 8 })).toEqual({
      ok: true,
      value: { takeProfit: { ticks: 40 }, stopLoss: { points: 5 }, trailingTicks: 8 },
    });
    expect(checkExits({ stopLoss: { ticks: 0 } })).toEqual({
      ok: false,
      error: 'exits.stopLoss.ticks must be a number greater than 0, got 0',
    });
    expect(checkExits({ stopLoss: { percent: 500 } })).toEqual({
      ok: false,
      error: 'exits.stopLoss.percent must be at most 99.99, got 500',
    });
    expect(checkExits({ trailingTicks: 1e12 })).toEqual({
      ok: false,
      error: 'exits.trailingTicks must be at most 1,000,000, got 1000000000000',
    });
    expect(checkExits({ breakEvenTicks: 1_000_000 })).toEqual({ ok: true, value: { breakEvenTicks: 1_000_000 } });
  });
});
