import { quantityProblem, type OrderOptions, type PriceTarget } from '@tradeloop/contracts';
import { ALERT_LIMITS, tickerProblem } from '@tradeloop/domain';
import type { ScriptAction } from '../sandbox/protocol.js';

/**
 * The order intents a script returned, checked field by field on this side of the sandbox: the
 * bootstrap in the isolate validates too, but a script can patch anything in its own context.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
/** Bounded as an alert's are: a script's price or tick count past any real one is refused, not sent. */
const PRICE_MAX = ALERT_LIMITS.price;
const TICKS_MAX = ALERT_LIMITS.quantity;
const atMost = (name: string, value: number, max: number) => `${name} must be at most ${max.toLocaleString('en-US')}, got ${value}`;

function target(value: unknown, name: string): PriceTarget | undefined | string {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `${name} must be { ticks } or { price }`;
  const hasTicks = value.ticks !== undefined;
  const hasPrice = value.price !== undefined;
  if (hasTicks === hasPrice) return `${name} needs exactly one of ticks or price`;
  if (hasTicks) {
    if (!positive(value.ticks)) return `${name}.ticks must be a number above 0`;
    return value.ticks > TICKS_MAX ? atMost(`${name}.ticks`, value.ticks, TICKS_MAX) : { ticks: value.ticks };
  }
  if (!positive(value.price)) return `${name}.price must be a price above 0`;
  return value.price > PRICE_MAX ? atMost(`${name}.price`, value.price, PRICE_MAX) : { price: value.price };
}

function options(value: unknown): OrderOptions | string {
  if (value === undefined) return { type: 'market' };
  if (!isObject(value)) return 'options must be an object';
  const type = value.type ?? 'market';
  if (type !== 'market' && type !== 'limit' && type !== 'stop') return 'type must be market, limit or stop';
  const out: OrderOptions = { type };
  if (type === 'limit') {
    if (!positive(value.limitPrice)) return 'a limit order needs limitPrice above 0';
    if (value.limitPrice > PRICE_MAX) return atMost('limitPrice', value.limitPrice, PRICE_MAX);
    out.limitPrice = value.limitPrice;
  }
  if (type === 'stop') {
    if (!positive(value.stopPrice)) return 'a stop order needs stopPrice above 0';
    if (value.stopPrice > PRICE_MAX) return atMost('stopPrice', value.stopPrice, PRICE_MAX);
    out.stopPrice = value.stopPrice;
  }
  const takeProfit = target(value.takeProfit, 'takeProfit');
  if (typeof takeProfit === 'string') return takeProfit;
  const stopLoss = target(value.stopLoss, 'stopLoss');
  if (typeof stopLoss === 'string') return stopLoss;
  if (takeProfit) out.takeProfit = takeProfit;
  if (stopLoss) out.stopLoss = stopLoss;
  return out;
}

/** One action, or why it is refused. */
export function parseAction(raw: unknown): ScriptAction | string {
  if (!isObject(raw)) return 'not an action';
  switch (raw.kind) {
    case 'order': {
      if (raw.side !== 'buy' && raw.side !== 'sell') return 'side must be buy or sell';
      const badTicker = tickerProblem(raw.ticker);
      if (badTicker) return `${raw.side}: ${badTicker}`;
      const ticker = (raw.ticker as string).trim();
      const badQuantity = quantityProblem(raw.quantity);
      if (badQuantity) return `${raw.side} ${ticker}: ${badQuantity}`;
      const parsed = options(raw.options);
      if (typeof parsed === 'string') return `${raw.side} ${ticker}: ${parsed}`;
      return { kind: 'order', side: raw.side, ticker, quantity: raw.quantity as number, options: parsed };
    }
    case 'flatten':
    case 'cancelAll': {
      if (raw.ticker === null || raw.ticker === undefined) return { kind: raw.kind, ticker: null };
      const badTicker = tickerProblem(raw.ticker);
      if (badTicker) return `${raw.kind}: ${badTicker}`;
      return { kind: raw.kind, ticker: (raw.ticker as string).trim() };
    }
    default:
      return 'unknown action';
  }
}

/** Orders one strategy placed in the last minute, to hold it to `maxOrdersPerMinute`. */
export class OrderRateLimiter {
  private readonly placed = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and counted) when the strategy may place one more order now. */
  take(strategyId: string): boolean {
    const now = this.now();
    const recent = (this.placed.get(strategyId) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.perMinute) {
      this.placed.set(strategyId, recent);
      return false;
    }
    recent.push(now);
    this.placed.set(strategyId, recent);
    return true;
  }

  forget(strategyId: string): void {
    this.placed.delete(strategyId);
  }
}
