import { MAX_QUANTITY } from '@tradeloop/contracts';

/**
 * Readers for the values of an alert body, which comes from outside: every name is looked up as
 * data (a Map, `Object.hasOwn`), never as a property that `__proto__` or `constructor` could
 * answer; every number is a plain decimal within a sane bound; every error names the field.
 */

/** A refusal of the alert, in words that name the field. */
export class AlertError extends Error {}

/** Bounds no real alert comes near: a typo or a hostile body is refused before it reaches an order. */
export const ALERT_LIMITS = {
  /** Contracts, shares or coins in one alert (or a target position): no order or position may be larger. */
  quantity: MAX_QUANTITY,
  /** A price in any unit (BRK.A trades near 700,000; nothing trades near this). */
  price: 100_000_000,
  /** Dollars: a dollar amount or a risk amount to size a quantity from. */
  dollars: 1_000_000_000,
  /** Percent (of equity, of a position, of a price). */
  percent: 1000,
  /** A `delay`, in seconds: one day. */
  delaySeconds: 86_400,
  /** Digits and signs in a number sent as text. */
  numberLength: 32,
  /** Characters kept of a text field (`comment`, `time`, `interval`). */
  text: 500,
} as const;

/** A stop loss (or a trail) as a percent of the price, at most: 100 % or more would put the stop at or below zero. */
export const MAX_STOP_LOSS_PERCENT = 99.99;

/** An own property of the body, or undefined: a body's `__proto__` or `toString` is never inherited. */
export function own(body: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

/** Absent, null and an empty placeholder (`""`) all mean "not sent". */
export const isAbsent = (raw: unknown): boolean => raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');

/** A value shown in an error: short and always quoted text. */
export function shown(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null) return String(raw);
  return Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : typeof raw;
}

/** `{{ticker}}` sent as is: TradingView fills placeholders in only when the alert fires. */
export function placeholderHint(raw: unknown): string {
  return typeof raw === 'string' && /\{\{[^}]*\}\}|%[a-z_]+%/i.test(raw)
    ? ' (a placeholder that was not filled in: TradingView replaces it only when the alert fires, and strategy placeholders only in a strategy alert)'
    : '';
}

const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A number as a plain decimal: `2`, `"2"`, `"25329.50"`, `" 2 "`. Refused: hexadecimal (`"0x10"`),
 * exponents (`"1e3"`), `Infinity`, `NaN`, anything longer than a number can sensibly be.
 */
export function decimal(field: string, raw: unknown): number | undefined {
  if (isAbsent(raw)) return undefined;
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.length > ALERT_LIMITS.numberLength || !PLAIN_DECIMAL.test(text)) {
      throw new AlertError(`${field} must be a plain decimal number like 2 or 25329.50, got ${shown(raw)}${placeholderHint(raw)}`);
    }
    value = Number(text);
  } else {
    throw new AlertError(`${field} must be a number, got ${shown(raw)}`);
  }
  if (!Number.isFinite(value)) throw new AlertError(`${field} must be a plain decimal number, got ${shown(raw)}`);
  return value + 0; // never −0
}

/** A number above 0 and at most `max`. */
export function positive(field: string, raw: unknown, max: number): number | undefined {
  const value = decimal(field, raw);
  if (value === undefined) return undefined;
  if (value <= 0) throw new AlertError(`${field} must be greater than 0, got ${value}`);
  if (value > max) throw new AlertError(`${field} must be at most ${max.toLocaleString('en-US')}, got ${value}`);
  return value;
}

/** A number from 0 to `max`. */
export function nonNegative(field: string, raw: unknown, max: number): number | undefined {
  const value = decimal(field, raw);
  if (value === undefined) return undefined;
  if (value < 0 || value > max) throw new AlertError(`${field} must be between 0 and ${max.toLocaleString('en-US')}, got ${value}`);
  return value;
}

/** A signed number within ±`max`. */
export function signed(field: string, raw: unknown, max: number): number | undefined {
  const value = decimal(field, raw);
  if (value === undefined) return undefined;
  if (Math.abs(value) > max) {
    throw new AlertError(`${field} must be between -${max.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}, got ${value}`);
  }
  return value;
}

/** Text (a number is taken as its digits), trimmed and cut to `max` characters. */
export function text(field: string, raw: unknown, max: number = ALERT_LIMITS.text): string | undefined {
  if (isAbsent(raw)) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new AlertError(`${field} must be text, got ${shown(raw)}`);
  return String(raw).trim().slice(0, max);
}

/** `true` / `false`, also as text (TradingView renders everything as text). */
export function flag(field: string, raw: unknown): boolean | undefined {
  if (isAbsent(raw)) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const value = raw.trim().toLowerCase();
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  throw new AlertError(`${field} must be true or false, got ${shown(raw)}`);
}

/** A vocabulary of names (case-insensitive) and what each means. */
export type Vocabulary<T> = ReadonlyMap<string, T>;

export const vocabulary = <T>(entries: Record<string, T>): Vocabulary<T> =>
  new Map(Object.entries(entries).map(([name, value]) => [name.toLowerCase(), value]));

/** One of a vocabulary's names; the error lists them. */
export function oneOf<T>(field: string, raw: unknown, names: Vocabulary<T>): T | undefined {
  if (isAbsent(raw)) return undefined;
  if (typeof raw !== 'string') throw new AlertError(`${field} must be one of ${[...names.keys()].join(', ')}; got ${shown(raw)}`);
  const match = names.get(raw.trim().toLowerCase());
  if (match === undefined) {
    throw new AlertError(`${field} must be one of ${[...names.keys()].join(', ')}; got ${shown(raw)}${placeholderHint(raw)}`);
  }
  return match;
}
