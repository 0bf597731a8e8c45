import { describe, expect, it } from '@jest/globals';
import { formatMoney, toCents, toDollars } from './money.js';

describe('money', () => {
  it.each([
    [0, 0],
    [1, 100],
    [410, 41000],
    [0.1 + 0.2, 30],
    [1.005, 101],
    [1.015, 102],
    [2.675, 268],
    [-1.005, -101],
    [-62.5, -6250],
    [19.99, 1999],
    [123456.78, 12345678],
    [0.004, 0],
  ])('toCents(%d) = %d', (dollars, cents) => {
    expect(toCents(dollars)).toBe(cents);
  });

  it('never returns −0 and refuses non-finite amounts', () => {
    expect(Object.is(toCents(-0.001), 0)).toBe(true);
    expect(() => toCents(NaN)).toThrow(/finite/);
  });

  it('toDollars divides by 100', () => {
    expect(toDollars(41000)).toBe(410);
    expect(toDollars(-6250)).toBe(-62.5);
    expect(toDollars(1)).toBe(0.01);
  });
});

describe('formatMoney', () => {
  it.each([
    [0, '$0.00'],
    [5, '$0.05'],
    [41200, '$412.00'],
    [4840000, '$48,400.00'],
    [123456789, '$1,234,567.89'],
    [-41250, '-$412.50'],
    [-1, '-$0.01'],
  ])('formatMoney(%d) = %s', (cents, text) => {
    expect(formatMoney(cents)).toBe(text);
  });

  it('refuses fractions of a cent', () => {
    expect(() => formatMoney(0.5)).toThrow(/whole number of cents/);
  });
});
