import type { ExitSpec } from './controls.js';
import type { OrderType } from './orders.js';

export type AlertAction = 'buy' | 'sell' | 'exit' | 'cancel' | 'add';
export type AlertSentiment = 'long' | 'short' | 'flat';

/**
 * A TradingView alert after parsing: strings turned into numbers, aliases folded
 * (`close` → `exit`, `bullish` → `long`), the ticker as sent.
 */
export interface Alert {
  ticker?: string;
  action?: AlertAction;
  quantity?: number;
  price?: number;
  sentiment?: AlertSentiment;
  /** Signed target position; wins over everything else. */
  positionSize?: number;
  orderType?: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  /** Idempotency key: a repeat of the same id for the same strategy is not executed twice. */
  id?: string;
  /** Exits for the entry this alert opens (TradersPost's `takeProfit` / `stopLoss`). */
  takeProfit?: ExitSpec;
  stopLoss?: ExitSpec;
  time?: string;
  comment?: string;
}

export interface WebhookAccepted {
  accepted: true;
  eventId: string;
  duplicate?: boolean;
}
