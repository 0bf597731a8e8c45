import type { OrderSide, OrderType } from './orders.js';
import type { Alert } from './webhook.js';

/**
 * The API a strategy script sees. `strategies/tradeloop.d.ts` is generated from this file (and
 * the types it imports) by `npm run types:strategies`; a test fails when the two drift apart.
 * Everything here crosses the sandbox boundary as a copy: plain data, no host objects.
 */

/** A value a user may set per strategy; its type is fixed by the default the script declares. */
export type ScriptParamValue = number | string | boolean;
export type ScriptParams = Record<string, ScriptParamValue>;

/** A JSON value, as `ctx.state` holds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type ScriptState = { [key: string]: JsonValue };

/** The alert that reached the strategy's webhook, parsed as for any strategy; the ticker is canonical (`NQ1!`). */
export type ScriptAlert = Alert & { ticker: string };

/** The latest quote of a ticker. `step` is the tick size, `amnt` what one tick is worth for one contract, in dollars. */
export interface ScriptQuote {
  ticker: string;
  bid: number;
  ask: number;
  step: number;
  amnt: number;
  /** Milliseconds since the epoch, UTC. */
  time: number;
}

/** The strategy's position in one ticker. Flat is `quantity: 0`, never undefined. */
export interface ScriptPosition {
  ticker: string;
  /** Signed: positive long, negative short. What is filled and booked. */
  quantity: number;
  /**
   * Signed: what the market orders sent and not yet filled will add (a broker reports a fill
   * moments after it takes the order). `quantity + pending` is the position once they fill: size
   * the next order on it, or a quote that comes meanwhile buys a second time.
   */
  pending: number;
  avgPrice: number | null;
  /** Dollars, marked at the bid (longs) or ask (shorts); null while the ticker has no quote. */
  openPnl: number | null;
  realizedPnl: number;
}

/** The strategy's P&L in dollars. `open` and `total` are null while a held ticker has no quote. */
export interface ScriptPnl {
  realized: number;
  open: number | null;
  total: number | null;
}

/** What the fill belonged to: an order of the script, or a take-profit / stop-loss the server placed for it. */
export type ScriptFillRole = 'order' | 'takeProfit' | 'stopLoss';

/** One fill of one of the strategy's orders, after the ledger booked it. */
export interface ScriptFill {
  orderId: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  price: number;
  /** Dollars. */
  commission: number;
  /** Dollars this fill realized (closing part of a position). */
  realizedPnl: number;
  /** The position in the ticker after this fill. */
  position: number;
  role: ScriptFillRole;
  /** Milliseconds since the epoch, UTC. */
  time: number;
}

/** A price target as a distance from the entry's fill price in ticks, or as an absolute price. */
export interface PriceTarget {
  ticks?: number;
  price?: number;
}

export interface OrderOptions {
  /** `market` (default), `limit` (with `limitPrice`) or `stop` (with `stopPrice`). */
  type?: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  /** A limit order placed on the other side once this order fills; cancelled when the stop loss fills. */
  takeProfit?: PriceTarget;
  /** A stop order placed on the other side once this order fills; cancelled when the take profit fills. */
  stopLoss?: PriceTarget;
}

export type ScriptLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The second argument of every handler. Orders are collected during the call and placed right
 * after it returns (or after its promise settles); everything else is a snapshot taken before the call.
 */
export interface StrategyContext<P extends ScriptParams = ScriptParams, S extends object = ScriptState> {
  readonly strategyId: string;
  /** The declared defaults, overridden by what the user set for this strategy. */
  readonly params: Readonly<P>;
  /** Saved after every call that succeeds, kept across reloads and restarts. A JSON object, 64 KiB at most. */
  state: S;
  buy(ticker: string, quantity: number, options?: OrderOptions): void;
  sell(ticker: string, quantity: number, options?: OrderOptions): void;
  /** Cancels working orders and closes the position: in one ticker, or in every ticker when none is named. */
  flatten(ticker?: string): void;
  /** Cancels working orders (take profits and stop losses included): in one ticker, or all. */
  cancelAll(ticker?: string): void;
  position(ticker: string): ScriptPosition;
  quote(ticker: string): ScriptQuote | undefined;
  pnl(): ScriptPnl;
  log(level: ScriptLogLevel, message: string): void;
  /** The time of the event being handled, in milliseconds since the epoch (UTC). */
  now(): number;
}

type Handler<A, P extends ScriptParams, S extends object> = (arg: A, ctx: StrategyContext<P, S>) => void | Promise<void>;

/** The default export of a strategy script: `export default defineStrategy({ ... })`. */
export interface StrategyDefinition<P extends ScriptParams = ScriptParams, S extends object = ScriptState> {
  /** Defaults of the user-editable settings; a user's value must have the same type. */
  params?: P;
  /** `ctx.state` until the strategy has saved one. */
  state?: S;
  /** Tickers whose quotes reach `onTick` (held tickers always do). Any TradingView spelling. */
  tickers?: string[];
  /** How often `onTimer` runs: `'30s'`, `'1m'`, `'1h'`; at least one second. */
  every?: string;
  onWebhook?: Handler<ScriptAlert, P, S>;
  onTick?: Handler<ScriptQuote, P, S>;
  onFill?: Handler<ScriptFill, P, S>;
  /** `now` is the scheduled time, in milliseconds since the epoch (UTC). */
  onTimer?: Handler<number, P, S>;
}
