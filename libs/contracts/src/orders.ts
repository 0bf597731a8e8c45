export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
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
  /** The price the alert carried, a fallback for a paper fill when no quote exists. */
  referencePrice?: number;
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
   * Only for a fill of an order the server did not place (made in the broker's own app): the
   * account it happened in. The server books it as a manual trade on that account.
   */
  brokerAccountId?: string;
}
