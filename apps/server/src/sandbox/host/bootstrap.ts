/** The file name the bootstrap runs under; its frames are cut from the stacks a script author sees. */
export const BOOTSTRAP_FILENAME = 'tradeloop:sandbox';

/**
 * Runs in every strategy's context before the script (as the body of a function, through
 * `evalClosureSync`). It defines the globals a script may use (`defineStrategy`, `console`,
 * `module`/`exports` for the transpiled CommonJS) and returns `{ init, run, poll }` to the host,
 * which keeps them as References and never hands them to script code.
 *
 * Everything crosses as JSON strings. The builtins used here are captured before the script runs,
 * so a script that patches `JSON` or `Array.prototype` only garbles its own results, which the
 * host validates anyway.
 */
export const BOOTSTRAP = String.raw`
'use strict';
const g = globalThis;
const stringify = JSON.stringify;
const parse = JSON.parse;
const apply = Reflect.apply;
const freeze = Object.freeze;
const hasOwn = Object.hasOwn;
const keys = Object.keys;
const toNumber = Number;
const round = Math.round;
const isArray = Array.isArray;
const getPrototypeOf = Object.getPrototypeOf;
const ObjectProto = Object.prototype;
const StringCtor = String;
const HANDLERS = ['onWebhook', 'onTick', 'onFill', 'onTimer'];
const LEVELS = ['debug', 'info', 'warn', 'error'];
const ORDER_TYPES = ['market', 'limit', 'stop'];
const MAX_ACTIONS = 100;
const MAX_LOGS = 20;
const MAX_MESSAGE = 1000;
// An error of any size may be thrown; what leaves the isolate is cut (the host cuts it again).
const MAX_ERROR = 1500;
// The same as the host's clip(), so that cutting again there changes nothing.
const cut = (text, max) => (text.length > max ? text.slice(0, max - 32) + '… (' + (text.length - max + 32) + ' more characters)' : text);

let definition = null;
let current = null;
let pending = null;
const loadLogs = { logs: [] };

const finite = (v) => typeof v === 'number' && v === v && v !== Infinity && v !== -Infinity;
const plain = (v) => v !== null && typeof v === 'object' && !isArray(v) && (getPrototypeOf(v) === ObjectProto || getPrototypeOf(v) === null);
const fail = (message) => {
  throw new TypeError(message);
};

function describe(error) {
  try {
    if (error !== null && typeof error === 'object') {
      const full = StringCtor(error.message === undefined ? error : error.message);
      const message = cut(full, MAX_ERROR);
      let stack = typeof error.stack === 'string' ? error.stack : undefined;
      // V8 begins the stack with the message: keep the frames, not a second copy of a long message.
      if (stack !== undefined && full.length > MAX_ERROR) stack = stack.replace(full, cut(full, 200));
      return { message, stack: stack === undefined ? undefined : cut(stack, MAX_ERROR * 2) };
    }
    return { message: cut(StringCtor(error), MAX_ERROR) };
  } catch (e) {
    return { message: 'the script threw a value that cannot be printed' };
  }
}

function text(value) {
  if (typeof value === 'string') return value;
  try {
    const json = stringify(value);
    return json === undefined ? StringCtor(value) : json;
  } catch (e) {
    return StringCtor(value);
  }
}

function addLog(level, parts) {
  const target = current || loadLogs;
  if (target.closed || target.logs.length >= MAX_LOGS) return;
  let message = '';
  for (let i = 0; i < parts.length; i++) message += (i ? ' ' : '') + text(parts[i]);
  target.logs[target.logs.length] = { level, message: cut(message, MAX_MESSAGE) };
}

const logger = (level) => (...parts) => addLog(level, parts);
Object.defineProperty(g, 'console', {
  value: freeze({ log: logger('info'), info: logger('info'), debug: logger('debug'), warn: logger('warn'), error: logger('error') }),
  enumerable: false,
});
Object.defineProperty(g, 'defineStrategy', { value: (strategy) => strategy, enumerable: false });
g.module = { exports: {} };
g.exports = g.module.exports;
const initialExports = g.module.exports;

function target(name, value) {
  if (value === undefined) return undefined;
  if (!plain(value)) fail(name + ' must be { ticks } or { price }');
  const out = {};
  if (value.ticks !== undefined) {
    if (!finite(value.ticks) || value.ticks <= 0) fail(name + '.ticks must be a number above 0');
    out.ticks = value.ticks;
  }
  if (value.price !== undefined) {
    if (!finite(value.price) || value.price <= 0) fail(name + '.price must be a price above 0');
    out.price = value.price;
  }
  if ((out.ticks === undefined) === (out.price === undefined)) fail(name + ' needs exactly one of ticks or price');
  return out;
}

function orderOptions(side, options) {
  if (options === undefined) return {};
  if (!plain(options)) fail(side + ': options must be an object');
  const out = {};
  const type = options.type === undefined ? 'market' : options.type;
  if (ORDER_TYPES.indexOf(type) < 0) fail(side + ': type must be market, limit or stop');
  out.type = type;
  if (type === 'limit' && (!finite(options.limitPrice) || options.limitPrice <= 0)) fail(side + ': a limit order needs limitPrice above 0');
  if (type === 'stop' && (!finite(options.stopPrice) || options.stopPrice <= 0)) fail(side + ': a stop order needs stopPrice above 0');
  if (type === 'limit') out.limitPrice = options.limitPrice;
  if (type === 'stop') out.stopPrice = options.stopPrice;
  const takeProfit = target(side + ': takeProfit', options.takeProfit);
  const stopLoss = target(side + ': stopLoss', options.stopLoss);
  if (takeProfit) out.takeProfit = takeProfit;
  if (stopLoss) out.stopLoss = stopLoss;
  return out;
}

function tickerArg(name, ticker, optional) {
  if (ticker === undefined && optional) return null;
  if (typeof ticker !== 'string' || ticker.trim() === '' || ticker.length > 64) fail(name + ': ticker must be a non-empty string');
  return ticker.trim();
}

function makeContext(snapshot, call) {
  const alive = (name) => {
    if (current !== call || call.closed) fail('ctx.' + name + ' was called after its handler had returned');
  };
  const record = (action) => {
    if (call.actions.length >= MAX_ACTIONS) fail('more than ' + MAX_ACTIONS + ' orders in one call');
    call.actions[call.actions.length] = action;
  };
  const key = (ticker) => {
    if (typeof ticker !== 'string') return '';
    const t = ticker.trim();
    if (hasOwn(snapshot.aliases, t)) return snapshot.aliases[t];
    const colon = t.lastIndexOf(':');
    return colon >= 0 ? t.slice(colon + 1) : t;
  };
  const order = (side) => (ticker, quantity, options) => {
    alive(side);
    const t = tickerArg(side, ticker, false);
    if (!finite(quantity) || quantity <= 0) fail(side + ': quantity must be a number above 0, got ' + text(quantity));
    record({ kind: 'order', side, ticker: t, quantity, options: orderOptions(side, options) });
  };
  return {
    strategyId: snapshot.strategyId,
    params: freeze(snapshot.params),
    state: snapshot.state,
    buy: order('buy'),
    sell: order('sell'),
    flatten(ticker) {
      alive('flatten');
      record({ kind: 'flatten', ticker: tickerArg('flatten', ticker, true) });
    },
    cancelAll(ticker) {
      alive('cancelAll');
      record({ kind: 'cancelAll', ticker: tickerArg('cancelAll', ticker, true) });
    },
    position(ticker) {
      const k = key(ticker);
      const p = hasOwn(snapshot.positions, k) ? snapshot.positions[k] : null;
      return p ? { ...p } : { ticker: k, quantity: 0, pending: 0, avgPrice: null, openPnl: 0, realizedPnl: 0 };
    },
    quote(ticker) {
      const k = key(ticker);
      return hasOwn(snapshot.quotes, k) ? { ...snapshot.quotes[k] } : undefined;
    },
    pnl() {
      return { ...snapshot.pnl };
    },
    log(level, message) {
      if (LEVELS.indexOf(level) < 0) fail('log: level must be debug, info, warn or error');
      addLog(level, [message]);
    },
    now() {
      return snapshot.now;
    },
  };
}

function end(call, error) {
  call.closed = true;
  if (current === call) current = null;
  if (error) return stringify({ status: 'error', error, logs: call.logs });
  let state;
  try {
    const value = call.ctx ? call.ctx.state : call.state;
    if (!plain(value)) fail('ctx.state must be a plain object');
    state = stringify(value);
  } catch (e) {
    return stringify({ status: 'error', error: { message: 'ctx.state cannot be saved: ' + describe(e).message }, logs: call.logs });
  }
  return stringify({ status: 'done', actions: call.actions, logs: call.logs, state });
}

function run(handler, argJson, ctxJson) {
  const snapshot = parse(ctxJson);
  const call = { actions: [], logs: [], closed: false, status: 'running', error: null, ctx: null, state: snapshot.state };
  current = call;
  pending = null;
  const fn = definition === null ? undefined : definition[handler];
  if (typeof fn !== 'function') return end(call, null);
  call.ctx = makeContext(snapshot, call);
  let result;
  try {
    result = apply(fn, definition, [parse(argJson), call.ctx]);
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      call.status = 'pending';
      pending = call;
      apply(result.then, result, [
        () => {
          call.status = 'resolved';
        },
        (e) => {
          call.status = 'rejected';
          call.error = describe(e);
        },
      ]);
      return '{"status":"pending"}';
    }
  } catch (e) {
    return end(call, describe(e));
  }
  return end(call, null);
}

// Microtasks run before the host's call returns, so a promise still pending here waits on
// nothing that could ever settle it: a sandbox has no timers and no I/O.
function poll() {
  const call = pending;
  pending = null;
  if (call === null) return stringify({ status: 'error', error: { message: 'no handler call is pending' } });
  if (call.status === 'pending') {
    return end(call, { message: 'the handler returned a promise that never settles (a sandbox has no timers or I/O to wait for)' });
  }
  return end(call, call.status === 'rejected' ? call.error : null);
}

function init() {
  try {
    const exported = g.module.exports;
    delete g.module;
    delete g.exports;
    // An ES module (or an untouched module.exports) needs a default export; CommonJS may assign module.exports.
    const esm = exported === initialExports || (exported !== null && typeof exported === 'object' && exported.__esModule === true);
    if (esm && !hasOwn(exported, 'default')) fail('the script must export its strategy: export default defineStrategy({ ... })');
    const strategy = esm ? exported.default : exported;
    if (strategy === null || typeof strategy !== 'object' || isArray(strategy)) {
      fail('the script must export its strategy: export default defineStrategy({ ... })');
    }
    const handlers = [];
    for (const name of HANDLERS) {
      const fn = strategy[name];
      if (fn !== undefined && typeof fn !== 'function') fail(name + ' must be a function');
      if (fn !== undefined) handlers[handlers.length] = name;
    }
    if (handlers.length === 0) fail('the strategy has no handler: define onWebhook, onTick, onFill or onTimer');
    const params = {};
    if (strategy.params !== undefined) {
      if (!plain(strategy.params)) fail('params must be an object of defaults');
      for (const name of keys(strategy.params)) {
        const value = strategy.params[name];
        if (!(finite(value) || typeof value === 'string' || typeof value === 'boolean')) {
          fail('params.' + name + ' must be a number, a string or a boolean');
        }
        params[name] = value;
      }
    }
    let state = null;
    if (strategy.state !== undefined) {
      if (!plain(strategy.state)) fail('state must be a plain object');
      state = parse(stringify(strategy.state));
    }
    const tickers = [];
    if (strategy.tickers !== undefined) {
      if (!isArray(strategy.tickers) || strategy.tickers.length > 50) fail('tickers must be an array of at most 50 tickers');
      for (const ticker of strategy.tickers) tickers[tickers.length] = tickerArg('tickers', ticker, false);
    }
    let everyMs = null;
    if (strategy.every !== undefined) {
      const m = typeof strategy.every === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(strategy.every) : null;
      if (!m) fail("every must be a duration such as '30s', '1m' or '1h'");
      everyMs = round(toNumber(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]]);
      if (everyMs < 1000) fail('every must be at least one second');
    }
    if (everyMs !== null && handlers.indexOf('onTimer') < 0) fail('every is set but there is no onTimer handler');
    if (everyMs === null && handlers.indexOf('onTimer') >= 0) fail("onTimer needs a schedule, e.g. every: '1m'");
    definition = strategy;
    return stringify({ status: 'done', meta: { handlers, params, state, tickers, everyMs }, logs: loadLogs.logs });
  } catch (e) {
    return stringify({ status: 'error', error: describe(e), logs: loadLogs.logs });
  } finally {
    loadLogs.closed = true;
  }
}

return { init, run, poll };
`;
