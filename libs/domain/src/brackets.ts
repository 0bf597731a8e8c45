import type { OrderSide, PriceTarget } from '@tradeloop/contracts';
import { exitPrice, type ExitRole } from './exits.js';
import { onGrid } from './instruments.js';

/** A bracket's exits as kept before its entry fills: each a price, or ticks from the fill. */
export interface BracketTargets {
  takeProfit?: PriceTarget | null;
  stopLoss?: PriceTarget | null;
}

/**
 * Where a bracket's legs sit for an entry filled at `fillPrice` (the server places them there;
 * previews pass the price they expect): a price as kept, ticks from the fill, both on the tick
 * grid toward the entry. Null for a leg not asked for, or in ticks while the fill is unknown.
 */
export function legPrices(
  entrySide: OrderSide,
  fillPrice: number | null,
  tickSize: number,
  bracket: BracketTargets | null | undefined,
): { takeProfit: number | null; stopLoss: number | null } {
  const at = (target: PriceTarget | null | undefined, role: ExitRole): number | null => {
    if (!target) return null;
    if (target.price !== undefined && target.price !== null) return exitPrice({ price: target.price }, entrySide, NaN, role, tickSize);
    if (target.ticks === undefined || target.ticks === null || fillPrice === null) return null;
    return exitPrice({ ticks: target.ticks }, entrySide, fillPrice, role, tickSize);
  };
  return { takeProfit: at(bracket?.takeProfit, 'takeProfit'), stopLoss: at(bracket?.stopLoss, 'stopLoss') };
}

/** A stop loss that follows the market: moved to the entry at break-even, then trailed. */
export interface ManagedStop {
  entrySide: OrderSide;
  entryPrice: number;
  tickSize: number;
  /** Move the stop to the entry once the market is this many ticks in profit. */
  breakEvenTicks: number | null;
  /** Trail the stop this many ticks behind the best price. */
  trailingTicks: number | null;
  /** Best price seen since the entry: highest bid for a long, lowest ask for a short. */
  best: number;
}

/** The best price after a quote: a long follows the bid up, a short the ask down. */
export function bestPrice(stop: Pick<ManagedStop, 'entrySide' | 'best'>, quote: { bid: number; ask: number }): number {
  return stop.entrySide === 'buy' ? Math.max(stop.best, quote.bid) : Math.min(stop.best, quote.ask);
}

/**
 * Where a managed stop should be now, or null to leave it: never looser than `current`, moved in
 * whole ticks, on the tick grid.
 */
export function managedStopPrice(stop: ManagedStop, current: number): number | null {
  const dir = stop.entrySide === 'buy' ? 1 : -1;
  const candidates: number[] = [];
  if (stop.breakEvenTicks !== null && dir * (stop.best - stop.entryPrice) >= stop.breakEvenTicks * stop.tickSize - 1e-9)
    candidates.push(stop.entryPrice);
  if (stop.trailingTicks !== null) candidates.push(onGrid(stop.best - dir * stop.trailingTicks * stop.tickSize, stop.tickSize));
  if (!candidates.length) return null;
  const desired = dir > 0 ? Math.max(...candidates) : Math.min(...candidates);
  return dir * (desired - current) >= stop.tickSize - 1e-9 ? onGrid(desired, stop.tickSize) : null;
}
