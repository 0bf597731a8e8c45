// Generated from libs/contracts/src/strategy-api.ts by `npm run types:strategies`: do not edit.
// The API of Tradeloop strategy scripts, for editors: scripts in this folder see it without an import.
// See README.md in this folder.

declare namespace Tradeloop {
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

  export type AlertAction = 'buy' | 'sell' | 'exit' | 'cancel' | 'add';

  /**
   * How `quantity` is meant (TradersPost's `quantityType`): contracts or shares as sent, or sized
   * from dollars, risk, the account's equity or the open position.
   */
  export type QuantityType =
    'fixed_quantity' | 'dollar_amount' | 'risk_dollar_amount' | 'risk_percent' | 'percent_of_equity' | 'percent_of_position';

  export type AlertSentiment = 'long' | 'short' | 'flat';

  /** What every broker plugin executes. */
  export type OrderType = 'market' | 'limit' | 'stop';

  /**
   * What alerts and the server's orders speak: the broker types, plus a stop-limit and a trailing
   * stop, which the server holds and triggers itself (as it does brackets) for brokers that lack them.
   */
  export type ServerOrderType = OrderType | 'stop_limit' | 'trailing_stop';

  /** `day`: cancelled at the end of the trading day · `gtc`: until cancelled · `ioc` / `fok`: fill at once or be cancelled. */
  export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';

  /** Where a take profit or stop loss sits: ticks or points from the fill, a percent of it, or a price. */
  export type ExitSpec = { ticks: number } | { points: number } | { percent: number } | { price: number };

  /** The kind of order a stop loss is: a stop (market once touched), a stop-limit, or a trailing stop. */
  export type StopLossType = 'stop' | 'stop_limit' | 'trailing_stop';

  /**
   * A TradingView alert after parsing: strings turned into numbers, aliases folded
   * (`close` → `exit`, `bullish` → `long`), the ticker as sent.
   */
  export interface Alert {
    ticker?: string;
    action?: AlertAction;
    quantity?: number;
    /** Absent: `quantity` is contracts or shares (`fixed_quantity`). */
    quantityType?: QuantityType;
    /** The price when the alert fired (`{{close}}`). */
    price?: number;
    /** TradersPost's name for the same; when both come, this one is the reference. */
    signalPrice?: number;
    sentiment?: AlertSentiment;
    /** Signed target position; wins over everything else. */
    positionSize?: number;
    /**
     * A buy or sell that first closes the other side, then opens its quantity (adding to a position
     * already on its side): how PickMyTrade's alerts trade.
     */
    reverse?: boolean;
    orderType?: ServerOrderType;
    limitPrice?: number;
    stopPrice?: number;
    /** A trailing stop order's distance behind the best price, in price units. */
    trailAmount?: number;
    /** A trailing stop order's distance behind the best price, in percent of it. */
    trailPercent?: number;
    timeInForce?: TimeInForce;
    extendedHours?: boolean;
    /** Cancel the ticker's working orders first (true) or keep them (false); absent: see `planAlert`. */
    cancel?: boolean;
    /** Cancel only working orders of this type. */
    cancelOrderType?: ServerOrderType;
    /** Seconds to hold the alert before it trades. */
    delay?: number;
    /** Idempotency key: a repeat of the same id for the same strategy is not executed twice. */
    id?: string;
    /** Exits for the entry this alert opens (TradersPost's `takeProfit` / `stopLoss`). */
    takeProfit?: ExitSpec;
    stopLoss?: ExitSpec;
    /** Absent: a stop. A trailing stop loss trails by the distance `stopLoss` states. */
    stopLossType?: StopLossType;
    /** A stop-limit stop loss's limit; absent: the stop price itself. */
    stopLossLimitPrice?: number;
    time?: string;
    comment?: string;
    /** The chart's interval (`{{interval}}`), kept for the log. */
    interval?: string;
  }

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

  export type OrderSide = 'buy' | 'sell';

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

  export type Handler<A, P extends ScriptParams, S extends object> = (arg: A, ctx: StrategyContext<P, S>) => void | Promise<void>;

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
}

/** Declares a strategy: `export default defineStrategy({ params, onWebhook(alert, ctx) { ... } })`. */
declare function defineStrategy<P extends Tradeloop.ScriptParams = {}, S extends object = Tradeloop.ScriptState>(
  strategy: Tradeloop.StrategyDefinition<P, S>,
): Tradeloop.StrategyDefinition<P, S>;

/** Lines go to the strategy's log (`log` and `info` at info level), 20 per call at most. */
declare const console: {
  log(...values: unknown[]): void;
  info(...values: unknown[]): void;
  debug(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
};
