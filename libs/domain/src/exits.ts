import type { ExitSpec, OrderSide, PriceTarget, ServerOrderType } from '@tradeloop/contracts';
import { onGrid } from './instruments.js';

/*
 * Where a take profit or a stop loss sits, one rule for every path that places one (alerts,
 * strategies' default exits, manual orders, scripts, previews):
 *
 * - A relative exit (ticks, points — TradersPost's `amount` —, percent) is measured from the
 *   entry's reference price, and a percent is a percent of that price: a limit order's limit
 *   price, a stop order's stop price, otherwise the alert's signalPrice/price. The exit is then a
 *   price, fixed before the entry is sent, as TradersPost documents it; every copy of the signal
 *   exits at the same levels.
 * - An entry without a reference (a market order that carries no price) measures from its fill:
 *   the exit is kept in ticks and placed from the fill price. A percent has to be turned into ticks
 *   before the fill is known, so it is a percent of the quote's midpoint when the order is sent
 *   (TradersPost's estimate of a market entry).
 * - Exit prices go onto the tick grid toward the entry, the side that is safe for the trader: a
 *   stop loss never risks more, a take profit never asks for more, than the exit says. A relative
 *   exit sits at least one tick from where it is measured.
 */

export type ExitRole = 'takeProfit' | 'stopLoss';

/** +1 when the exit sits above the entry (a long's take profit, a short's stop loss), −1 below. */
export const exitSide = (entrySide: OrderSide, role: ExitRole): 1 | -1 => ((entrySide === 'buy') === (role === 'takeProfit') ? 1 : -1);

/**
 * Whether a take profit and a stop loss that close on `closingSide` cross: a sell limit at or
 * below a sell stop (a buy limit at or above a buy stop) is marketable wherever the stop is
 * triggered, so both would fill, and the position would be closed twice and turned around.
 */
export const exitsCrossed = (closingSide: OrderSide, takeProfit: number, stopLoss: number): boolean =>
  closingSide === 'sell' ? takeProfit <= stopLoss : takeProfit >= stopLoss;

/** An entry order as far as its reference price goes. */
export interface EntryPrices {
  type?: ServerOrderType;
  limitPrice?: number | null;
  stopPrice?: number | null;
  /** The alert's signalPrice (or price): the market when it fired. */
  signalPrice?: number | null;
}

/**
 * The price an entry's relative exits are measured from: a limit's (and a stop-limit's) limit, a
 * stop's stop, else the alert's price. Null: none, so they are measured from the fill.
 */
export function entryReference(entry: EntryPrices): number | null {
  switch (entry.type ?? 'market') {
    case 'limit':
    case 'stop_limit':
      return entry.limitPrice ?? null;
    case 'stop':
      return entry.stopPrice ?? null;
    default:
      return entry.signalPrice ?? null;
  }
}

/**
 * How far a relative exit lies from where it is measured, in price: ticks × tick size, points,
 * or a percent of `base`. Null for an absolute price, or a percent with no price to take it of.
 */
export function exitDistance(spec: ExitSpec, tickSize: number, base: number | null): number | null {
  if ('ticks' in spec) return spec.ticks * tickSize;
  if ('points' in spec) return spec.points;
  if ('percent' in spec) return base !== null && Number.isFinite(base) ? (base * spec.percent) / 100 : null;
  return null;
}

/** A distance in whole ticks, rounded toward the entry, at least one. */
export function wholeTicks(distance: number, tickSize: number): number {
  return Math.max(1, Math.floor(distance / tickSize + 1e-6));
}

/**
 * The exit's price for an entry at `from` (its reference, or its fill): an absolute price as
 * stated, a relative one measured from `from` (a percent of it); on the tick grid toward the entry,
 * and a relative one at least one tick away.
 */
export function exitPrice(spec: ExitSpec, entrySide: OrderSide, from: number, role: ExitRole, tickSize: number): number {
  const side = exitSide(entrySide, role);
  const towardEntry = side > 0 ? 'down' : 'up';
  if ('price' in spec) return onGrid(spec.price, tickSize, towardEntry);
  const price = onGrid(from + side * exitDistance(spec, tickSize, from)!, tickSize, towardEntry);
  if (side * (price - from) >= tickSize * (1 - 1e-6)) return price;
  return onGrid(from + side * tickSize, tickSize, side > 0 ? 'up' : 'down');
}

/** What an entry's exits are measured from. */
export interface ExitBasis {
  entrySide: OrderSide;
  tickSize: number;
  /** The entry's reference price (`entryReference`); null: measured from the fill. */
  reference: number | null;
  /** Without a reference, the price a percent is taken of: the quote's midpoint; null when there is none. */
  estimate?: number | null;
}

/**
 * An exit as a bracket keeps it before its entry is sent: a price when it states one or the
 * entry has a reference, else ticks from the fill (a percent turned into whole ticks at the
 * estimate). Null: a percent with neither a reference nor an estimate to take it of.
 */
export function exitTarget(spec: ExitSpec, role: ExitRole, basis: ExitBasis): PriceTarget | null {
  const { entrySide, tickSize, reference } = basis;
  if ('price' in spec || reference !== null) return { price: exitPrice(spec, entrySide, reference ?? NaN, role, tickSize) };
  if ('ticks' in spec) return { ticks: spec.ticks };
  const distance = exitDistance(spec, tickSize, basis.estimate ?? null);
  return distance === null ? null : { ticks: wholeTicks(distance, tickSize) };
}

/**
 * A trailing stop loss's trail in whole ticks (toward the entry: never looser than asked, at
 * least one); a percent of the reference, else of the estimate. Null: a price, which does not
 * trail, or a percent with nothing to take it of.
 */
export function trailTicks(spec: ExitSpec, basis: ExitBasis): number | null {
  const distance = exitDistance(spec, basis.tickSize, basis.reference ?? basis.estimate ?? null);
  return distance === null ? null : wholeTicks(distance, basis.tickSize);
}
