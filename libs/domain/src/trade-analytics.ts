import type { Instrument, OrderSide } from '@tradeloop/contracts';
import { tickValueCents } from './instruments.js';

/**
 * Execution and trade analytics: slippage against the signal, maximum favourable and adverse
 * excursion (MFE/MAE), R-multiples. Ticks may be fractional (an alert's price off the tick grid,
 * a mid quote); dollars are integer cents, rounded once from exact ticks.
 */

/** Price difference in ticks, free of float dust (0.1 / 0.25 is 0.4, not 0.4000000001). */
export const ticksBetween = (from: number, to: number, tickSize: number): number => Number(((to - from) / tickSize).toFixed(6)) + 0;

/** Ticks × tick value × quantity, in cents. */
export const ticksToCents = (ticks: number, quantity: number, instrument: Pick<Instrument, 'tickValue'>): number =>
  Math.round(ticks * tickValueCents(instrument as Instrument) * quantity) + 0;

export interface Slippage {
  /** Signed: negative when the fill is worse than the reference (a buy above it, a sell below it). */
  ticks: number;
  cents: number;
}

/** A fill against its reference price (the alert's `signalPrice`, else its `price`, else the quote at acceptance). */
export function slippage(side: OrderSide, fillPrice: number, referencePrice: number, quantity: number, instrument: Instrument): Slippage {
  const ticks =
    side === 'buy'
      ? ticksBetween(fillPrice, referencePrice, instrument.tickSize)
      : ticksBetween(referencePrice, fillPrice, instrument.tickSize);
  return { ticks, cents: ticksToCents(ticks, quantity, instrument) };
}

export interface PricePoint {
  price: number;
  time: number;
}

/** The best and worst prices seen for one open trade, updated quote by quote. */
export interface ExcursionState {
  direction: 'long' | 'short';
  entryPrice: number;
  entryTime: number;
  best: PricePoint;
  worst: PricePoint;
}

export const startExcursion = (direction: 'long' | 'short', entryPrice: number, entryTime: number): ExcursionState => ({
  direction,
  entryPrice,
  entryTime,
  best: { price: entryPrice, time: entryTime },
  worst: { price: entryPrice, time: entryTime },
});

/** Takes one price in (the first time an extreme is reached is when it happened). Mutates and returns `state`. */
export function observePrice(state: ExcursionState, price: number, time: number): ExcursionState {
  if (!Number.isFinite(price) || time < state.entryTime) return state;
  const long = state.direction === 'long';
  if (long ? price > state.best.price : price < state.best.price) state.best = { price, time };
  if (long ? price < state.worst.price : price > state.worst.price) state.worst = { price, time };
  return state;
}

export interface TradeFacts {
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  entryTime: number;
  exitTime: number;
  /** Net P&L (after commissions), what the R-multiple divides. */
  pnlCents: number;
}

export interface TradeExcursion {
  /** ≥ 0: how far the trade went its way at best. */
  mfeTicks: number;
  mfeCents: number;
  mfePrice: number;
  mfeTime: number;
  /** ≤ 0: how far it went against it at worst. */
  maeTicks: number;
  maeCents: number;
  maePrice: number;
  maeTime: number;
  holdingMs: number;
  /** The stop the trade started with, its risk in cents, and P&L ÷ risk (two decimals); null without a stop. */
  stopPrice: number | null;
  riskCents: number | null;
  rMultiple: number | null;
}

/**
 * MFE/MAE of a closed trade from the prices seen while it was open (the entry and the exit count:
 * the trade traded there), its R-multiple when it had a stop on the losing side of the entry.
 */
export function tradeExcursion(
  trade: TradeFacts,
  seen: Iterable<PricePoint> | ExcursionState,
  instrument: Instrument,
  stopPrice: number | null = null,
): TradeExcursion {
  let state: ExcursionState;
  if (isState(seen)) {
    state = { ...seen, best: { ...seen.best }, worst: { ...seen.worst } };
  } else {
    state = startExcursion(trade.direction, trade.entryPrice, trade.entryTime);
    for (const point of seen) if (point.time <= trade.exitTime) observePrice(state, point.price, point.time);
  }
  observePrice(state, trade.exitPrice, trade.exitTime);
  const sign = trade.direction === 'long' ? 1 : -1;
  const mfeTicks = Math.max(0, sign * ticksBetween(trade.entryPrice, state.best.price, instrument.tickSize)) + 0;
  const maeTicks = Math.min(0, sign * ticksBetween(trade.entryPrice, state.worst.price, instrument.tickSize)) + 0;
  const risk = riskOf(trade, stopPrice, instrument);
  return {
    mfeTicks,
    mfeCents: ticksToCents(mfeTicks, trade.quantity, instrument),
    mfePrice: state.best.price,
    mfeTime: state.best.time,
    maeTicks,
    maeCents: ticksToCents(maeTicks, trade.quantity, instrument),
    maePrice: state.worst.price,
    maeTime: state.worst.time,
    holdingMs: Math.max(0, trade.exitTime - trade.entryTime),
    stopPrice: risk === null ? null : stopPrice,
    riskCents: risk,
    rMultiple: risk === null ? null : Math.round((trade.pnlCents / risk) * 100) / 100 + 0,
  };
}

/** What the trade risked to its stop, in cents; null without a stop or with one that risks nothing. */
export function riskOf(
  trade: Pick<TradeFacts, 'direction' | 'entryPrice' | 'quantity'>,
  stopPrice: number | null,
  instrument: Instrument,
): number | null {
  if (stopPrice === null || !Number.isFinite(stopPrice)) return null;
  const ticks =
    trade.direction === 'long'
      ? ticksBetween(stopPrice, trade.entryPrice, instrument.tickSize)
      : ticksBetween(trade.entryPrice, stopPrice, instrument.tickSize);
  if (!(ticks > 0)) return null;
  const cents = ticksToCents(ticks, trade.quantity, instrument);
  return cents > 0 ? cents : null;
}

function isState(seen: Iterable<PricePoint> | ExcursionState): seen is ExcursionState {
  return typeof (seen as ExcursionState).entryPrice === 'number' && 'best' in seen;
}

/** The stop a bracket gives an entry: its price, or so many ticks from the entry's fill. */
export function bracketStop(
  direction: 'long' | 'short',
  entryPrice: number,
  stop: { stopLossPrice: number | null; stopLossTicks: number | null },
  instrument: Pick<Instrument, 'tickSize'>,
): number | null {
  if (stop.stopLossPrice !== null) return stop.stopLossPrice;
  if (stop.stopLossTicks === null || !(stop.stopLossTicks > 0)) return null;
  const offset = stop.stopLossTicks * instrument.tickSize;
  return Number((direction === 'long' ? entryPrice - offset : entryPrice + offset).toFixed(10));
}
