import { MAX_QUANTITY, type ExitSpec, type RiskLimits, type StrategyExits } from '@tradeloop/contracts';
import { ALERT_LIMITS, MAX_STOP_LOSS_PERCENT } from './alert-values.js';
import { parseDayStart, zoneOffsetMs } from './trading-day.js';

/** How a strategy's signal is copied to one account. */
export interface LinkRule {
  /** Contracts per contract of the signal (0.5, 1, 2 …). */
  multiplier: number;
  /** Trade the opposite side. */
  inverse: boolean;
}

/**
 * The position an account should hold when the strategy's own (recorder) position is `target`:
 * scaled by the multiplier, sign flipped when inverse. Whole contracts for futures, rounded toward
 * zero so a copy never holds more than the scaled signal.
 */
export function linkTarget(target: number, rule: LinkRule, wholeContracts: boolean): number {
  const scaled = target * rule.multiplier * (rule.inverse ? -1 : 1);
  const exact = Math.round(scaled * 1e8) / 1e8;
  return (wholeContracts ? Math.trunc(exact) : exact) + 0;
}

/** Where a take profit or stop loss sits (the contracts' ExitSpec). */
export type ExitTarget = ExitSpec;

/**
 * An exit target as an alert states it, TradingView/TradersPost style: `{"ticks":40}`,
 * `{"points":10}`, `{"amount":10}` (points, as TradersPost says it), `{"percent":0.5}`, or an
 * absolute `{"price":…}` / `{"limitPrice":…}` / `{"stopPrice":…}`. Numbers may be strings. A
 * string is the error, naming the field.
 */
export function parseExitTarget(field: string, raw: unknown): ExitTarget | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `${field} must be an object like {"ticks":40}, {"points":10} or {"price":25100}, got ${shownExit(raw)}`;
  }
  const entries = Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null && v !== '');
  const kind = entries.length === 1 ? EXIT_KEYS.get(entries[0][0]) : undefined;
  if (kind === undefined) {
    return `${field} needs exactly one of ticks, points, amount, percent, price, limitPrice or stopPrice, got ${shownExit(raw)}`;
  }
  const [name, value] = entries[0];
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && PLAIN_DECIMAL.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isFinite(number) || number <= 0) return `${field}.${name} must be a number greater than 0, got ${shownExit(value)}`;
  const max = exitBound(field, kind);
  if (number > max) return `${field}.${name} must be at most ${max.toLocaleString('en-US')}, got ${number}`;
  return { [kind]: number } as ExitTarget;
}

/**
 * The most an exit may say, as an alert's own exits are bounded (alert-exits.ts): a strategy's
 * default exits and a manual order's are refused where the same exit in an alert would be.
 */
function exitBound(field: string, kind: keyof ExitShape): number {
  switch (kind) {
    case 'ticks':
      return ALERT_LIMITS.quantity;
    case 'percent':
      return field.endsWith('stopLoss') ? MAX_STOP_LOSS_PERCENT : ALERT_LIMITS.percent;
    default:
      return ALERT_LIMITS.price;
  }
}

