/**
 * ProjectX gateway wire shapes, as its public API documentation gives them
 * (gateway.docs.projectx.com). Every REST answer carries success, errorCode and errorMessage.
 */
export interface Answer {
  success: boolean;
  errorCode: number;
  errorMessage: string | null;
}

export interface PxAccount {
  id: number;
  name: string;
  balance: number;
  canTrade: boolean;
  isVisible: boolean;
}

export interface PxContract {
  /** `CON.F.US.ENQ.Z25` */
  id: string;
  /** `NQZ5` */
  name: string;
  description: string;
  tickSize: number;
  /** Dollars one tick is worth for one contract. */
  tickValue: number;
  activeContract: boolean;
  symbolId?: string;
}

/** Order/place `type`. */
export const ORDER_TYPE = { limit: 1, market: 2, stop: 4, trailingStop: 5, joinBid: 6, joinAsk: 7 } as const;
/** Order/place `side`: 0 bid (buy), 1 ask (sell). */
export const SIDE = { buy: 0, sell: 1 } as const;
/** Order status: 0 None, 1 Open, 2 Filled, 3 Cancelled, 4 Expired, 5 Rejected, 6 Pending. */
export const STATUS = { none: 0, open: 1, filled: 2, cancelled: 3, expired: 4, rejected: 5, pending: 6 } as const;
/** Position `type`: 1 long, 2 short. */
export const POSITION_TYPE = { long: 1, short: 2 } as const;

export interface PxOrder {
  id: number;
  accountId: number;
  contractId: string;
  creationTimestamp: string;
  updateTimestamp?: string | null;
  status: number;
  type: number;
  side: number;
  size: number;
  limitPrice?: number | null;
  stopPrice?: number | null;
  fillVolume?: number | null;
  filledPrice?: number | null;
  customTag?: string | null;
}

export interface PxPosition {
  id: number;
  accountId: number;
  contractId: string;
  creationTimestamp: string;
  type: number;
  size: number;
  averagePrice: number;
}

export interface PxTrade {
  id: number;
  accountId: number;
  contractId: string;
  creationTimestamp: string;
  price: number;
  profitAndLoss: number | null;
  fees: number;
  side: number;
  size: number;
  voided: boolean;
  orderId: number;
}

/** GatewayQuote's `data`. */
export interface PxQuote {
  symbol?: string;
  lastPrice?: number;
  bestBid?: number;
  bestAsk?: number;
  change?: number;
  volume?: number;
  lastUpdated?: string;
  timestamp?: string;
}

/**
 * A user-hub event's payload. The documentation shows the entity itself; some gateways wrap it
 * as `{ action, data }`: both are taken.
 */
export function unwrap<T>(payload: unknown): T | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const wrapped = payload as { data?: unknown; action?: unknown };
  if ('data' in wrapped && wrapped.data !== null && typeof wrapped.data === 'object' && !('id' in wrapped)) return wrapped.data as T;
  return payload as T;
}
