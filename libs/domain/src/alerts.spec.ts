import { describe, expect, it } from '@jest/globals';
import type { Alert } from '@tradeloop/contracts';
import { parseAlert, planAlert } from './alerts.js';

const ok = (body: unknown) => {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(result.error);
  return result.alert;
};
const error = (body: unknown) => {
  const result = parseAlert(body);
  if (result.ok) throw new Error(`parsed: ${JSON.stringify(result.alert)}`);
  return result.error;
};

describe('parseAlert', () => {
  it('reads a TradingView-rendered strategy alert with numbers as strings', () => {
    expect(ok('{"ticker":"NQ1!","action":"buy","quantity":"2","price":"25329.50","id":"Long entry"}')).toEqual({
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 2,
      price: 25329.5,
      id: 'Long entry',
    });
    expect(ok('{"ticker":"NQ1!","action":"buy","quantity":"2","price":"25329.50","id":"{{strategy.order.id}}"}')).toEqual({
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 2,
      price: 25329.5,
      id: '{{strategy.order.id}}',
    });
    expect(ok('{"ticker":"NQ1!","positionSize":"-1"}')).toEqual({ ticker: 'NQ1!', positionSize: -1 });
    expect(ok({ ticker: 'NQ1!', positionSize: '-1' })).toEqual({ ticker: 'NQ1!', positionSize: -1 });
    expect(ok({ action: 'Sell', quantity: ' 2.5 ', id: 42, time: 1764000000000, comment: '  Exit long  ' })).toEqual({
      action: 'sell',
      quantity: 2.5,
      id: '42',
      time: '1764000000000',
      comment: 'Exit long',
    });
    expect(ok({ action: 'buy', orderType: 'stop', stopPrice: '25400' })).toEqual({ action: 'buy', orderType: 'stop', stopPrice: 25400 });
    expect(ok({ ticker: 'ES1!', positionsize: 3 })).toEqual({ ticker: 'ES1!', positionSize: 3 });
    expect(ok({ ticker: 'NQ1!', position_size: ' 0 ' })).toEqual({ ticker: 'NQ1!', positionSize: 0 });
  });

  it('folds the hosted bridges vocabulary', () => {
    expect(ok({ action: 'CLOSE', sentiment: 'Bullish', qty: 3, orderType: 'LIMIT', price: 100 })).toEqual({
      action: 'exit',
      sentiment: 'long',
      quantity: 3,
      orderType: 'limit',
      price: 100,
      limitPrice: 100,
    });
    expect(
      ok({ action: 'sell', sentiment: 'bearish', contracts: '1', quantityType: 'fixed_quantity', takeProfit: { amount: 10 } }),
    ).toEqual({
      action: 'sell',
      sentiment: 'short',
      quantity: 1,
      takeProfit: { points: 10 },
    });
    expect(ok({ sentiment: 'flat' })).toEqual({ sentiment: 'flat' });
  });

  it('reads take profit and stop loss in the ways the bridges write them, and names a bad one', () => {
    expect(ok({ action: 'buy', takeProfit: { ticks: '40' }, stopLoss: { stopPrice: 24990 } })).toEqual({
      action: 'buy',
      takeProfit: { ticks: 40 },
      stopLoss: { price: 24990 },
    });
    expect(parseAlert({ action: 'buy', stopLoss: 20 })).toEqual({ ok: false, error: expect.stringMatching(/^stopLoss must be an object/) });
    expect(parseAlert({ action: 'buy', takeProfit: { ticks: 0 } })).toEqual({
      ok: false,
      error: 'takeProfit.ticks must be a number greater than 0, got 0',
    });
  });

  it('ignores empty placeholders rendered as ""', () => {
    expect(ok({ action: 'buy', quantity: '', id: '  ', comment: '' })).toEqual({ action: 'buy' });
  });

  it.each([
    ['bad JSON', '{"action": "buy"', /^body is not valid JSON/],
    ['an empty body', '', /^body is not valid JSON: the body is empty/],
    ['a blank body', '  \n', /^body is not valid JSON: the body is empty/],
    ['no body at all', undefined, /^body is not valid JSON: the body is empty/],
    ['an array', '[{"action":"buy"}]', /^body must be a JSON object.*array/],
    ['a number', '42', /^body must be a JSON object/],
    ['an unknown action', { action: 'hold' }, /^action must be one of buy, sell, exit, close, cancel, add; got "hold"/],
    ['a negative quantity', { action: 'buy', quantity: -1 }, /^quantity must be greater than 0, got -1/],
    ['quantity 0', { action: 'buy', quantity: '0' }, /^quantity must be greater than 0/],
    ['a non-numeric quantity', { action: 'buy', quantity: 'abc' }, /^quantity must be a number, got "abc"/],
    ['a non-numeric alias', { action: 'buy', qty: 'x' }, /^quantity must be a number, got "x" \(as qty\)/],
    ['a non-numeric positionSize', { positionSize: 'long' }, /^positionSize must be a number/],
    ['a negative price', { action: 'buy', price: '-5' }, /^price must be greater than 0/],
    ['an unsupported quantityType', { action: 'buy', quantityType: 'dollar_amount' }, /^quantityType "dollar_amount" is not supported yet/],
    ['no action, sentiment or positionSize', { ticker: 'NQ1!' }, /^action is required/],
    ['a limit order without a price', { action: 'buy', orderType: 'limit' }, /^limitPrice is required/],
    ['a stop order without a stop price', { action: 'buy', orderType: 'stop', price: 1 }, /^stopPrice is required/],
    ['an unknown order type', { action: 'buy', orderType: 'stop_limit' }, /^orderType must be one of market, limit, stop/],
    ['an object as ticker', { action: 'buy', ticker: { a: 1 } }, /^ticker must be text/],
  ])('refuses %s, naming the field', (_case, body, message) => {
    expect(error(body)).toMatch(message);
  });
});

