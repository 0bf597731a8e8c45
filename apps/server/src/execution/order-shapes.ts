import type { OrderRequest, OrderType, OrderView, ServerOrderType } from '@tradeloop/contracts';
import { iso } from '../common/money.js';
import type { Account } from '../accounts/account.entity.js';
import type { Order } from './order.entity.js';

/** Orders the server holds until they trigger (for brokers without them); registered by HeldOrdersService. */
export interface OrderHolder {
  /** Takes a new order of a held type: it works on the server until it triggers. */
  hold(order: Order): Promise<void>;
  /** Lets go of a held order that was cancelled before it triggered. */
  release(orderId: string): void;
}

/** Order types a broker plugin executes itself; the others the server holds. */
export const isHeldType = (type: ServerOrderType): type is 'stop_limit' | 'trailing_stop' =>
  type === 'stop_limit' || type === 'trailing_stop';

/** What a held order becomes at the broker once it triggers. */
const triggeredAs = (type: ServerOrderType): OrderType => (type === 'stop_limit' ? 'limit' : type === 'trailing_stop' ? 'market' : type);

/** The broker's view of an order on record (a held order: the order it becomes once triggered). */
export function brokerRequest(order: Order, account: Account): OrderRequest {
  const type = triggeredAs(order.type);
  return {
    clientOrderId: order.clientOrderId,
    brokerAccountId: account.brokerAccountId,
    ticker: order.ticker,
    side: order.side,
    quantity: order.quantity,
    type,
    ...(type === 'limit' && order.limitPrice !== null ? { limitPrice: order.limitPrice } : {}),
    ...(type === 'stop' && order.stopPrice !== null ? { stopPrice: order.stopPrice } : {}),
    ...(order.timeInForce ? { timeInForce: order.timeInForce } : {}),
    ...(order.expiresAt !== null ? { expiresAt: order.expiresAt } : {}),
    ...(order.extendedHours ? { extendedHours: true } : {}),
    // A resent order is priced like a new one: by the alert's price when no real feed quotes it.
    ...(order.signalPrice !== null ? { referencePrice: order.signalPrice } : {}),
  };
}

/**
 * An order as the API shows it: times in ISO 8601, and its slippage against the alert's price.
 * Field by field, so a column added to the table never reaches the API unasked.
 */
export function orderView(o: Order): OrderView {
  // Against the trader: a buy filled above the alert's price, a sell below it.
  const slippage =
    o.signalPrice === null || o.avgFillPrice === null
      ? null
      : Number(((o.side === 'buy' ? o.avgFillPrice - o.signalPrice : o.signalPrice - o.avgFillPrice) + 0).toFixed(8));
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    strategyId: o.strategyId,
    linkId: o.linkId,
    accountId: o.accountId,
    eventId: o.eventId,
    ticker: o.ticker,
    side: o.side,
    quantity: o.quantity,
    type: o.type,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    trailAmount: o.trailAmount,
    trailPercent: o.trailPercent,
    timeInForce: o.timeInForce,
    expiresAt: iso(o.expiresAt),
    extendedHours: o.extendedHours,
    signalPrice: o.signalPrice,
    triggeredAt: iso(o.triggeredAt),
    status: o.status,
    filledQuantity: o.filledQuantity,
    avgFillPrice: o.avgFillPrice,
    brokerOrderId: o.brokerOrderId,
    reason: o.reason,
    slippage,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
  };
}
