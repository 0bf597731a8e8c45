import type { Alert, AlertAction, AlertSentiment, OrderType } from '@tradeloop/contracts';
import { parseExitTarget } from './execution-controls.js';

export type ParseResult = { ok: true; alert: Alert } | { ok: false; error: string };

/** What the engine should do with an alert. `target` null leaves the position alone. */
export interface AlertPlan {
  target: number | null;
  cancelWorking: boolean;
  note?: string;
}

const ACTIONS: Record<string, AlertAction> = { buy: 'buy', sell: 'sell', exit: 'exit', close: 'exit', cancel: 'cancel', add: 'add' };
const SENTIMENTS: Record<string, AlertSentiment> = { long: 'long', bullish: 'long', short: 'short', bearish: 'short', flat: 'flat' };
const ORDER_TYPES: Record<string, OrderType> = { market: 'market', limit: 'limit', stop: 'stop' };

class AlertError extends Error {}

const text = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The first field present among its aliases. */
function pick(body: Record<string, unknown>, names: string[]): [string, unknown] | undefined {
  for (const name of names) if (body[name] !== undefined && body[name] !== null) return [name, body[name]];
  return undefined;
}

function number(body: Record<string, unknown>, names: string[]): number | undefined {
  const found = pick(body, names);
  if (!found) return undefined;
  const [name, raw] = found;
  if (typeof raw === 'string' && raw.trim() === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value))
    throw new AlertError(`${names[0]} must be a number, got ${text(raw)}${name !== names[0] ? ` (as ${name})` : ''}`);
  return value;
}

function positive(body: Record<string, unknown>, names: string[]): number | undefined {
  const value = number(body, names);
  if (value !== undefined && value <= 0) throw new AlertError(`${names[0]} must be greater than 0, got ${value}`);
  return value;
}

function string(body: Record<string, unknown>, name: string): string | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new AlertError(`${name} must be text, got ${JSON.stringify(raw)}`);
  const value = String(raw).trim();
  return value === '' ? undefined : value;
}

function exit(body: Record<string, unknown>, name: 'takeProfit' | 'stopLoss') {
  const raw = body[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const target = parseExitTarget(name, raw);
  if (typeof target === 'string') throw new AlertError(target);
  return target;
}

function oneOf<T>(body: Record<string, unknown>, name: string, allowed: Record<string, T>): T | undefined {
  const value = string(body, name);
  if (value === undefined) return undefined;
  const match = allowed[value.toLowerCase()];
  if (match === undefined) throw new AlertError(`${name} must be one of ${Object.keys(allowed).join(', ')}; got ${JSON.stringify(value)}`);
  return match;
}

/**
 * Reads a TradingView alert: a JSON object, or its text (TradingView sends text/plain when it does
 * not recognize the message as JSON). Numbers may be strings; aliases of the hosted bridges are
 * folded. Errors name the field first, in plain words.
 */
export function parseAlert(input: unknown): ParseResult {
  let body: unknown = input;
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) {
    return { ok: false, error: 'body is not valid JSON: the body is empty; send the alert as JSON, e.g. {"ticker":"NQ1!","action":"buy"}' };
  }
  if (typeof input === 'string') {
    try {
      body = JSON.parse(input);
    } catch (error) {
      return { ok: false, error: `body is not valid JSON: ${(error as Error).message}` };
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: `body must be a JSON object like {"ticker":"NQ1!","action":"buy"}, got ${Array.isArray(body) ? 'an array' : text(body)}`,
    };
  }
  try {
    return { ok: true, alert: readAlert(body as Record<string, unknown>) };
  } catch (error) {
    if (error instanceof AlertError) return { ok: false, error: error.message };
    throw error;
  }
}

function readAlert(body: Record<string, unknown>): Alert {
  const quantityType = string(body, 'quantityType');
  if (quantityType !== undefined && quantityType.toLowerCase() !== 'fixed_quantity') {
    throw new AlertError(`quantityType "${quantityType}" is not supported yet; use fixed_quantity (contracts)`);
  }
  const alert: Alert = {
    ticker: string(body, 'ticker'),
    action: oneOf(body, 'action', ACTIONS),
    quantity: positive(body, ['quantity', 'qty', 'contracts']),
    price: positive(body, ['price']),
    sentiment: oneOf(body, 'sentiment', SENTIMENTS),
    positionSize: number(body, ['positionSize', 'position_size', 'positionsize']),
    orderType: oneOf(body, 'orderType', ORDER_TYPES),
    limitPrice: positive(body, ['limitPrice']),
    stopPrice: positive(body, ['stopPrice']),
    id: string(body, 'id'),
    takeProfit: exit(body, 'takeProfit'),
    stopLoss: exit(body, 'stopLoss'),
    time: string(body, 'time'),
    comment: string(body, 'comment'),
  };
  if (alert.action === undefined && alert.sentiment === undefined && alert.positionSize === undefined) {
    throw new AlertError('action is required (buy, sell, exit, cancel, add) unless positionSize or sentiment is given');
  }
  if (alert.orderType === 'limit' && alert.limitPrice === undefined) {
    if (alert.price === undefined) throw new AlertError('limitPrice is required for a limit order');
    alert.limitPrice = alert.price;
  }
  if (alert.orderType === 'stop' && alert.stopPrice === undefined) throw new AlertError('stopPrice is required for a stop order');
  if (alert.id && alert.id.length > 200) throw new AlertError('id must be at most 200 characters');
  return Object.fromEntries(Object.entries(alert).filter(([, v]) => v !== undefined)) as Alert;
}

/**
 * TradingView strategy semantics on the strategy's signed position: buy/sell move it by the
 * quantity, positionSize sets it outright, sentiment keeps the result on its side of zero.
 */
export function planAlert(current: number, alert: Alert, defaultQuantity: number): AlertPlan {
  if (alert.positionSize !== undefined) return { target: alert.positionSize, cancelWorking: false };
  const quantity = alert.quantity ?? defaultQuantity;
  let target: number;
  switch (alert.action) {
    case 'exit':
      return { target: 0, cancelWorking: true };
    case 'cancel':
      return { target: null, cancelWorking: true };
    case 'buy':
      target = current + quantity;
      break;
    case 'sell':
      target = current - quantity;
      break;
    case 'add':
      if (current === 0) return { target: null, cancelWorking: false, note: 'add ignored: no open position' };
      target = current + Math.sign(current) * quantity;
      break;
    case undefined:
      if (alert.sentiment === 'flat') return { target: 0, cancelWorking: false };
      return {
        target: null,
        cancelWorking: false,
        note: `sentiment ${alert.sentiment} without an action or positionSize: nothing to trade`,
      };
  }
  return { target: clamp(current, target, alert.sentiment), cancelWorking: false };
}

function clamp(current: number, target: number, sentiment: AlertSentiment | undefined): number {
  switch (sentiment) {
    case 'flat':
      // A close never flips and never adds.
      return Math.min(Math.max(target, Math.min(0, current)), Math.max(0, current));
    case 'long':
      return Math.max(target, 0);
    case 'short':
      return Math.min(target, 0);
    case undefined:
      return target;
  }
}
