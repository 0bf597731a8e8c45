import type { ExitSpec, StopLossType } from '@tradeloop/contracts';
import { ALERT_LIMITS, AlertError, isAbsent, MAX_STOP_LOSS_PERCENT, oneOf, positive, shown, vocabulary } from './alert-values.js';

/** Where an exit sits, by the key that says it. */
type Where = 'ticks' | 'points' | 'percent' | 'price';

interface KeySpec {
  where: Where;
  max: number;
}

const relative = (where: Where, max: number): KeySpec => ({ where, max });

/** takeProfit's keys: TradersPost's (`limitPrice`, `price`, `percent`, `amount`) and Tradeloop's (`ticks`, `points`). */
const TAKE_PROFIT_KEYS: ReadonlyMap<string, KeySpec> = new Map([
  ['limitPrice', relative('price', ALERT_LIMITS.price)],
  ['price', relative('price', ALERT_LIMITS.price)],
  ['percent', relative('percent', ALERT_LIMITS.percent)],
  ['amount', relative('points', ALERT_LIMITS.price)],
  ['ticks', relative('ticks', ALERT_LIMITS.quantity)],
  ['points', relative('points', ALERT_LIMITS.price)],
]);

/** stopLoss's distance and price keys; `trailAmount` / `trailPrice` / `trailPercent` are for a trailing stop. */
const STOP_LOSS_KEYS: ReadonlyMap<string, KeySpec> = new Map([
  ['stopPrice', relative('price', ALERT_LIMITS.price)],
  ['price', relative('price', ALERT_LIMITS.price)],
  ['percent', relative('percent', MAX_STOP_LOSS_PERCENT)],
  ['amount', relative('points', ALERT_LIMITS.price)],
  ['ticks', relative('ticks', ALERT_LIMITS.quantity)],
  ['points', relative('points', ALERT_LIMITS.price)],
  ['trailAmount', relative('points', ALERT_LIMITS.price)],
  ['trailPrice', relative('points', ALERT_LIMITS.price)],
  ['trailPercent', relative('percent', MAX_STOP_LOSS_PERCENT)],
]);
const TRAIL_KEYS = new Set(['trailAmount', 'trailPrice', 'trailPercent']);

const STOP_LOSS_TYPES = vocabulary<StopLossType>({ stop: 'stop', stop_limit: 'stop_limit', trailing_stop: 'trailing_stop' });

/** The object's keys that carry a value (TradingView renders a missing value as ""). */
function present(field: string, raw: unknown): [string, unknown][] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AlertError(`${field} must be an object like {"percent":5}, {"amount":10} or {"stopPrice":25100}, got ${shown(raw)}`);
  }
  return Object.entries(raw as Record<string, unknown>).filter(([, value]) => !isAbsent(value));
}

function target(field: string, key: string, value: unknown, spec: KeySpec): ExitSpec {
  const number = positive(`${field}.${key}`, value, spec.max)!;
  switch (spec.where) {
    case 'ticks':
      return { ticks: number };
    case 'points':
      return { points: number };
    case 'percent':
      return { percent: number };
    case 'price':
      return { price: number };
  }
}

/** A take profit as an alert states it: exactly one of its keys. */
export function readTakeProfit(raw: unknown, field = 'takeProfit'): ExitSpec | undefined {
  if (isAbsent(raw)) return undefined;
  const entries = present(field, raw);
  const known = [...TAKE_PROFIT_KEYS.keys()].join(', ');
  for (const [key] of entries) {
    if (!TAKE_PROFIT_KEYS.has(key)) throw new AlertError(`${field}.${key} is not a take profit field; use one of ${known}`);
  }
  if (entries.length === 0) return undefined;
  if (entries.length > 1) {
    throw new AlertError(`${field} takes one of ${known}, not ${entries.map(([k]) => k).join(' and ')} together`);
  }
  const [key, value] = entries[0];
  return target(field, key, value, TAKE_PROFIT_KEYS.get(key)!);
}

export interface StopLoss {
  at: ExitSpec;
  type: StopLossType;
  /** A stop-limit's limit price, when the alert gives one. */
  limitPrice?: number;
}

/**
 * A stop loss as an alert states it: `type` (stop, stop_limit, trailing_stop; inferred from the
 * keys when absent), where it sits (exactly one of a distance or a price), and for a stop-limit an
 * optional `limitPrice`. A trailing stop trails by its distance (`trailAmount`, `trailPercent`, or
 * `amount` / `percent` as TradersPost's settings put it). The error names the key that is wrong.
 */
export function readStopLoss(raw: unknown, field = 'stopLoss'): StopLoss | undefined {
  if (isAbsent(raw)) return undefined;
  const entries = present(field, raw);
  const keys = [...STOP_LOSS_KEYS.keys(), 'type', 'limitPrice'];
  for (const [key] of entries) {
    if (!keys.includes(key)) throw new AlertError(`${field}.${key} is not a stop loss field; use ${keys.join(', ')}`);
  }
  const values = new Map(entries);
  const stated = oneOf(`${field}.type`, values.get('type'), STOP_LOSS_TYPES);
  const where = entries.filter(([key]) => STOP_LOSS_KEYS.has(key));
  const trails = where.filter(([key]) => TRAIL_KEYS.has(key));
  const type: StopLossType = stated ?? (trails.length ? 'trailing_stop' : values.has('limitPrice') ? 'stop_limit' : 'stop');

  if (type !== 'trailing_stop' && trails.length) {
    throw new AlertError(`${field}.${trails[0][0]} is for a trailing stop: send "type":"trailing_stop" with it`);
  }
  if (type !== 'stop_limit' && values.has('limitPrice')) {
    throw new AlertError(`${field}.limitPrice is for a stop-limit: send "type":"stop_limit" with it`);
  }
  if (where.length === 0) {
    if (values.size === 0) return undefined;
    throw new AlertError(
      type === 'trailing_stop'
        ? `${field} of type trailing_stop needs trailAmount or trailPercent`
        : `${field} needs where the stop sits: one of stopPrice, percent, amount, ticks or points`,
    );
  }
  if (where.length > 1) {
    const relativeAndAbsolute =
      where.some(([k]) => STOP_LOSS_KEYS.get(k)!.where === 'price') && where.some(([k]) => STOP_LOSS_KEYS.get(k)!.where !== 'price');
    throw new AlertError(
      `${field} takes one place for the stop, not ${where.map(([k]) => k).join(' and ')} together` +
        (relativeAndAbsolute ? ' (a distance from the entry or a price, not both)' : ''),
    );
  }
  const [key, value] = where[0];
  const spec = STOP_LOSS_KEYS.get(key)!;
  if (type === 'trailing_stop' && spec.where === 'price') {
    throw new AlertError(`${field}.${key} is a price; a trailing stop needs a distance: trailAmount or trailPercent`);
  }
  const limitPrice = positive(`${field}.limitPrice`, values.get('limitPrice'), ALERT_LIMITS.price);
  return { at: target(field, key, value, spec), type, ...(limitPrice !== undefined ? { limitPrice } : {}) };
}
