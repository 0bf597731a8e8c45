import type { OrderData } from '@tradeloop/contracts';
import type { Order } from './order.entity.js';

/** The `/ws` view of an order row. */
export const orderData = (o: Order): OrderData => ({
  id: o.id,
  clientOrderId: o.clientOrderId,
  accountId: o.accountId,
  strategyId: o.strategyId,
  ticker: o.ticker,
  side: o.side,
  quantity: o.quantity,
  type: o.type,
  status: o.status,
  filledQuantity: o.filledQuantity,
  avgFillPrice: o.avgFillPrice,
  reason: o.reason,
  time: o.updatedAt,
});
