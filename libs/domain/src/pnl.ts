import { MAX_QUANTITY, quantityProblem, type Instrument, type OrderSide } from '@tradeloop/contracts';
import { tickValueCents } from './instruments.js';

/** An open slice of a position. Quantity is signed (+ long, − short); its entry commission rides along. */
export interface Lot {
  quantity: number;
  price: number;
  time: number;
  commissionCents: number;
  /** Where its fill's price came from; lots booked before sources were kept have none. */
  priceSource?: string;
}

/** Open lots, oldest first; all share one sign. */
export interface PositionState {
  lots: Lot[];
}

export interface FillInput {
  side: OrderSide;
  quantity: number;
  price: number;
  time: number;
  commissionCents: number;
  priceSource?: string;
}

export interface ClosedTrade {
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  entryTime: number;
  exitTime: number;
  grossCents: number;
  commissionCents: number;
  pnlCents: number;
  entryPriceSource: string;
  exitPriceSource: string;
}

export interface FillResult {
  state: PositionState;
  trades: ClosedTrade[];
  /** Sum of the trades' pnlCents. */
  realizedCents: number;
}

export const EMPTY_POSITION: PositionState = { lots: [] };

/** The price source of a fill booked before sources were kept. */
export const UNRECORDED = 'unrecorded';

/** A quantity kept to the 8 decimal places quantities are kept to (coins are decimals; sums carry binary noise). */
export const roundQuantity = (value: number): number => Math.round(value * 1e8) / 1e8;
const qty = roundQuantity;

/**
 * Splits integer cents in proportion to weights; the pieces are integers summing exactly to
 * `total` (largest remainders get the leftover cents).
 */
