import type { Alert, ExitSpec, Instrument, PriceTarget, StrategyExits } from '@tradeloop/contracts';
import { sizeQuantity } from '../alert-sizing.js';
import { parseAlert, planAlert } from '../alerts.js';
import { entryReference, exitPrice, exitTarget, trailTicks, type ExitRole } from '../exits.js';
import { pointValue } from '../instruments.js';
import type { BookBracket, BookOrder } from './book.js';
import type { NewOrder } from './executor.js';
import type { TimedAlert } from './history.js';

export interface AlertContext {
  ticker: string;
  canonical: (ticker: string) => string | null;
  instrument: Instrument;
  quantity: number;
  exits: StrategyExits | null;
  position: number;
  quote: { bid: number; ask: number } | undefined;
  /** The alert's delay has run out already. */
  released: boolean;
  /** A scripted strategy: the parsed alert goes to onWebhook. */
  scripted: boolean;
}

export type AlertOutcome =
  | { kind: 'error'; error: string }
  | { kind: 'delay'; alert: TimedAlert; notes: string[] }
  | { kind: 'script'; alert: Alert & { ticker: string }; notes: string[] }
  | { kind: 'orders'; cancel: ((order: BookOrder) => boolean) | null; orders: NewOrder[]; notes: string[] };

/**
 * What the pass-through strategy does with one alert, by the live webhook semantics: parsed by
 * `parseAlert`, the target position by `planAlert` on the strategy's own position, working orders
 * cancelled as the plan says, one order from the position to the target, and the alert's exits
 * (over the strategy's defaults) as a bracket on an order that opens or adds.
 */
export function alertOrders(timed: TimedAlert, ctx: AlertContext): AlertOutcome {
  const parsed = parseAlert(timed.alert);
  if (!parsed.ok) return { kind: 'error', error: parsed.error };
  const { alert, notes } = parsed;
  const ticker = alert.ticker === undefined ? ctx.ticker : ctx.canonical(alert.ticker);
  if (ticker !== ctx.ticker) {
    return { kind: 'error', error: `ticker ${alert.ticker}: the backtest has history for ${ctx.ticker} only, so nothing was traded` };
  }
  if (ctx.scripted) return { kind: 'script', alert: { ...alert, ticker }, notes };
  if (alert.delay && !ctx.released) {
    return { kind: 'delay', alert: { ...timed, time: timed.time + alert.delay * 1000 }, notes: [...notes, `held ${alert.delay} s`] };
  }
  if (alert.orderType === 'trailing_stop') return { kind: 'error', error: 'orderType trailing_stop is not simulated by backtests' };

  const reference = entryReference({
    type: alert.orderType,
    limitPrice: alert.limitPrice,
    stopPrice: alert.stopPrice,
    signalPrice: alert.signalPrice ?? alert.price,
  });
  const estimate = ctx.quote ? (ctx.quote.bid + ctx.quote.ask) / 2 : null;
  let quantity = alert.quantity ?? ctx.quantity;
  if (alert.quantityType && alert.quantityType !== 'fixed_quantity') {
    const side = alert.action === 'sell' ? 'sell' : 'buy';
    const stop =
      alert.stopLoss && reference !== null ? exitPrice(alert.stopLoss, side, reference, 'stopLoss', ctx.instrument.tickSize) : null;
    const sized = sizeQuantity({
      quantityType: alert.quantityType,
      value: alert.quantity!,
      entryPrice: alert.limitPrice ?? alert.signalPrice ?? alert.price ?? estimate,
      stopPrice: stop,
      pointValue: pointValue(ctx.instrument),
      wholeUnits: ctx.instrument.kind === 'future',
      equity: null,
      position: ctx.position,
    });
    if (!sized.ok) return { kind: 'error', error: sized.error };
    quantity = sized.quantity;
    notes.push(sized.explanation);
  }
  const plan = planAlert(ctx.position, { ...alert, quantity }, ctx.quantity);
  if (plan.note) notes.push(plan.note);
  const cancel = plan.cancelWorking ? (order: BookOrder) => !plan.cancelOrderType || order.type === plan.cancelOrderType : null;
  const orders: NewOrder[] = [];
  if (plan.target !== null && plan.target !== ctx.position) {
    const delta = plan.target - ctx.position;
    const side = delta > 0 ? 'buy' : 'sell';
    const opens = Math.abs(plan.target) > Math.abs(ctx.position) || Math.sign(plan.target) !== Math.sign(ctx.position);
    const type = alert.orderType ?? 'market';
    orders.push({
      side,
      quantity: Math.round(Math.abs(delta) * 1e8) / 1e8,
      type,
      ...(alert.limitPrice !== undefined && (type === 'limit' || type === 'stop_limit') ? { limitPrice: alert.limitPrice } : {}),
      ...(alert.stopPrice !== undefined && (type === 'stop' || type === 'stop_limit') ? { stopPrice: alert.stopPrice } : {}),
      ...(type === 'stop_limit' && alert.limitPrice === undefined ? { limitPrice: alert.stopPrice } : {}),
      role: 'order',
      bracket: opens && plan.target !== 0 ? bracketOf(alert, ctx, side, reference, estimate) : null,
      ...((alert.signalPrice ?? alert.price) ? { referencePrice: alert.signalPrice ?? alert.price } : {}),
    });
    if ((type === 'limit' || type === 'stop_limit') && alert.limitPrice === undefined && type === 'limit') {
      return { kind: 'error', error: 'orderType limit needs limitPrice' };
    }
    if ((type === 'stop' || type === 'stop_limit') && alert.stopPrice === undefined) {
      return { kind: 'error', error: `orderType ${type} needs stopPrice` };
    }
  }
  return { kind: 'orders', cancel, orders, notes };
}

