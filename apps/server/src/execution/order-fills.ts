import type { BrokerFill, OrderStatus } from '@tradeloop/contracts';
import type { LedgerEntry } from '../ledger/ledger.service.js';
import type { Order } from './order.entity.js';

/** A fill the ledger booked, with the order it filled (as it stands after the fill). */
export interface BookedFill extends LedgerEntry {
  order: Order;
}

export interface OrderFillState {
  /** The broker's id for the order, learned from its first fill when its ack has not told it yet. */
  brokerOrderId: string | null;
  filledQuantity: number;
  avgFillPrice: number | null;
  status: OrderStatus;
  updatedAt: number;
}

/** What a fill makes of its order: filled quantity, average fill price, and `filled` once all of it is. */
export function afterFill(order: Order, fill: BrokerFill, now = Date.now()): OrderFillState {
  const filledQuantity = order.filledQuantity + fill.quantity;
  // One fill's price as it is; a weighted average without float dust (5 × 420.69 ÷ 5 is not 420.69 in binary).
  const avgFillPrice =
    order.filledQuantity === 0 || order.avgFillPrice === null
      ? fill.price
      : Number(((order.avgFillPrice * order.filledQuantity + fill.price * fill.quantity) / filledQuantity).toFixed(10));
  const brokerOrderId = order.brokerOrderId ?? (fill.brokerOrderId || null);
  return {
    brokerOrderId,
    filledQuantity,
    avgFillPrice,
    status: filledQuantity >= order.quantity ? 'filled' : order.status,
    updatedAt: now,
  };
}
