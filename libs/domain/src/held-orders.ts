import type { OrderSide } from '@tradeloop/contracts';
import { exitDistance } from './exits.js';
import { onGrid } from './instruments.js';

/**
 * Orders the server holds for brokers that lack them, and triggers on quotes: a stop-limit sends
 * its limit once the stop is touched; a trailing stop follows the best price by its trail and sends
 * a market order once the market comes back to it.
 */
export interface HeldOrder {
  side: OrderSide;
  type: 'stop_limit' | 'trailing_stop';
  stopPrice: number;
  trailAmount?: number | null;
  trailPercent?: number | null;
}

/** A trailing stop's distance from a price: its amount, or its percent of that price. */
export function trailDistance(order: Pick<HeldOrder, 'trailAmount' | 'trailPercent'>, price: number): number {
  const trail =
    order.trailAmount !== null && order.trailAmount !== undefined ? { points: order.trailAmount } : { percent: order.trailPercent ?? 0 };
  return exitDistance(trail, 0, price) ?? 0;
}

/** Where a trailing stop starts from a price: below it for a sell, above it for a buy, on the tick grid. */
export function initialTrailingStop(
  side: OrderSide,
  from: number,
  trail: Pick<HeldOrder, 'trailAmount' | 'trailPercent'>,
  tickSize: number,
): number {
  const distance = trailDistance(trail, from);
  return onGrid(side === 'sell' ? from - distance : from + distance, tickSize);
}

export interface HeldStep {
  /** The stop after this quote (a trailing stop only ever tightens). */
  stopPrice: number;
  triggered: boolean;
}

/**
 * One quote's effect on a held order. A sell is touched by the bid at or below its stop, a buy by
 * the ask at or above it; a trailing stop is checked against its stop before it moves, so the quote
 * that makes a new best price never triggers it.
 */
export function heldOrderStep(order: HeldOrder, quote: { bid: number; ask: number }, tickSize: number): HeldStep {
  const sell = order.side === 'sell';
  const touched = sell ? quote.bid <= order.stopPrice : quote.ask >= order.stopPrice;
  if (touched) return { stopPrice: order.stopPrice, triggered: true };
  if (order.type !== 'trailing_stop') return { stopPrice: order.stopPrice, triggered: false };
  const mark = sell ? quote.bid : quote.ask;
  const candidate = initialTrailingStop(order.side, mark, order, tickSize);
  return { stopPrice: sell ? Math.max(order.stopPrice, candidate) : Math.min(order.stopPrice, candidate), triggered: false };
}
