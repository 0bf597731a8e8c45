export type OrderSide = 'buy' | 'sell';
/** What every broker plugin executes. */
export type OrderType = 'market' | 'limit' | 'stop';
/**
 * What alerts and the server's orders speak: the broker types, plus a stop-limit and a trailing
 * stop, which the server holds and triggers itself (as it does brackets) for brokers that lack them.
 */
export type ServerOrderType = OrderType | 'stop_limit' | 'trailing_stop';
export const SERVER_ORDER_TYPES: readonly ServerOrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
/** `day`: cancelled at the end of the trading day · `gtc`: until cancelled · `ioc` / `fok`: fill at once or be cancelled. */
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';
export const TIMES_IN_FORCE: readonly TimeInForce[] = ['day', 'gtc', 'ioc', 'fok'];
export type OrderStatus = 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';

/** What the server asks a broker plugin to do. */
export interface OrderRequest {
  /** Server-side id, stable across redeliveries: a broker must treat a repeat as the same order. */
  clientOrderId: string;
  /** The account as the broker knows it. */
  brokerAccountId: string;
  /** Canonical ticker (`NQ1!`). */
  ticker: string;
  side: OrderSide;
  quantity: number;
  type: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  /** The price the alert carried: a paper fill's price when no real feed quotes the ticker. */
  referencePrice?: number;
  /** Absent: good until cancelled. Brokers without a choice of time in force may ignore it. */
  timeInForce?: TimeInForce;
  /**
   * For `day` orders: when the trading day the order was placed in ends (epoch ms, the server's
   * trading calendar). A broker that keeps its own sessions may use those instead.
   */
  expiresAt?: number;
  /** Stocks: may fill outside regular trading hours. Brokers that do not offer it ignore it. */
  extendedHours?: boolean;
}

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * The most any one order — or any position — may be, whatever the settings: a million contracts,
 * shares or coins. Past it a quantity is a typo or an attack, and money stops being exact (a
 * P&L in cents must stay a safe integer). Configured limits sit well below it.
 */
export const MAX_QUANTITY = 1_000_000;
/** The finest quantity booked (fractions of shares or coins): eight decimals. */
export const MIN_QUANTITY = 1e-8;

/** Why a quantity cannot be an order's, in words, or undefined when it can. */
export function quantityProblem(quantity: unknown, field = 'quantity'): string | undefined {
  if (!isPositive(quantity))
    return `${field} must be a number above 0, got ${typeof quantity === 'string' ? JSON.stringify(quantity) : String(quantity)}`;
  if (quantity > MAX_QUANTITY)
    return `${field} ${quantity} is more than any order may be (at most ${MAX_QUANTITY.toLocaleString('en-US')})`;
  if (quantity < MIN_QUANTITY) return `${field} ${quantity} is smaller than the finest quantity booked (${MIN_QUANTITY})`;
  return undefined;
}

/**
 * Why an order request is malformed, in words, or undefined when it is well-formed: the checks
 * every broker plugin makes before it trades (a broker adds its own, e.g. whole contracts).
 */
export function orderRequestProblem(order: OrderRequest): string | undefined {
  if (typeof order.ticker !== 'string' || order.ticker.trim() === '') return 'the order has no ticker';
  if (order.side !== 'buy' && order.side !== 'sell') return `side must be buy or sell, got ${JSON.stringify(order.side)}`;
  if (order.type !== 'market' && order.type !== 'limit' && order.type !== 'stop') {
    return `order type must be market, limit or stop, got ${JSON.stringify(order.type)}`;
  }
  const quantity = quantityProblem(order.quantity);
  if (quantity) return quantity;
  if (order.type === 'limit' && !isPositive(order.limitPrice)) {
    return order.limitPrice == null
      ? `limit order for ${order.ticker} has no limitPrice`
      : `limitPrice must be a price above 0, got ${String(order.limitPrice)}`;
  }
  if (order.type === 'stop' && !isPositive(order.stopPrice)) {
    return order.stopPrice == null
      ? `stop order for ${order.ticker} has no stopPrice`
      : `stopPrice must be a price above 0, got ${String(order.stopPrice)}`;
  }
  return undefined;
}

/** The broker's immediate answer to `placeOrder`. Fills arrive separately through `reportFill`. */
export interface OrderAck {
  brokerOrderId: string;
  status: Exclude<OrderStatus, 'pending'>;
  /** Why the order was rejected or cancelled, in words a trader understands. */
  reason?: string;
}

/** A status change the broker reports after the ack (a resting order cancelled, rejected or filled). */
export interface OrderUpdate {
  clientOrderId: string;
  brokerOrderId: string;
  status: Exclude<OrderStatus, 'pending'>;
  reason?: string;
}

export interface BrokerFill {
  /** Unique per broker: the ledger ignores a fill it has already booked. */
  fillId: string;
  clientOrderId: string;
  brokerOrderId: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  price: number;
  /** Dollars charged for this fill (all contracts of it). */
  commission: number;
  /** Milliseconds since the epoch, UTC. */
  time: number;
  /**
   * Where the price came from, for simulated executions: `quote:<feed>` (a real feed's quote),
   * `alert` (the price the alert carried) or `simulated` (the simulated feed). A real broker's own
   * fills leave it out: they are the market's.
   */
  priceSource?: string;
  /**
   * Only for a fill of an order the server did not place (made in the broker's own app): the
   * account it happened in. The server books it as a manual trade on that account.
   */
  brokerAccountId?: string;
}