/** The keys an exit target may be stated with, and what each means (a Map: no key can name a built-in). */
const EXIT_KEYS: ReadonlyMap<string, keyof ExitShape> = new Map([
  ['ticks', 'ticks'],
  ['points', 'points'],
  ['amount', 'points'],
  ['percent', 'percent'],
  ['price', 'price'],
  ['limitPrice', 'price'],
  ['stopPrice', 'price'],
]);
const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** A value shown in an error, short; a value too deep to print is named, not printed. */
const shownExit = (raw: unknown) => {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = 'a value nested too deeply to show';
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

interface ExitShape {
  ticks: number;
  points: number;
  price: number;
  percent: number;
}

/** A daily window in a zone: `09:30`–`16:00` America/New_York. */
export interface TradingWindow {
  start: string;
  end: string;
  timeZone: string;
}

/** Minutes after local midnight of an instant in a zone. */
export function localMinutes(instant: number, timeZone: string): number {
  const local = new Date(instant + zoneOffsetMs(instant, timeZone));
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

/** Whether an instant falls inside the window; a window whose end is before its start spans midnight (18:00–16:00). */
export function insideWindow(instant: number, window: TradingWindow): boolean {
  const now = localMinutes(instant, window.timeZone);
  const start = parseDayStart(window.start);
  const end = parseDayStart(window.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Whether an order moves the position further from flat (risk limits apply) or toward it (always allowed). */
export function increasesExposure(current: number, side: 'buy' | 'sell', quantity: number): boolean {
  const after = current + (side === 'buy' ? quantity : -quantity);
  return Math.abs(after) > Math.abs(current) || (Math.sign(after) !== Math.sign(current) && after !== 0);
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const positiveNumber = (field: string, value: unknown): number | string => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0
    ? n
    : `${field} must be a number greater than 0, got ${JSON.stringify(value)}`;
};

const clock = (field: string, value: unknown): string | { error: string } => {
  if (typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value)) return value;
  return { error: `${field} must be a time HH:MM (24-hour), got ${JSON.stringify(value)}` };
};

/** Checks risk limits as a user sends them (a JSON object); the error names the field. Empty: no limits. */
export function checkRiskLimits(raw: unknown, isTimeZone: (zone: string) => boolean): Checked<RiskLimits | null> {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, error: `risk must be an object like {"maxDailyLoss":500}, got ${JSON.stringify(raw)}` };
  const input = raw as { [field in keyof RiskLimits]?: unknown };
  const known = [
    'maxPositionSize',
    'maxOrderQuantity',
    'maxOrdersPerMinute',
    'maxDailyLoss',
    'maxDailyProfit',
    'tradingWindow',
    'flattenAt',
    'timeZone',
  ];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length) return { ok: false, error: `risk.${unknown[0]} is not a risk limit; known: ${known.join(', ')}` };
  const out: RiskLimits = {};
  for (const field of ['maxPositionSize', 'maxOrderQuantity', 'maxOrdersPerMinute', 'maxDailyLoss', 'maxDailyProfit'] as const) {
    if (input[field] === undefined || input[field] === null) continue;
    const value = positiveNumber(`risk.${field}`, input[field]);
    if (typeof value === 'string') return { ok: false, error: value };
    if ((field === 'maxPositionSize' || field === 'maxOrderQuantity') && value > MAX_QUANTITY) {
      return { ok: false, error: `risk.${field} must be at most ${MAX_QUANTITY.toLocaleString('en-US')}, got ${value}` };
    }
    out[field] = value;
  }
  if (input.tradingWindow !== undefined && input.tradingWindow !== null) {
    const w = input.tradingWindow as { start?: unknown; end?: unknown };
    if (typeof w !== 'object' || Array.isArray(w))
      return { ok: false, error: 'risk.tradingWindow must be {"start":"09:30","end":"16:00"}' };
    const start = clock('risk.tradingWindow.start', w.start);
    const end = clock('risk.tradingWindow.end', w.end);
    if (typeof start !== 'string') return { ok: false, error: start.error };
    if (typeof end !== 'string') return { ok: false, error: end.error };
    out.tradingWindow = { start, end };
  }
  if (input.flattenAt !== undefined && input.flattenAt !== null) {
    const at = clock('risk.flattenAt', input.flattenAt);
    if (typeof at !== 'string') return { ok: false, error: at.error };
    out.flattenAt = at;
  }
  if (input.timeZone !== undefined && input.timeZone !== null) {
    if (typeof input.timeZone !== 'string' || !isTimeZone(input.timeZone)) {
      return { ok: false, error: `risk.timeZone must be an IANA zone such as America/Chicago, got ${JSON.stringify(input.timeZone)}` };
    }
    out.timeZone = input.timeZone;
  }
  return { ok: true, value: Object.keys(out).length ? out : null };
}

/** Checks a strategy's default exits; the error names the field. */
export function checkExits(raw: unknown): Checked<StrategyExits | null> {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, error: `exits must be an object like {"takeProfit":{"ticks":40}}, got ${JSON.stringify(raw)}` };
  const input = raw as Record<string, unknown>;
  const known = ['takeProfit', 'stopLoss', 'breakEvenTicks', 'trailingTicks'];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length) return { ok: false, error: `exits.${unknown[0]} is not an exit setting; known: ${known.join(', ')}` };
  const out: StrategyExits = {};
  for (const field of ['takeProfit', 'stopLoss'] as const) {
    if (input[field] === undefined || input[field] === null) continue;
    const target = parseExitTarget(`exits.${field}`, input[field]);
    if (typeof target === 'string') return { ok: false, error: target };
    out[field] = target;
  }
  for (const field of ['breakEvenTicks', 'trailingTicks'] as const) {
    if (input[field] === undefined || input[field] === null) continue;
    const value = positiveNumber(`exits.${field}`, input[field]);
    if (typeof value === 'string') return { ok: false, error: value };
    if (value > ALERT_LIMITS.quantity) {
      return { ok: false, error: `exits.${field} must be at most ${ALERT_LIMITS.quantity.toLocaleString('en-US')}, got ${value}` };
    }
    out[field] = value;
  }
  return { ok: true, value: Object.keys(out).length ? out : null };
}
