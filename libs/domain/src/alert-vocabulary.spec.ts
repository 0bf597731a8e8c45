import { describe, expect, it } from '@jest/globals';
import { jsonDepthExceeds, MAX_ALERT_DEPTH, valueDepthExceeds } from './alert-body.js';
import { parseAlert } from './alerts.js';
import { contractMonth, contractMonthIsOver, optionContract } from './contract-months.js';

const ok = (body: unknown) => {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(result.error);
  return result;
};
const refused = (body: unknown) => {
  const result = parseAlert(body);
  if (result.ok) throw new Error(`parsed: ${JSON.stringify(result.alert)}`);
  return result.error;
};

describe('the TradersPost vocabulary', () => {
  it('reads the webhook spec request example whole', () => {
    const { alert, notes } = ok(
      '{"ticker":"AAPL","action":"buy","sentiment":"long","price":191.25,"quantity":10,"quantityType":"fixed_quantity","orderType":"market",' +
        '"time":"2025-06-18T14:30:00Z","test":true,"takeProfit":{"percent":10},"stopLoss":{"type":"stop","percent":5},' +
        '"extras":{"strategy":"EMA_Crossover","comment":"Breakout entry","exitType":"trailing_atr"}}',
    );
    expect(alert).toEqual({
      ticker: 'AAPL',
      action: 'buy',
      sentiment: 'long',
      price: 191.25,
      quantity: 10,
      orderType: 'market',
      time: '2025-06-18T14:30:00Z',
      takeProfit: { percent: 10 },
      stopLoss: { percent: 5 },
    });
    expect(notes).toEqual([]);
  });

  it.each([
    ['a stop loss percent', { type: 'stop', percent: 5 }, { stopLoss: { percent: 5 } }],
    ['a stop loss amount', { type: 'stop', amount: '5' }, { stopLoss: { points: 5 } }],
    ['a stop loss price', { type: 'stop', stopPrice: 10.71 }, { stopLoss: { price: 10.71 } }],
    [
      'a stop-limit stop loss',
      { type: 'stop_limit', stopPrice: 10.71, limitPrice: 10.75 },
      { stopLoss: { price: 10.71 }, stopLossType: 'stop_limit', stopLossLimitPrice: 10.75 },
    ],
    ['a relative stop-limit', { type: 'stop_limit', amount: 5 }, { stopLoss: { points: 5 }, stopLossType: 'stop_limit' }],
    ['a trailing stop by percent', { type: 'trailing_stop', trailPercent: 1 }, { stopLoss: { percent: 1 }, stopLossType: 'trailing_stop' }],
    ['a trailing stop by amount', { type: 'trailing_stop', trailAmount: 1 }, { stopLoss: { points: 1 }, stopLossType: 'trailing_stop' }],
    ["the older docs' trailPrice", { type: 'trailing_stop', trailPrice: 1 }, { stopLoss: { points: 1 }, stopLossType: 'trailing_stop' }],
    ['a trail without its type', { trailAmount: 2 }, { stopLoss: { points: 2 }, stopLossType: 'trailing_stop' }],
    [
      'a stop-limit without its type',
      { stopPrice: 90, limitPrice: 89.5 },
      { stopLoss: { price: 90 }, stopLossType: 'stop_limit', stopLossLimitPrice: 89.5 },
    ],
    ['a stop loss with only its type', { type: 'stop' }, null],
  ])('reads %s', (_case, stopLoss, expected) => {
    const result = parseAlert({ ticker: 'SPY', action: 'buy', stopLoss });
    if (expected === null) {
      expect(result).toEqual({
        ok: false,
        error: 'stopLoss needs where the stop sits: one of stopPrice, percent, amount, ticks or points',
      });
      return;
    }
    expect(result).toEqual({ ok: true, alert: { ticker: 'SPY', action: 'buy', ...expected }, notes: [] });
  });

  it.each([
    [{ type: 'stop', trailAmount: 1 }, 'stopLoss.trailAmount is for a trailing stop: send "type":"trailing_stop" with it'],
    [{ type: 'stop', limitPrice: 10 }, 'stopLoss.limitPrice is for a stop-limit: send "type":"stop_limit" with it'],
    [
      { type: 'trailing_stop', stopPrice: 10 },
      'stopLoss.stopPrice is a price; a trailing stop needs a distance: trailAmount or trailPercent',
    ],
    [{ type: 'trailing_stop' }, 'stopLoss of type trailing_stop needs trailAmount or trailPercent'],
    [
      { type: 'stop', percent: 5, stopPrice: 90 },
      'stopLoss takes one place for the stop, not percent and stopPrice together (a distance from the entry or a price, not both)',
    ],
    [{ type: 'stop', percent: 5, amount: 2 }, 'stopLoss takes one place for the stop, not percent and amount together'],
    [
      { type: 'stop', pct: 5 },
      'stopLoss.pct is not a stop loss field; use stopPrice, price, percent, amount, ticks, points, trailAmount, trailPrice, trailPercent, type, limitPrice',
    ],
    [{ type: 'market', percent: 5 }, 'stopLoss.type must be one of stop, stop_limit, trailing_stop; got "market"'],
    [{ type: 'stop', percent: 100 }, 'stopLoss.percent must be at most 99.99, got 100'],
  ])('refuses the stop loss %j, naming the key', (stopLoss, message) => {
    expect(refused({ ticker: 'SPY', action: 'buy', stopLoss })).toBe(message);
  });

  it('reads every take profit key, one at a time', () => {
    expect(ok({ ticker: 'SPY', action: 'buy', takeProfit: { limitPrice: 19.99 } }).alert.takeProfit).toEqual({ price: 19.99 });
    expect(ok({ ticker: 'SPY', action: 'buy', takeProfit: { price: 19.99 } }).alert.takeProfit).toEqual({ price: 19.99 });
    expect(ok({ ticker: 'SPY', action: 'buy', takeProfit: { amount: '20' } }).alert.takeProfit).toEqual({ points: 20 });
    expect(ok({ ticker: 'SPY', action: 'buy', takeProfit: { percent: 10 } }).alert.takeProfit).toEqual({ percent: 10 });
    expect(refused({ ticker: 'SPY', action: 'buy', takeProfit: { amount: 10, percent: 2 } })).toMatch(
      /^takeProfit takes one of limitPrice, price, percent, amount, ticks, points, not amount and percent together/,
    );
  });

  it('reads order types, times in force and the other controls', () => {
    expect(
      ok({
        ticker: 'SPY',
        action: 'buy',
        orderType: 'stop_limit',
        stopPrice: 60,
        limitPrice: 50.5,
        timeInForce: 'GTC',
        extendedHours: 'true',
        cancel: false,
        cancelOrderType: 'stop',
        delay: '60',
        signalPrice: '71',
        interval: '5',
      }).alert,
    ).toEqual({
      ticker: 'SPY',
      action: 'buy',
      orderType: 'stop_limit',
      stopPrice: 60,
      limitPrice: 50.5,
      timeInForce: 'gtc',
      extendedHours: true,
      cancel: false,
      cancelOrderType: 'stop',
      delay: 60,
      signalPrice: 71,
      interval: '5',
    });
    expect(ok({ ticker: 'SPY', action: 'exit', orderType: 'trailing_stop', signalPrice: 71, trailAmount: '1' }).alert).toEqual({
      ticker: 'SPY',
      action: 'exit',
      orderType: 'trailing_stop',
      signalPrice: 71,
      trailAmount: 1,
    });
  });

  it("reads every quantityType, with its bound, and the position-sizing page's names for two of them", () => {
    for (const type of ['dollar_amount', 'risk_dollar_amount', 'risk_percent', 'percent_of_equity', 'percent_of_position']) {
      expect(ok({ ticker: 'SPY', action: 'buy', quantityType: type, quantity: 10 }).alert).toEqual(
        expect.objectContaining({ quantityType: type, quantity: 10 }),
      );
    }
    expect(ok({ ticker: 'TSLA', action: 'buy', quantityType: 'amount_per_position', quantity: 1000 }).alert.quantityType).toBe(
      'dollar_amount',
    );
    expect(ok({ ticker: 'TSLA', action: 'buy', quantityType: 'risk_per_position', quantity: 100 }).alert.quantityType).toBe(
      'risk_dollar_amount',
    );
    expect(ok({ ticker: 'SPY', action: 'buy', quantityType: 'fixed_quantity', quantity: 100 }).alert).toEqual({
      ticker: 'SPY',
      action: 'buy',
      quantity: 100,
    });
    expect(ok({ ticker: 'SPY', action: 'buy', quantityType: 'dollar_amount', quantity: 250_000 }).alert.quantity).toBe(250_000);
    expect(refused({ ticker: 'SPY', action: 'buy', quantity: 250_000_000 })).toBe('quantity must be at most 1,000,000, got 250000000');
    expect(refused({ ticker: 'SPY', action: 'exit', quantityType: 'percent_of_position', quantity: 150 })).toBe(
      'quantity must be at most 100, got 150',
    );
  });

  it('notes a field it reads but leaves alone', () => {
    expect(ok({ ticker: 'SPY', action: 'exit', ignoreTradingWindows: true }).notes).toEqual([
      'ignoreTradingWindows ignored: exits always pass the trading window, and an alert cannot lift a risk limit',
    ]);
  });
});