export function splitCents(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, i) => (i === weights.length - 1 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const pieces = exact.map(Math.floor);
  let left = total - pieces.reduce((a, b) => a + b, 0);
  const order = exact.map((value, i) => ({ i, frac: value - Math.floor(value) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) pieces[order[k].i]++;
  return pieces;
}

/** Price difference in whole ticks × tick value × quantity, in cents. */
export function grossPnlCents(
  direction: 'long' | 'short',
  entryPrice: number,
  exitPrice: number,
  quantity: number,
  instrument: Instrument,
): number {
  const ticks = Math.round((exitPrice - entryPrice) / instrument.tickSize);
  const cents = Math.round((direction === 'long' ? ticks : -ticks) * tickValueCents(instrument) * quantity);
  return cents + 0; // never −0
}

export function netQuantity(state: PositionState): number {
  return qty(state.lots.reduce((sum, lot) => sum + lot.quantity, 0));
}

export function averagePrice(state: PositionState): number | null {
  const size = state.lots.reduce((sum, lot) => sum + Math.abs(lot.quantity), 0);
  if (size === 0) return null;
  return state.lots.reduce((sum, lot) => sum + Math.abs(lot.quantity) * lot.price, 0) / size;
}

/** Open P&L: longs marked at the bid, shorts at the ask; no commissions. */
export function openPnlCents(state: PositionState, quote: { bid: number; ask: number }, instrument: Instrument): number {
  return state.lots.reduce((sum, lot) => {
    const long = lot.quantity > 0;
    return sum + grossPnlCents(long ? 'long' : 'short', lot.price, long ? quote.bid : quote.ask, Math.abs(lot.quantity), instrument);
  }, 0);
}

/**
 * Books one fill FIFO: it closes the oldest opposite lots first (each slice one ClosedTrade) and
 * opens whatever is left on its own side, so a fill bigger than the position reverses it.
 */
export function applyFill(state: PositionState, fill: FillInput, instrument: Instrument): FillResult {
  if (!(fill.quantity > 0) || !Number.isFinite(fill.quantity))
    throw new Error(`fill quantity must be greater than 0, got ${fill.quantity}`);
  if (!Number.isFinite(fill.price)) throw new Error(`fill price must be a number, got ${fill.price}`);
  // Whole cents keep every split exact; a negative amount is a rebate and splits the same way.
  if (!Number.isInteger(fill.commissionCents)) throw new Error(`fill commissionCents must be whole cents, got ${fill.commissionCents}`);

  const sign = fill.side === 'buy' ? 1 : -1;
  const lots = state.lots.map((lot) => ({ ...lot }));
  const held = netQuantity({ lots });
  const closing = held !== 0 && Math.sign(held) !== sign ? Math.min(fill.quantity, Math.abs(held)) : 0;
  const opening = qty(fill.quantity - closing);
  const [closingCommission, openingCommission] = splitCents(fill.commissionCents, [closing, opening]);

  const slices: { lot: Lot; quantity: number }[] = [];
  let toClose = closing;
  for (const lot of lots) {
    if (toClose <= 0) break;
    const take = Math.min(Math.abs(lot.quantity), toClose);
    slices.push({ lot, quantity: take });
    toClose = qty(toClose - take);
  }
  const exitCommissions = splitCents(
    closingCommission,
    slices.map((s) => s.quantity),
  );

  const trades = slices.map(({ lot, quantity }, i): ClosedTrade => {
    const size = Math.abs(lot.quantity);
    const entryCommission = quantity === size ? lot.commissionCents : Math.round((lot.commissionCents * quantity) / size);
    const direction = lot.quantity > 0 ? 'long' : 'short';
    const grossCents = grossPnlCents(direction, lot.price, fill.price, quantity, instrument);
    const commissionCents = entryCommission + exitCommissions[i];
    lot.commissionCents -= entryCommission;
    lot.quantity = qty(Math.sign(lot.quantity) * (size - quantity));
    return {
      direction,
      quantity,
      entryPrice: lot.price,
      exitPrice: fill.price,
      entryTime: lot.time,
      exitTime: fill.time,
      grossCents,
      commissionCents,
      pnlCents: grossCents - commissionCents,
      entryPriceSource: lot.priceSource ?? UNRECORDED,
      exitPriceSource: fill.priceSource ?? UNRECORDED,
    };
  });

  const open = lots.filter((lot) => lot.quantity !== 0);
  if (opening > 0) {
    open.push({
      quantity: sign * opening,
      price: fill.price,
      time: fill.time,
      commissionCents: openingCommission,
      ...(fill.priceSource ? { priceSource: fill.priceSource } : {}),
    });
  }
  return { state: { lots: open }, trades, realizedCents: trades.reduce((sum, t) => sum + t.pnlCents, 0) };
}

/** The highest price a fill is booked at: past it a broker's report is an error, and cents stop being exact. */
export const MAX_PRICE = 1_000_000_000;

/**
 * Why a fill can never be booked exactly — before booking (its own numbers) and after
 * `applyFill` (the position and P&L it makes) — or undefined when it can. A fill refused here is
 * a fact at the broker the ledger cannot hold: it becomes a dead letter with this reason, not a
 * booking tried again and again.
 */
export function fillProblem(fill: FillInput, result?: FillResult, realizedBeforeCents = 0): string | undefined {
  const quantity = quantityProblem(fill.quantity, 'fill quantity');
  if (quantity) return quantity;
  if (typeof fill.price !== 'number' || !Number.isFinite(fill.price) || fill.price <= 0 || fill.price > MAX_PRICE) {
    return `fill price must be a price above 0 and at most ${MAX_PRICE.toLocaleString('en-US')}, got ${String(fill.price)}`;
  }
  if (!Number.isSafeInteger(fill.commissionCents)) return `fill commission must be whole cents, got ${String(fill.commissionCents)}`;
  if (!Number.isFinite(fill.time)) return `fill time must be a time, got ${String(fill.time)}`;
  if (!result) return undefined;
  const held = netQuantity(result.state);
  if (!Number.isFinite(held) || Math.abs(held) > MAX_QUANTITY) {
    return `the position would be ${held}, more than any position may be (at most ${MAX_QUANTITY.toLocaleString('en-US')})`;
  }
  const cents = [
    result.realizedCents,
    realizedBeforeCents + result.realizedCents,
    ...result.trades.flatMap((t) => [t.grossCents, t.pnlCents]),
  ];
  if (!cents.every(Number.isSafeInteger)) return 'its P&L would be too large to keep exact to the cent';
  return undefined;
}
