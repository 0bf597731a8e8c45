import type { ExitSpec } from '../controls.js';
import type { OrderSide, OrderStatus, ServerOrderType, TimeInForce } from '../orders.js';
import type { IsoTime } from './common.js';

/** An order on record (`GET /api/orders`, and the answer to every order a trader places or cancels). */
export interface OrderView {
  id: string;
  /** Derived from what caused it (the alert's event, a manual order): a redelivery never orders twice. */
  clientOrderId: string;
  strategyId: string | null;
  /** The strategy's link (a copy to another account) it belongs to. */
  linkId: string | null;
  accountId: string;
  /** The accepted alert it came from; null for a manual or server-made order. */
  eventId: string | null;
  ticker: string;
  side: OrderSide;
  quantity: number;
  /** `stop_limit` and `trailing_stop` are held by the server until they trigger. */
  type: ServerOrderType;
  limitPrice: number | null;
  /** A trailing stop's current stop. */
  stopPrice: number | null;
  trailAmount: number | null;
  trailPercent: number | null;
  /** null: good until cancelled. */
  timeInForce: TimeInForce | null;
  /** A day order's end. */
  expiresAt: IsoTime | null;
  extendedHours: boolean;
  /** The price the alert carried: what `slippage` is measured from. */
  signalPrice: number | null;
  /** When a held order triggered and went to the broker. */
  triggeredAt: IsoTime | null;
  status: OrderStatus;
  filledQuantity: number;
  avgFillPrice: number | null;
  brokerOrderId: string | null;
  /** Why it was rejected or cancelled, in words. */
  reason: string | null;
  /** Against the trader, in price units: a buy filled above the alert's price, a sell below it. */
  slippage: number | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/**
 * `POST /api/orders`: on an account (no strategy), or on a strategy's own account under the
 * strategy. A take profit or stop loss becomes a bracket once the order fills.
 */
export interface ManualOrderInput {
  accountId?: string;
  strategyId?: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  /** Default `market`. */
  type?: 'market' | 'limit' | 'stop';
  limitPrice?: number;
  stopPrice?: number;
  takeProfit?: ExitSpec;
  stopLoss?: ExitSpec;
}

/** `POST /api/positions/flatten`: any of them narrows it; none is everything. */
export interface FlattenInput {
  accountId?: string;
  /** The strategy's own positions and its links'. */
  strategyId?: string;
  ticker?: string;
}

/** `POST /api/positions/reverse`: the account's manual position, or a strategy's. */
export interface ReverseInput {
  accountId?: string;
  strategyId?: string;
  ticker: string;
}

/** What a flatten did: working orders cancelled, and one closing order per open position. */
export interface FlattenResult {
  cancelled: number;
  orders: OrderView[];
}

/** `GET /api/kill-switch`, and the answer to releasing it. */
export interface KillSwitchState {
  engaged: boolean;
  /** Epoch milliseconds; null while released. */
  since: number | null;
  reason: string | null;
}

/** The answer to engaging the kill switch: the state and what it stopped. */
export interface KillSwitchResult extends KillSwitchState, FlattenResult {
  strategiesDisabled: number;
}