/** The live bracket rule (`exitTarget`): alert exits over the strategy's, a price with a reference, else ticks from the fill. */
function bracketOf(
  alert: Alert,
  ctx: AlertContext,
  side: 'buy' | 'sell',
  reference: number | null,
  estimate: number | null,
): BookBracket | null {
  const exits: StrategyExits & Pick<Alert, 'stopLossType' | 'stopLossLimitPrice'> = {
    ...(ctx.exits ?? {}),
    ...(alert.takeProfit ? { takeProfit: alert.takeProfit } : {}),
    ...(alert.stopLoss ? { stopLoss: alert.stopLoss, stopLossType: alert.stopLossType, stopLossLimitPrice: alert.stopLossLimitPrice } : {}),
  };
  const basis = { entrySide: side, tickSize: ctx.instrument.tickSize, reference, estimate };
  const target = (spec: ExitSpec | undefined, role: ExitRole): PriceTarget | undefined =>
    spec ? (exitTarget(spec, role, basis) ?? undefined) : undefined;
  const takeProfit = target(exits.takeProfit, 'takeProfit');
  let stopLoss = target(exits.stopLoss, 'stopLoss');
  let trailingTicks = exits.trailingTicks;
  if (exits.stopLoss && exits.stopLossType === 'trailing_stop') {
    const trail = trailTicks(exits.stopLoss, basis);
    if (trail !== null) trailingTicks = trail;
    else stopLoss = undefined;
  }
  if (!takeProfit && !stopLoss) return null;
  return {
    ...(takeProfit ? { takeProfit } : {}),
    ...(stopLoss ? { stopLoss } : {}),
    ...(exits.stopLossType === 'stop_limit' ? { stopLossType: 'stop_limit' as const } : {}),
    ...(exits.stopLossType === 'stop_limit' && exits.stopLossLimitPrice !== undefined
      ? { stopLossLimitPrice: exits.stopLossLimitPrice }
      : {}),
    ...(exits.breakEvenTicks !== undefined ? { breakEvenTicks: exits.breakEvenTicks } : {}),
    ...(trailingTicks !== undefined ? { trailingTicks } : {}),
  };
}