describe('names and numbers from outside', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'looks %s up as data in every vocabulary',
    (name) => {
      for (const field of ['action', 'sentiment', 'orderType', 'quantityType', 'timeInForce', 'cancelOrderType']) {
        expect(refused({ ticker: 'NQ1!', action: field === 'action' ? name : 'buy', quantity: 1, [field]: name })).toMatch(
          new RegExp(`^${field} must be one of`),
        );
      }
      expect(refused(`{"ticker":"NQ1!","action":"buy","stopLoss":{"type":"${name}","amount":1}}`)).toMatch(
        /^stopLoss\.type must be one of/,
      );
      expect(refused(`{"ticker":"NQ1!","action":"buy","stopLoss":{"${name}":1}}`)).toMatch(
        new RegExp(`^stopLoss\\.${name} is not a stop loss field`),
      );
      expect(refused(`{"ticker":"NQ1!","action":"buy","takeProfit":{"${name}":1}}`)).toMatch(
        new RegExp(`^takeProfit\\.${name} is not a take profit field`),
      );
    },
  );

  it('ignores a body key named like a built-in instead of inheriting it', () => {
    expect(ok('{"ticker":"NQ1!","action":"buy","__proto__":{"quantity":5},"constructor":1}').alert).toEqual({
      ticker: 'NQ1!',
      action: 'buy',
    });
  });

  it.each([
    ['0x10', /^quantity must be a plain decimal number like 2 or 25329.50, got "0x10"/],
    ['1e2', /^quantity must be a plain decimal/],
    ['1e300', /^quantity must be a plain decimal/],
    ['Infinity', /^quantity must be a plain decimal/],
    ['NaN', /^quantity must be a plain decimal/],
    ['2,5', /^quantity must be a plain decimal/],
    ['0b11', /^quantity must be a plain decimal/],
    ['1'.repeat(40), /^quantity must be a plain decimal/],
    ['-3', /^quantity must be greater than 0, got -3/],
  ])('refuses the quantity %s', (quantity, message) => {
    expect(refused({ ticker: 'NQ1!', action: 'buy', quantity })).toMatch(message);
  });

  it('refuses JSON numbers past the bounds, including ones JSON parses to Infinity', () => {
    expect(refused('{"ticker":"NQ1!","action":"buy","quantity":1e300}')).toBe('quantity must be at most 1,000,000, got 1e+300');
    expect(refused('{"ticker":"NQ1!","action":"buy","quantity":1e400}')).toBe('quantity must be a plain decimal number, got Infinity');
    expect(refused('{"ticker":"NQ1!","action":"buy","price":100000001}')).toBe('price must be at most 100,000,000, got 100000001');
    expect(refused('{"ticker":"NQ1!","positionSize":-1000001}')).toBe(
      'positionSize must be between -1,000,000 and 1,000,000, got -1000001',
    );
  });

  it('reads decimals with signs, spaces and a bare point', () => {
    expect(ok({ ticker: 'ES1!', action: 'buy', quantity: ' +2 ', price: '.5' }).alert).toEqual({
      ticker: 'ES1!',
      action: 'buy',
      quantity: 2,
      price: 0.5,
    });
  });

  it('bounds nesting before parsing, for text and for values', () => {
    const deep = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(jsonDepthExceeds(deep, MAX_ALERT_DEPTH)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', MAX_ALERT_DEPTH)).toBe(false);
    expect(jsonDepthExceeds('{"a":"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', MAX_ALERT_DEPTH)).toBe(false);
    expect(refused(deep)).toBe(`the alert message is nested more than ${MAX_ALERT_DEPTH} levels deep: an alert is a flat JSON object`);
    let value: unknown = 1;
    for (let i = 0; i < 10_000; i++) value = { a: value };
    expect(valueDepthExceeds(value, MAX_ALERT_DEPTH)).toBe(true);
    expect(refused(value)).toMatch(/nested more than/);
  });

  it('says what is wrong with text that is not JSON', () => {
    expect(refused('{\n  “ticker”: “TSLA”,\n  “action”: “buy”\n}')).toMatch(
      /typographic quotes \(“ ” ‘ ’\): JSON needs straight double quotes/,
    );
    expect(refused('{\n    "ticker": "TSLA",\n    "action": "buy",\n}')).toMatch(
      /a comma stands before a closing \} or \]: JSON allows no trailing comma/,
    );
    expect(refused('{\n  "ticker": "GC1!", //NOT RECOMMENDED\n  "action": "buy"\n}')).toMatch(/JSON has no comments/);
    expect(refused('buy NQ now')).toMatch(/^the alert message must be JSON, and this is not valid JSON: Unexpected token/);
  });

  it("refuses PineConnector's comma text with the same alert in JSON", () => {
    expect(refused('60123456789,buy,EURUSD,risk=1,sl=20,tp=40')).toBe(
      "the alert message must be JSON; this looks like PineConnector's comma text, which Tradeloop does not read (its risk=, sl= and tp= depend on the EA's settings). " +
        'The same alert in JSON: {"ticker":"EURUSD","action":"buy","quantity":1} (quantity in contracts or shares: set it to what your risk= meant); exits go in "takeProfit" / "stopLoss", e.g. {"amount":10}',
    );
    expect(refused('60123456789,closelong,NQ1!')).toMatch(/The same alert in JSON: \{"ticker":"NQ1!","action":"sell","sentiment":"flat"\}/);
  });
});

