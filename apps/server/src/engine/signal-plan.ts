import type {
  Alert,
  ExitSpec,
  Instrument,
  OrderSide,
  PriceTarget,
  ServerOrderType,
  StopLossType,
  StrategyExits,
  TimeInForce,
} from '@tradeloop/contracts';
import type { BracketSpec } from '../execution/brackets.service.js';

/** What a pass-through strategy will do with one alert: computed once, then executed or shown as a preview. */
export interface SignalPlan {
  alert: Alert & { ticker: string };
  /** The alert's quantity after `quantityType`, and how it was worked out. */
  quantity: { value: number; how: string } | null;
  /** The recorder's (the strategy's own) position before and the target after. */
  current: number;
  target: number | null;
  cancel: { working: boolean; orderType?: ServerOrderType; tickers: string[] };
  legs: PlannedLeg[];
  notes: string[];
  /** Why nothing can be traded (the event fails with this). */
  error?: string;
}

export interface PlannedLeg {
  label: string;
  accountId: string;
  accountName: string;
  broker: string;
  linkId: string | null;
  ticker: string;
  current: number;
  target: number;
  orders: PlannedOrder[];
}

export interface PlannedOrder {
  /** `<idPrefix>:<part>` is the clientOrderId. */
  part: number;
  idPrefix: string;
  side: OrderSide;
  quantity: number;
  type: ServerOrderType;
  limitPrice?: number;
  stopPrice?: number;
  trailAmount?: number;
  trailPercent?: number;
  timeInForce?: TimeInForce;
  extendedHours?: boolean;
  signalPrice?: number;
  bracket: Omit<BracketSpec, 'strategyId'> | null;
  /** What a paper account would fill a market order at, and from where; prices the preview shows. */
  expected: { price: number | null; source: string | null; takeProfit: number | null; stopLoss: number | null };
}

export const onGrid = (price: number, tickSize: number) => Number((Math.round(price / tickSize) * tickSize).toFixed(10));

/** A price an alert states, on the instrument's tick grid for futures (brokers refuse off-grid prices); stocks as sent. */
export const atTick = (price: number, instrument: Instrument) =>
  instrument.kind === 'future' ? onGrid(price, instrument.tickSize) : price;

/**
 * The price an entry is expected at, which relative exits and sizing measure from: a limit's
 * limit, a stop's stop, else the alert's signalPrice or price (TradingView's). Null: none in the
 * alert (exits are then measured from the fill).
 */
export function entryReference(alert: Alert, limitPrice?: number, stopPrice?: number): number | null {
  switch (alert.orderType) {
    case 'limit':
    case 'stop_limit':
      return limitPrice ?? null;
    case 'stop':
      return stopPrice ?? null;
    default:
      return alert.signalPrice ?? alert.price ?? null;
  }
}

/** The alert's own exits win over the strategy's defaults, each side on its own. */
export function mergedExits(
  strategyExits: StrategyExits | null,
  alert: Alert,
): (StrategyExits & Pick<Alert, 'stopLossType' | 'stopLossLimitPrice'>) | null {
  const defaults = strategyExits ?? {};
  const merged = {
    ...defaults,
    ...(alert.takeProfit ? { takeProfit: alert.takeProfit } : {}),
    ...(alert.stopLoss ? { stopLoss: alert.stopLoss, stopLossType: alert.stopLossType, stopLossLimitPrice: alert.stopLossLimitPrice } : {}),
  };
  return merged.takeProfit || merged.stopLoss ? merged : null;
}

/** A stop loss's price for an entry at `entry`: below a long's, above a short's. */
export function stopPriceFor(spec: ExitSpec, side: OrderSide, entry: number, instrument: Instrument): number {
  const dir = side === 'buy' ? -1 : 1;
  if ('price' in spec) return spec.price;
  const distance = 'ticks' in spec ? spec.ticks * instrument.tickSize : 'points' in spec ? spec.points : (entry * spec.percent) / 100;
  return onGrid(entry + dir * distance, instrument.tickSize);
}

export interface BracketInputs {
  exits: StrategyExits & Pick<Alert, 'stopLossType' | 'stopLossLimitPrice'>;
  side: OrderSide;
  /** The expected entry on this leg's instrument (null: measure from the fill). */
  reference: number | null;
  /** A price to turn a percent into ticks when there is no reference (the quote). */
  fallback: number | null;
  instrument: Instrument;
  /** Whether the alert's absolute prices hold on this leg (same instrument family, same side). */
  absolute: boolean;
}

/**
 * The bracket an entry gets: each exit as a price when the alert gives one or a reference makes
 * one (TradersPost measures relative exits from the signal price), else in ticks from the fill.
 * A trailing stop loss is a stop the server trails by its distance; a stop-limit keeps its limit.
 */
export function plannedBracket(input: BracketInputs): Omit<BracketSpec, 'strategyId'> | null {
  const { exits, side, reference, fallback, instrument, absolute } = input;
  const dir = side === 'buy' ? 1 : -1;
  const tick = instrument.tickSize;
  const ticksOf = (distance: number) => Math.max(1, Math.round(distance / tick));
  const distanceOf = (spec: ExitSpec): number | null =>
    'ticks' in spec
      ? spec.ticks * tick
      : 'points' in spec
        ? spec.points
        : 'percent' in spec
          ? ((reference ?? fallback ?? NaN) * spec.percent) / 100
          : null;
  const target = (spec: ExitSpec | undefined, sign: number): PriceTarget | undefined => {
    if (!spec) return undefined;
    if ('price' in spec) return absolute ? { price: atTick(spec.price, instrument) } : undefined;
    if ('ticks' in spec && reference === null) return { ticks: spec.ticks };
    const distance = distanceOf(spec);
    if (distance === null || !Number.isFinite(distance)) return undefined;
    return reference !== null ? { price: onGrid(reference + sign * dir * distance, tick) } : { ticks: ticksOf(distance) };
  };
  const takeProfit = target(exits.takeProfit, 1);
  let stopLoss = target(exits.stopLoss, -1);
  let trailingTicks = exits.trailingTicks;
  if (exits.stopLoss && exits.stopLossType === 'trailing_stop') {
    const distance = distanceOf(exits.stopLoss);
    if (distance !== null && Number.isFinite(distance)) trailingTicks = ticksOf(distance);
    else stopLoss = undefined;
  }
  if (!takeProfit && !stopLoss) return null;
  const stopLimit = exits.stopLossType === 'stop_limit' && stopLoss;
  return {
    takeProfit,
    stopLoss,
    ...(stopLimit ? { stopLossType: 'stop_limit' as StopLossType } : {}),
    ...(stopLimit && absolute && exits.stopLossLimitPrice !== undefined
      ? { stopLossLimitPrice: atTick(exits.stopLossLimitPrice, instrument) }
      : {}),
    breakEvenTicks: exits.breakEvenTicks,
    trailingTicks,
  };
}

/** Where a bracket's legs will sit for an entry filled at `entry`. */
export function bracketPrices(bracket: Omit<BracketSpec, 'strategyId'> | null, side: OrderSide, entry: number | null, tickSize: number) {
  const dir = side === 'buy' ? 1 : -1;
  const at = (target: PriceTarget | undefined, sign: number) =>
    !target
      ? null
      : target.price !== undefined
        ? target.price
        : entry === null || target.ticks === undefined
          ? null
          : onGrid(entry + sign * dir * target.ticks * tickSize, tickSize);
  return { takeProfit: at(bracket?.takeProfit, 1), stopLoss: at(bracket?.stopLoss, -1) };
}
