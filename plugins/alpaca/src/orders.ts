import { orderRequestProblem, type OrderRequest, type OrderStatus } from '@tradeloop/contracts';
import { createHash } from 'node:crypto';
import type { AlpacaAsset, AlpacaOrder } from './rest.js';

/** Alpaca's `client_order_id` of every order Tradeloop places starts with this: its own orders are known after a restart. */
export const CLIENT_PREFIX = 'tl-';
/** Alpaca's documented limit on `client_order_id`. */
export const MAX_CLIENT_ORDER_ID = 128;

/** Tradeloop's clientOrderId as Alpaca's `client_order_id`: prefixed, or (too long) prefixed and hashed. */
export function alpacaClientId(clientOrderId: string): string {
  const plain = `${CLIENT_PREFIX}${clientOrderId}`;
  if (plain.length <= MAX_CLIENT_ORDER_ID) return plain;
  return `${CLIENT_PREFIX}h-${createHash('sha256').update(clientOrderId).digest('hex')}`;
}

/** The Alpaca symbol of a canonical ticker (`AAPL`, `BRK.B`), or undefined for what is not a stock symbol. */
export function alpacaSymbol(ticker: string): string | undefined {
  const symbol = ticker.trim().toUpperCase();
  return /^[A-Z0-9][A-Z0-9.!/-]{0,31}$/.test(symbol) ? symbol : undefined;
}

const decimals = (value: number) => {
  const text = String(value);
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
};

/** Whether `value` is a whole multiple of `step` (both decimals, compared on an integer grid). */
export function onGrid(value: number, step: number): boolean {
  if (!(step > 0)) return true;
  const scale = 10 ** Math.min(12, Math.max(decimals(value), decimals(step)));
  return Math.round(value * scale) % Math.round(step * scale) === 0;
}

/** A quantity or price as Alpaca takes it: a decimal string without float noise. */
export const decimal = (value: number) => String(Number(value.toFixed(9)));

/**
 * The body of `POST /v2/orders` for an order, or the reason Alpaca would refuse it, in words:
 * fractional shares only where the asset allows them (market orders, time in force day), prices on
 * the asset's increment, extended hours only for day limit orders.
 */
export function orderBody(order: OrderRequest, symbol: string, asset: AlpacaAsset): Record<string, unknown> | string {
  const problem = orderRequestProblem(order);
  if (problem) return problem;
  if (!asset.tradable) return `Alpaca does not trade ${symbol} (the asset is not tradable)`;
  const fractional = !Number.isInteger(order.quantity);
  const timeInForce = order.timeInForce ?? (fractional ? 'day' : 'gtc');
  if (fractional) {
    if (!asset.fractionable)
      return `${symbol} is not fractionable at Alpaca: the quantity must be a whole number of shares, got ${order.quantity}`;
    if (order.type !== 'market' || timeInForce !== 'day') {
      return `Alpaca takes fractional quantities (${order.quantity} ${symbol}) only as market orders with time in force day`;
    }
    const min = Number(asset.min_order_size ?? 0);
    if (min > 0 && order.quantity < min) return `quantity ${order.quantity} is below Alpaca's minimum order size ${min} for ${symbol}`;
    const step = Number(asset.min_trade_increment ?? 0);
    if (step > 0 && !onGrid(order.quantity, step)) {
      return `quantity ${order.quantity} is not a multiple of Alpaca's trade increment ${step} for ${symbol}`;
    }
  }
  const tick = Number(asset.price_increment ?? 0);
  for (const [field, price] of [
    ['limitPrice', order.type === 'limit' ? order.limitPrice : undefined],
    ['stopPrice', order.type === 'stop' ? order.stopPrice : undefined],
  ] as const) {
    if (price !== undefined && tick > 0 && !onGrid(price, tick)) {
      return `${field} ${price} is not a multiple of Alpaca's price increment ${tick} for ${symbol}`;
    }
  }
  if (order.extendedHours && (order.type !== 'limit' || timeInForce !== 'day')) {
    return `Alpaca takes extended-hours orders only as limit orders with time in force day (got a ${order.type} order, ${timeInForce})`;
  }
  return {
    symbol,
    qty: decimal(order.quantity),
    side: order.side,
    type: order.type,
    time_in_force: timeInForce,
    ...(order.type === 'limit' ? { limit_price: decimal(order.limitPrice!) } : {}),
    ...(order.type === 'stop' ? { stop_price: decimal(order.stopPrice!) } : {}),
    ...(order.extendedHours ? { extended_hours: true } : {}),
    client_order_id: alpacaClientId(order.clientOrderId),
  };
}

/** Tradeloop's status of an order Alpaca reports; `expired` and `done_for_day` end it as cancelled. */
export function statusOf(order: Pick<AlpacaOrder, 'status'>): Exclude<OrderStatus, 'pending'> {
  switch (order.status) {
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'expired':
    case 'done_for_day':
    case 'replaced':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    default:
      return 'working';
  }
}

/** A refusal of Alpaca's REST API in words: its HTTP status names the kind, its message the detail. */
export function refusal(status: number, message: string): string {
  if (status === 403) return `Alpaca refused the order: ${message}`;
  if (status === 422) return `Alpaca rejected the order as invalid: ${message}`;
  if (status === 401) return `Alpaca refused the API key (check the key id and secret, and paper or live): ${message}`;
  if (status === 429) return `Alpaca's rate limit was reached; the order was not placed: ${message}`;
  if (status === 0) return message;
  return `Alpaca rejected the order (HTTP ${status}): ${message}`;
}
