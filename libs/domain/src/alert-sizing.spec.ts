import { describe, expect, it } from '@jest/globals';
import { sizeQuantity, type SizingInput } from './alert-sizing.js';

const stock = { pointValue: 1, wholeUnits: false, equity: null, position: 0, stopPrice: null, entryPrice: null } as const;
const mnq = { ...stock, pointValue: 2, wholeUnits: true };
const nq = { ...stock, pointValue: 20, wholeUnits: true };
const es = { ...stock, pointValue: 50, wholeUnits: true };
const size = (input: Partial<SizingInput> & Pick<SizingInput, 'quantityType' | 'value'>) => sizeQuantity({ ...stock, ...input });

describe('sizeQuantity: every quantityType, hand-computed', () => {
  it.each<[string, Partial<SizingInput> & Pick<SizingInput, 'quantityType' | 'value'>, number]>([
    // TradersPost's own examples.
    ['$1,000 of SPY at $100 is 10 shares', { quantityType: 'dollar_amount', value: 1000, entryPrice: 100 }, 10],
    [
      'risk $100 from 100 to a stop at 90 is 10 shares',
      { quantityType: 'risk_dollar_amount', value: 100, entryPrice: 100, stopPrice: 90 },
      10,
    ],
    [
      '1 % of $10,000 at risk from 100 to 90 is 10 shares',
      { quantityType: 'risk_percent', value: 1, entryPrice: 100, stopPrice: 90, equity: 10_000 },
      10,
    ],
    ['1 % of $100,000 at a $100 limit is 10 shares', { quantityType: 'percent_of_equity', value: 1, entryPrice: 100, equity: 100_000 }, 10],
    ['10 % of $10,000 at $100 is 10 shares', { quantityType: 'percent_of_equity', value: 10, entryPrice: 100, equity: 10_000 }, 10],
    ['50 % of a 10-share position is 5', { quantityType: 'percent_of_position', value: 50, position: 10 }, 5],
    ['20 % of a 5-share position is 1', { quantityType: 'percent_of_position', value: 20, position: 5 }, 1],
    // Fractional shares: $1,000 ÷ $660 = 1.51515151… → 1.51515151 (rounded down at 8 decimals).
    ['$1,000 of SPY at $660 is 1.51515151 shares', { quantityType: 'dollar_amount', value: 1000, entryPrice: 660 }, 1.51515151],
    ['a fixed quantity is itself', { quantityType: 'fixed_quantity', value: 3 }, 3],
    // Futures: the contract's point value, whole contracts rounded down.
    [
      '$50,000 of MNQ at 18,500 ($37,000 a contract) is 1 contract',
      { ...mnq, quantityType: 'dollar_amount', value: 50_000, entryPrice: 18_500 },
      1,
    ],
    [
      'risk $100 on MNQ from 18,500 to 18,450 (50 points × $2) is 1 contract',
      { ...mnq, quantityType: 'risk_dollar_amount', value: 100, entryPrice: 18_500, stopPrice: 18_450 },
      1,
    ],
    [
      'risk $1,000 on NQ from 25,000 to 24,990 (10 points × $20 = $200) is 5',
      { ...nq, quantityType: 'risk_dollar_amount', value: 1000, entryPrice: 25_000, stopPrice: 24_990 },
      5,
    ],
    [
      'risk $500 on ES short from 6,000 to a stop at 6,009.75 ($487.50) is 1',
      { ...es, quantityType: 'risk_dollar_amount', value: 500, entryPrice: 6000, stopPrice: 6009.75 },
      1,
    ],
    ['50 % of a 5-contract short is 2 contracts', { ...mnq, quantityType: 'percent_of_position', value: 50, position: -5 }, 2],
    [
      '2 % of $50,000 at risk on MNQ from 18,500 to 18,400 ($200 a contract) is 5',
      { ...mnq, quantityType: 'risk_percent', value: 2, entryPrice: 18_500, stopPrice: 18_400, equity: 50_000 },
      5,
    ],
  ])('%s', (_case, input, quantity) => {
    const sized = size(input);
    expect(sized).toEqual(expect.objectContaining({ ok: true, quantity }));
  });

  it('explains the arithmetic', () => {
    expect(size({ ...mnq, quantityType: 'risk_dollar_amount', value: 150, entryPrice: 18_500, stopPrice: 18_450 })).toEqual({
      ok: true,
      quantity: 1,
      explanation: '$150.00 ÷ (50 points to the stop × $2.00 a point) = 1.5, rounded down to 1 contracts',
    });
    expect(size({ quantityType: 'percent_of_equity', value: 1, entryPrice: 100, equity: 100_000 })).toEqual({
      ok: true,
      quantity: 10,
      explanation: '1 % of $100,000.00 = $1,000.00; $1,000.00 ÷ (100 × $1.00 a point) = 10',
    });
  });

  it.each<[string, Partial<SizingInput> & Pick<SizingInput, 'quantityType' | 'value'>, RegExp]>([
    [
      '$10,000 of MNQ at 18,500 rounds to 0',
      { ...mnq, quantityType: 'dollar_amount', value: 10_000, entryPrice: 18_500 },
      /^dollar_amount: .* = 0.27027027, which rounds down to 0 contracts: nothing to trade$/,
    ],
    ['no price to size from', { quantityType: 'dollar_amount', value: 1000 }, /^dollar_amount needs a price to size from/],
    ['a risk without a stop', { quantityType: 'risk_dollar_amount', value: 100, entryPrice: 100 }, /^risk_dollar_amount needs a stopLoss/],
    [
      'a stop at the entry',
      { quantityType: 'risk_dollar_amount', value: 100, entryPrice: 100, stopPrice: 100 },
      /the stop loss \(100\) is at the entry price/,
    ],
    ['no equity', { quantityType: 'percent_of_equity', value: 10, entryPrice: 100 }, /^percent_of_equity needs the account's equity/],
    ['no position', { quantityType: 'percent_of_position', value: 50 }, /^percent_of_position: there is no open position/],
    [
      '20 % of a 3-contract position',
      { ...mnq, quantityType: 'percent_of_position', value: 20, position: 3 },
      /= 0.6, which rounds down to 0 contracts/,
    ],
  ])('refuses %s, with the reason', (_case, input, message) => {
    const sized = size(input);
    expect(sized.ok).toBe(false);
    expect(!sized.ok && sized.error).toMatch(message);
  });
});
