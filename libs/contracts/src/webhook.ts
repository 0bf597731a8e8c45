import type { ExitSpec } from './controls.js';
import type { ServerOrderType, TimeInForce } from './orders.js';

export type AlertAction = 'buy' | 'sell' | 'exit' | 'cancel' | 'add';
export type AlertSentiment = 'long' | 'short' | 'flat';

/**
 * How `quantity` is meant (TradersPost's `quantityType`): contracts or shares as sent, or sized
 * from dollars, risk, the account's equity or the open position.
 */
export type QuantityType =
  'fixed_quantity' | 'dollar_amount' | 'risk_dollar_amount' | 'risk_percent' | 'percent_of_equity' | 'percent_of_position';

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

export interface WebhookAccepted {
  accepted: true;
  eventId: string;
  duplicate?: boolean;
  /** When a `delay` holds the alert: the time it trades (ISO 8601). */
  delayedUntil?: string;
  /** What the server made of the alert where it differs from what was sent (a contract month mapped, a field ignored). */
  notes?: string[];
}

/** One order a previewed alert would place. */
export interface PreviewOrder {
  /** `recorder` (the strategy's own account) or `link <id>`. */
  leg: string;
  account: string;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  type: ServerOrderType;
  limitPrice?: number;
  stopPrice?: number;
  trailAmount?: number;
  trailPercent?: number;
  timeInForce?: TimeInForce;
  extendedHours?: boolean;
  /** Where a paper account would fill a market order now, and from where (`quote:<feed>`, `alert`, `simulated`). */
  expectedPrice: number | null;
  priceSource: string | null;
  /** The exits on what it opens, at the prices they would have for that fill. */
  bracket: {
    takeProfit: number | null;
    stopLoss: number | null;
    stopLossType: StopLossType;
    stopLossLimitPrice: number | null;
    /** The stop follows the best price by this many ticks. */
    trailingTicks: number | null;
    breakEvenTicks: number | null;
  } | null;
}

/** What an alert would do, answered without executing it (`POST /api/strategies/:id/preview`). */
export interface AlertPreview {
  /** Whether the webhook would take it, and with which status (202, or the 4xx it would answer). */
  accepted: boolean;
  status: number;
  /** The webhook's refusal, word for word. */
  error?: string;
  /** The alert as the server reads it (aliases folded, ticker canonical). */
  alert?: Alert;
  notes: string[];
  delaySeconds?: number;
  /** The quantity after `quantityType`, and how it was worked out. */
  quantity?: { value: number; how: string } | null;
  /** The strategy's own position in the ticker now, and after the alert (null: left alone). */
  position?: { ticker: string; current: number; target: number | null };
  /** Working orders it would cancel first. */
  cancels?: { tickers: string[]; orderType?: ServerOrderType; workingNow: number } | null;
  orders: PreviewOrder[];
}
