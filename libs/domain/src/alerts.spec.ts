import { describe, expect, it } from '@jest/globals';
import type { Alert } from '@tradeloop/contracts';
import { parseAlert, planAlert } from './alerts.js';

const ok = (body: unknown) => {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(result.error);
  return result.alert;
};
const notes = (body: unknown) => {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(result.error);
  return result.notes;
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
    // A limit or stop order without its price is placed at the market price when it runs (TradersPost's rule).
    expect(ok({ action: 'buy', orderType: 'limit' })).toEqual({ action: 'buy', orderType: 'limit' });
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
      error: 'takeProfit.ticks must be greater than 0, got 0',
    });
  });

  it('ignores empty placeholders rendered as ""', () => {
    expect(ok({ action: 'buy', quantity: '', id: '  ', comment: '' })).toEqual({ action: 'buy' });
  });

  it.each([
    ['bad JSON', '{"action": "buy"', /^the alert message must be JSON, and this is not valid JSON/],
    ['an empty body', '', /^the alert message is empty: it must be JSON/],
    ['a blank body', '  \n', /^the alert message is empty/],
    ['no body at all', undefined, /^the alert message is empty/],
    ['an array', '[{"action":"buy"}]', /^the alert message must be a JSON object.*a list/],
    ['a number', '42', /^the alert message must be a JSON object/],
    ['an unknown action', { action: 'hold' }, /^action must be one of buy, sell, exit, close, cancel, add; got "hold"/],
    ['a negative quantity', { action: 'buy', quantity: -1 }, /^quantity must be greater than 0, got -1/],
    ['quantity 0', { action: 'buy', quantity: '0' }, /^quantity must be greater than 0/],
    [
      'a non-numeric quantity',
      { action: 'buy', quantity: 'abc' },
      /^quantity must be a plain decimal number like 2 or 25329.50, got "abc"/,
    ],
    ['a non-numeric alias', { action: 'buy', qty: 'x' }, /^quantity \(sent as qty\) must be a plain decimal number/],
    ['a non-numeric positionSize', { positionSize: 'long' }, /^positionSize must be a plain decimal number/],
    ['a negative price', { action: 'buy', price: '-5' }, /^price must be greater than 0/],
    ['an unknown quantityType', { action: 'buy', quantityType: 'lots' }, /^quantityType must be one of fixed_quantity, dollar_amount/],
    [
      'a sized quantityType without a quantity',
      { action: 'buy', quantityType: 'dollar_amount' },
      /^quantityType dollar_amount needs a quantity/,
    ],
    ['no action, sentiment or positionSize', { ticker: 'NQ1!' }, /^action is required/],
    [
      'a trailing stop order without a trail',
      { action: 'buy', orderType: 'trailing_stop' },
      /^orderType trailing_stop needs trailAmount or trailPercent/,
    ],
    ['a trail without a trailing stop order', { action: 'buy', trailAmount: 1 }, /^trailAmount is for a trailing stop order/],
    [
      'both trails',
      { action: 'buy', orderType: 'trailing_stop', trailAmount: 1, trailPercent: 1 },
      /^trailAmount and trailPercent cannot both/,
    ],
    [
      'an unknown order type',
      { action: 'buy', orderType: 'iceberg' },
      /^orderType must be one of market, limit, stop, stop_limit, trailing_stop/,
    ],
    ['an object as ticker', { action: 'buy', ticker: { a: 1 } }, /^ticker must be text/],
    ['a ticker of 65 characters', { action: 'buy', ticker: 'A'.repeat(65) }, /^ticker is 65 characters long; at most 64$/],
    // Named by its whole length, not by the 200 characters its other checks read.
    ['a ticker of 300 characters', { action: 'buy', ticker: 'A'.repeat(300) }, /^ticker is 300 characters long; at most 64$/],
    ['an unfilled placeholder', { action: '{{strategy.order.action}}' }, /^action must be one of .*a placeholder that was not filled in/],
    [
      'an option contract ticker',
      { ticker: 'SPY 240510C68', action: 'buy' },
      /^ticker "SPY 240510C68" is an option \(SPY call 68 expiring 2024-05-10\): options are not supported/,
    ],
    ['an option field', { ticker: 'SPY', action: 'buy', optionType: 'call' }, /^optionType: options are not supported/],
    [
      "the docs' misspelled option field",
      { ticker: 'AAPL', action: 'buy', instrinsicValue: 'itm' },
      /^instrinsicValue: options are not supported/,
    ],
    ['a session time in force', { action: 'buy', timeInForce: 'opg' }, /^timeInForce opg \(on the open\) is not supported/],
    ['a delay over a day', { action: 'buy', delay: 86401 }, /^delay must be between 0 and 86,400/],
    ['cancel that is not a flag', { action: 'exit', cancel: 'yes' }, /^cancel must be true or false, got "yes"/],
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
    ["sell 2 from long 1 ends short 1, cancelling the long's working orders", 1, { action: 'sell', quantity: 2 }, -1, true],
    ['sell 1 from long 3 reduces and keeps working orders', 3, { action: 'sell', quantity: 1 }, 2, false],
    ['buy uses the default quantity', 0, { action: 'buy' }, 3, false],
    ['sell with sentiment flat never flips', 1, { action: 'sell', quantity: 2, sentiment: 'flat' }, 0, true],
    ['sell 1 with sentiment flat from +3 ends flat', 3, { action: 'sell', quantity: 1, sentiment: 'flat' }, 0, true],
    ['buy with sentiment flat closes a short whole', -3, { action: 'buy', quantity: 1, sentiment: 'flat' }, 0, true],
    ['buy with sentiment flat from flat stays flat', 0, { action: 'buy', quantity: 1, sentiment: 'flat' }, 0, true],
    ['buy with sentiment flat ends a long too', 1, { action: 'buy', quantity: 1, sentiment: 'flat' }, 0, true],
    ['sell with sentiment long stays at or above zero', 1, { action: 'sell', quantity: 3, sentiment: 'long' }, 0, true],
    ['buy with sentiment short stays at or below zero', -1, { action: 'buy', quantity: 3, sentiment: 'short' }, 0, true],
    ['buy 5 bearish from short 10 stays short 5', -10, { action: 'buy', quantity: 5, sentiment: 'short' }, -5, false],
    ['sell with sentiment short may open a short', 0, { action: 'sell', quantity: 2, sentiment: 'short' }, -2, false],
    ['positionSize wins over the action', 2, { action: 'buy', quantity: 5, positionSize: -1 }, -1, true],
    ['positionSize 0 flattens and cancels working orders', -4, { positionSize: 0 }, 0, true],
    ['exit flattens and cancels working orders', 3, { action: 'exit' }, 0, true],
    ['cancel only cancels', 3, { action: 'cancel' }, null, true],
    ['add to a long', 2, { action: 'add', quantity: 1 }, 3, false],
    ['add to a short', -2, { action: 'add', quantity: 2 }, -4, false],
    ['sentiment flat alone flattens', -2, { sentiment: 'flat' }, 0, true],
    ['close is exit', -2, { action: 'exit', sentiment: 'flat' }, 0, true],
    ['add with sentiment flat ends flat', 2, { action: 'add', quantity: 1, sentiment: 'flat' }, 0, true],
    ['positionSize wins over exit', 3, { action: 'exit', positionSize: 1 }, 1, true],
    ['exit with a quantity exits that many', 5, { action: 'exit', quantity: 2 }, 3, true],
    ['exit of a short with a quantity', -5, { action: 'exit', quantity: 2 }, -3, true],
    ['exit with more than the position ends flat, never past it', 2, { action: 'exit', quantity: 7 }, 0, true],
    ['exit with cancel false keeps working orders', 2, { action: 'exit', cancel: false }, 0, false],
    ['buy with cancel true cancels first', 0, { action: 'buy', quantity: 1, cancel: true }, 1, true],
    ['cancel with cancel false still cancels', 2, { action: 'cancel', cancel: false }, null, true],
    ['reverse buy from a short opens the quantity long', -2, { action: 'buy', quantity: 1, reverse: true }, 1, true],
    ['reverse buy on a long adds', 2, { action: 'buy', quantity: 1, reverse: true }, 3, false],
    ['reverse sell from flat opens short', 0, { action: 'sell', quantity: 2, reverse: true }, -2, false],
  ])('%s', (_name, current, alert, target, cancelWorking) => {
    const result = plan(current, alert, alert.action === 'buy' && alert.quantity === undefined ? 3 : 1);
    expect(result.target).toBe(target);
    expect(result.cancelWorking).toBe(cancelWorking);
  });

  it('ignores add when flat, with a note', () => {
    expect(plan(0, { action: 'add', quantity: 1 })).toEqual({ target: null, cancelWorking: false, note: 'add ignored: no open position' });
  });

  it('passes on which type of working order to cancel', () => {
    expect(plan(0, { action: 'cancel', cancelOrderType: 'stop' })).toEqual({ target: null, cancelWorking: true, cancelOrderType: 'stop' });
  });

  it('does not trade a bare direction', () => {
    expect(plan(2, { sentiment: 'short' })).toEqual(expect.objectContaining({ target: null, cancelWorking: false }));
    expect(plan(2, { sentiment: 'short' }).note).toBeTruthy();
    expect(plan(0, { sentiment: 'long' })).toEqual(
      expect.objectContaining({ target: null, note: expect.stringMatching(/nothing to trade/) }),
    );
  });
});
