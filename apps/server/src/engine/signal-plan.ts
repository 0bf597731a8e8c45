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
import { atTick, exitTarget, trailTicks, type ExitRole } from '@tradeloop/domain';
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

export interface BracketInputs {
  exits: StrategyExits & Pick<Alert, 'stopLossType' | 'stopLossLimitPrice'>;
  side: OrderSide;
  /** The entry's reference on this leg's instrument (null: measure from the fill). */
  reference: number | null;
  /** Without a reference, the price a percent is taken of (the quote's midpoint). */
  estimate: number | null;
  instrument: Instrument;
  /** Whether the alert's absolute prices hold on this leg (same instrument family, same side). */
  absolute: boolean;
}

/**
 * The bracket an entry gets, each exit where the exit rule puts it (`exitTarget`): a price when
 * the alert gives one or the entry has a reference, else ticks from the fill. A trailing stop loss
 * is a stop the server trails by its distance; a stop-limit keeps its limit.
 */
export function plannedBracket(input: BracketInputs): Omit<BracketSpec, 'strategyId'> | null {
  const { exits, instrument, absolute } = input;
  const basis = { entrySide: input.side, tickSize: instrument.tickSize, reference: input.reference, estimate: input.estimate };
  const target = (spec: ExitSpec | undefined, role: ExitRole): PriceTarget | undefined =>
    !spec || ('price' in spec && !absolute) ? undefined : (exitTarget(spec, role, basis) ?? undefined);
  const takeProfit = target(exits.takeProfit, 'takeProfit');
  let stopLoss = target(exits.stopLoss, 'stopLoss');
  let trailingTicks = exits.trailingTicks;
  if (exits.stopLoss && exits.stopLossType === 'trailing_stop') {
    const trail = trailTicks(exits.stopLoss, basis);
    if (trail !== null) trailingTicks = trail;
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