describe("PickMyTrade's alerts", () => {
  const generated = {
    symbol: 'NQM5',
    date: '2025-06-01T14:00:00Z',
    data: 'buy',
    quantity: '1',
    risk_percentage: '0',
    price: '21500.25',
    tp: '0',
    percentage_tp: '0',
    dollar_tp: '0',
    sl: '0',
    dollar_sl: '0',
    percentage_sl: '0',
    trail: '0',
    trail_stop: '0',
    trail_trigger: '0',
    trail_freq: '0',
    update_tp: 'false',
    update_sl: 'false',
    token: 'secret-token-of-theirs',
    duplicate_position_allow: 'true',
    reverse_order_close: 'true',
    multiple_accounts: [{ token: 'secret-token-of-theirs', account_id: '2', risk_percentage: 2, quantity_multiplier: 0 }],
  };

  it('maps a generated alert: buy with pyramiding reverses a short and adds to a long', () => {
    expect(ok(generated)).toEqual({
      ok: true,
      alert: { ticker: 'NQM5', action: 'buy', quantity: 1, reverse: true, price: 21500.25, time: '2025-06-01T14:00:00Z' },
      notes: [
        'read as a PickMyTrade alert',
        'token ignored (the webhook URL is the secret)',
        "multiple_accounts ignored (copy to other accounts with the strategy's links)",
      ],
    });
  });

  it('maps buy without pyramiding to a target position, close to an exit, and prices and percents to exits', () => {
    expect(ok({ ...generated, duplicate_position_allow: false, data: 'sell', quantity: 2, sl: '21550', percentage_tp: '1' }).alert).toEqual(
      {
        ticker: 'NQM5',
        positionSize: -2,
        price: 21500.25,
        time: '2025-06-01T14:00:00Z',
        takeProfit: { percent: 1 },
        stopLoss: { price: 21550 },
      },
    );
    expect(ok({ symbol: 'NQ1!', data: 'close' }).alert).toEqual({ ticker: 'NQ1!', action: 'exit' });
  });

  it.each([
    [
      { dollar_tp: '2' },
      /^dollar_tp \(PickMyTrade\) depends on PickMyTrade's own settings and is not supported: send "takeProfit":\{"amount":<points>\}/,
    ],
    [{ risk_percentage: 1 }, /^risk_percentage \(PickMyTrade\).*quantityType":"risk_percent"/],
    [{ trail: '1' }, /^trail \(PickMyTrade\)/],
    [{ update_sl: 'true' }, /^update_sl \(PickMyTrade\): changing open exits by alert is not supported/],
    [{ reverse_order_close: 'false' }, /^reverse_order_close: false \(PickMyTrade\) keeps both sides open/],
    [{ data: 'hold' }, /^data \(PickMyTrade\) must be buy, sell or close; got "hold"/],
    [{ order_type: 'STP' }, /^order_type \(PickMyTrade\) must be MKT or LMT/],
  ])('refuses %j, naming the field', (change, message) => {
    expect(refused({ ...generated, ...change })).toMatch(message);
  });
});

describe('contract months and option symbols', () => {
  const now = Date.UTC(2026, 11, 4);
  it.each([
    ['NQH2022', 'NQ', { month: 3, year: 2022, label: 'March 2022' }, true],
    ['MNQU2025', 'MNQ', { month: 9, year: 2025, label: 'September 2025' }, true],
    ['GCJ2025', 'GC', { month: 4, year: 2025, label: 'April 2025' }, true],
    ['NQZ2026', 'NQ', { month: 12, year: 2026, label: 'December 2026' }, false],
    ['NQZ26', 'NQ', { month: 12, year: 2026, label: 'December 2026' }, false],
    ['NQH22', 'NQ', { month: 3, year: 2022, label: 'March 2022' }, true],
    ['NQZ6', 'NQ', { month: 12, year: 2026, label: 'December 2026' }, false],
    ['NQH7', 'NQ', { month: 3, year: 2027, label: 'March 2027' }, false],
    ['CME_MINI:ESM2025', 'ES', { month: 6, year: 2025, label: 'June 2025' }, true],
  ])('%s is %j (over: %s)', (symbol, root, month, over) => {
    const contract = contractMonth(symbol, root, now)!;
    expect(contract).toEqual(month);
    expect(contractMonthIsOver(contract, now)).toBe(over);
  });

  it('has no month for continuous and bare symbols', () => {
    expect(contractMonth('NQ1!', 'NQ', now)).toBeNull();
    expect(contractMonth('MNQ', 'MNQ', now)).toBeNull();
  });

  it('reads option contracts', () => {
    expect(optionContract('SPY 240510C68')).toBe('SPY call 68 expiring 2024-05-10');
    expect(optionContract('AAPL 230120P325.5')).toBe('AAPL put 325.5 expiring 2023-01-20');
    expect(optionContract('SPY')).toBeNull();
  });
});