describe('planAlert: TradingView strategy semantics', () => {
  const plan = (current: number, alert: Alert, defaultQuantity = 1) => planAlert(current, alert, defaultQuantity);
  it.each<[string, number, Alert, number | null, boolean]>([
    // name, position before, alert, target, cancel working orders
    ['buy from flat', 0, { action: 'buy', quantity: 2 }, 2, false],
    ['buy adds to a long', 1, { action: 'buy', quantity: 2 }, 3, false],
    ['sell 2 from long 1 ends short 1', 1, { action: 'sell', quantity: 2 }, -1, false],
    ['buy uses the default quantity', 0, { action: 'buy' }, 3, false],
    ['sell with sentiment flat never flips', 1, { action: 'sell', quantity: 2, sentiment: 'flat' }, 0, false],
    ['buy with sentiment flat closes a short partly', -3, { action: 'buy', quantity: 1, sentiment: 'flat' }, -2, false],
    ['buy with sentiment flat from flat stays flat', 0, { action: 'buy', quantity: 1, sentiment: 'flat' }, 0, false],
    ['buy with sentiment flat never adds to a long', 1, { action: 'buy', quantity: 1, sentiment: 'flat' }, 1, false],
    ['sell with sentiment long stays at or above zero', 1, { action: 'sell', quantity: 3, sentiment: 'long' }, 0, false],
    ['buy with sentiment short stays at or below zero', -1, { action: 'buy', quantity: 3, sentiment: 'short' }, 0, false],
    ['sell with sentiment short may open a short', 0, { action: 'sell', quantity: 2, sentiment: 'short' }, -2, false],
    ['positionSize wins over the action', 2, { action: 'buy', quantity: 5, positionSize: -1 }, -1, false],
    ['positionSize 0 flattens', -4, { positionSize: 0 }, 0, false],
    ['exit flattens and cancels working orders', 3, { action: 'exit' }, 0, true],
    ['cancel only cancels', 3, { action: 'cancel' }, null, true],
    ['add to a long', 2, { action: 'add', quantity: 1 }, 3, false],
    ['add to a short', -2, { action: 'add', quantity: 2 }, -4, false],
    ['sentiment flat alone flattens', -2, { sentiment: 'flat' }, 0, false],
    ['close is exit', -2, { action: 'exit', sentiment: 'flat' }, 0, true],
    ['add with sentiment flat does not add', 2, { action: 'add', quantity: 1, sentiment: 'flat' }, 2, false],
    ['buy to the same position is a no-op plan', 0, { action: 'buy', quantity: 1, sentiment: 'flat' }, 0, false],
    ['positionSize wins over exit', 3, { action: 'exit', positionSize: 1 }, 1, false],
  ])('%s', (_name, current, alert, target, cancelWorking) => {
    const result = plan(current, alert, alert.action === 'buy' && alert.quantity === undefined ? 3 : 1);
    expect(result.target).toBe(target);
    expect(result.cancelWorking).toBe(cancelWorking);
  });

  it('ignores add when flat, with a note', () => {
    expect(plan(0, { action: 'add', quantity: 1 })).toEqual({ target: null, cancelWorking: false, note: 'add ignored: no open position' });
  });

  it('does not trade a bare direction', () => {
    expect(plan(2, { sentiment: 'short' })).toEqual(expect.objectContaining({ target: null, cancelWorking: false }));
    expect(plan(2, { sentiment: 'short' }).note).toBeTruthy();
    expect(plan(0, { sentiment: 'long' })).toEqual(
      expect.objectContaining({ target: null, note: expect.stringMatching(/nothing to trade/) }),
    );
  });
});
