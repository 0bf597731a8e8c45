import type { Alert, AlertAction, AlertSentiment, QuantityType, ServerOrderType, TimeInForce } from '@tradeloop/contracts';
import { readAlertBody } from './alert-body.js';
import { readStopLoss, readTakeProfit } from './alert-exits.js';
import {
  ALERT_LIMITS,
  AlertError,
  flag,
  isAbsent,
  MAX_STOP_LOSS_PERCENT,
  nonNegative,
  oneOf,
  own,
  placeholderHint,
  positive,
  shown,
  signed,
  text,
  vocabulary,
} from './alert-values.js';
import { fromPickMyTrade, isPickMyTrade } from './bridges.js';
import { optionContract } from './contract-months.js';
import { tickerProblem } from './instruments.js';

export type ParseResult = { ok: true; alert: Alert; notes: string[] } | { ok: false; error: string };

/** What the engine should do with an alert. `target` null leaves the position alone. */
export interface AlertPlan {
  target: number | null;
  /** Cancel the ticker's working orders before trading. */
  cancelWorking: boolean;
  /** Only working orders of this type. */
  cancelOrderType?: ServerOrderType;
  note?: string;
}

const ACTIONS = vocabulary<AlertAction>({ buy: 'buy', sell: 'sell', exit: 'exit', close: 'exit', cancel: 'cancel', add: 'add' });
const SENTIMENTS = vocabulary<AlertSentiment>({ long: 'long', bullish: 'long', short: 'short', bearish: 'short', flat: 'flat' });
const ORDER_TYPES = vocabulary<ServerOrderType>({
  market: 'market',
  limit: 'limit',
  stop: 'stop',
  stop_limit: 'stop_limit',
  trailing_stop: 'trailing_stop',
});
const QUANTITY_TYPES = vocabulary<QuantityType>({
  fixed_quantity: 'fixed_quantity',
  dollar_amount: 'dollar_amount',
  risk_dollar_amount: 'risk_dollar_amount',
  risk_percent: 'risk_percent',
  percent_of_equity: 'percent_of_equity',
  percent_of_position: 'percent_of_position',
  // The names TradersPost's position-sizing page uses for the same two.
  amount_per_position: 'dollar_amount',
  risk_per_position: 'risk_dollar_amount',
});
const TIMES_IN_FORCE = vocabulary<TimeInForce>({ day: 'day', gtc: 'gtc', ioc: 'ioc', fok: 'fok' });
/** TradersPost's session orders: the server has no exchange calendar to place them by. */
const SESSION_ORDERS = new Map([
  ['opg', 'opg (on the open)'],
  ['cls', 'cls (on the close)'],
]);
/** TradersPost's option fields (and the docs' own misspelling): an option order, which Tradeloop does not trade. */
const OPTION_FIELDS = ['optionType', 'intrinsicValue', 'instrinsicValue', 'expiration', 'strikeCount', 'strikesAway', 'strikePrice'];

/** The most `quantity` may be, by how it is meant. */
const QUANTITY_BOUND: Record<QuantityType, number> = {
  fixed_quantity: ALERT_LIMITS.quantity,
  dollar_amount: ALERT_LIMITS.dollars,
  risk_dollar_amount: ALERT_LIMITS.dollars,
  risk_percent: 100,
  percent_of_equity: ALERT_LIMITS.percent,
  percent_of_position: 100,
};

/** The first field present among its aliases, and its name. */
function pick(body: Record<string, unknown>, names: string[]): [string, unknown] {
  for (const name of names) if (!isAbsent(own(body, name))) return [name, own(body, name)];
  return [names[0], undefined];
}

const as = (field: string, name: string) => (name === field ? field : `${field} (sent as ${name})`);

/**
 * Reads a TradingView alert: the raw text TradingView sent (JSON, whatever the content type), or
 * a value already parsed. TradersPost's vocabulary is read in full; PickMyTrade's alerts are
 * rewritten into it where they map cleanly; PineConnector's comma text is refused with its JSON
 * equivalent. Numbers may be text; every error names the field first.
 */
export function parseAlert(input: unknown): ParseResult {
  try {
    let body = readAlertBody(input);
    let notes: string[] = [];
    if (isPickMyTrade(body)) ({ body, notes } = fromPickMyTrade(body));
    return { ok: true, alert: readAlert(body, notes), notes };
  } catch (error) {
    if (error instanceof AlertError) return { ok: false, error: error.message };
    throw error;
  }
}

function readAlert(body: Record<string, unknown>, notes: string[]): Alert {
  for (const field of OPTION_FIELDS) {
    if (!isAbsent(own(body, field))) {
      throw new AlertError(`${field}: options are not supported (Tradeloop trades futures, stocks and crypto), so nothing was traded`);
    }
  }
  const rawTicker = own(body, 'ticker');
  // The checks below read the ticker cut to 200 characters; one longer is refused by its whole length, not the cut's.
  if (typeof rawTicker === 'string' && rawTicker.trim().length > 200) throw new AlertError(tickerProblem(rawTicker)!);
  const ticker = text('ticker', rawTicker, 200);
  if (ticker !== undefined) {
    const option = optionContract(ticker);
    if (option) throw new AlertError(`ticker ${shown(ticker)} is an option (${option}): options are not supported, so nothing was traded`);
    const problem = tickerProblem(ticker);
    if (problem) throw new AlertError(`${problem}${placeholderHint(ticker)}`);
  }

  const [quantityName, quantityRaw] = pick(body, ['quantity', 'qty', 'contracts']);
  const quantityType = oneOf('quantityType', own(body, 'quantityType'), QUANTITY_TYPES);
  const quantity = positive(as('quantity', quantityName), quantityRaw, QUANTITY_BOUND[quantityType ?? 'fixed_quantity']);
  if (quantityType !== undefined && quantityType !== 'fixed_quantity' && quantity === undefined) {
    throw new AlertError(
      `quantityType ${quantityType} needs a quantity (the ${quantityType.includes('percent') ? 'percent' : 'dollars'} to size from)`,
    );
  }
  const [positionName, positionRaw] = pick(body, ['positionSize', 'position_size', 'positionsize']);
  const timeInForceRaw = own(body, 'timeInForce');
  if (typeof timeInForceRaw === 'string' && SESSION_ORDERS.has(timeInForceRaw.trim().toLowerCase())) {
    throw new AlertError(
      `timeInForce ${SESSION_ORDERS.get(timeInForceRaw.trim().toLowerCase())} is not supported: the server keeps no exchange session calendar; use day, gtc, ioc or fok`,
    );
  }
  const stopLoss = readStopLoss(own(body, 'stopLoss'));
  const [trailName, trailRaw] = pick(body, ['trailAmount', 'trailPrice']);

  const alert: Alert = {
    ticker,
    action: oneOf('action', own(body, 'action'), ACTIONS),
    quantity,
    quantityType: quantityType === 'fixed_quantity' ? undefined : quantityType,
    price: positive('price', own(body, 'price'), ALERT_LIMITS.price),
    signalPrice: positive('signalPrice', own(body, 'signalPrice'), ALERT_LIMITS.price),
    sentiment: oneOf('sentiment', own(body, 'sentiment'), SENTIMENTS),
    positionSize: signed(as('positionSize', positionName), positionRaw, ALERT_LIMITS.quantity),
    reverse: flag('reverse', own(body, 'reverse')) || undefined,
    orderType: oneOf('orderType', own(body, 'orderType'), ORDER_TYPES),
    limitPrice: positive('limitPrice', own(body, 'limitPrice'), ALERT_LIMITS.price),
    stopPrice: positive('stopPrice', own(body, 'stopPrice'), ALERT_LIMITS.price),
    trailAmount: positive(as('trailAmount', trailName), trailRaw, ALERT_LIMITS.price),
    trailPercent: positive('trailPercent', own(body, 'trailPercent'), MAX_STOP_LOSS_PERCENT),
    timeInForce: oneOf('timeInForce', timeInForceRaw, TIMES_IN_FORCE),
    extendedHours: flag('extendedHours', own(body, 'extendedHours')),
    cancel: flag('cancel', own(body, 'cancel')),
    cancelOrderType: oneOf('cancelOrderType', own(body, 'cancelOrderType'), ORDER_TYPES),
    delay: nonNegative('delay', own(body, 'delay'), ALERT_LIMITS.delaySeconds) || undefined,
    id: text('id', own(body, 'id'), 1000),
    takeProfit: readTakeProfit(own(body, 'takeProfit')),
    stopLoss: stopLoss?.at,
    stopLossType: stopLoss && stopLoss.type !== 'stop' ? stopLoss.type : undefined,
    stopLossLimitPrice: stopLoss?.limitPrice,
    time: text('time', own(body, 'time'), 100),
    comment: text('comment', own(body, 'comment')),
    interval: text('interval', own(body, 'interval'), 20),
  };
  if (flag('ignoreTradingWindows', own(body, 'ignoreTradingWindows'))) {
    notes.push('ignoreTradingWindows ignored: exits always pass the trading window, and an alert cannot lift a risk limit');
  }
  check(alert);
  // The fields sent, in order; read for every alert, so without an array of pairs per field.
  const sent: Record<string, unknown> = {};
  for (const field in alert) {
    const value = alert[field as keyof Alert];
    if (value !== undefined) sent[field] = value;
  }
  return sent as Alert;
}

/** Rules between fields, each refusal naming the field that breaks it. */
function check(alert: Alert): void {
  if (alert.action === undefined && alert.sentiment === undefined && alert.positionSize === undefined) {
    throw new AlertError('action is required (buy, sell, exit, cancel, add) unless positionSize or sentiment is given');
  }
  if (alert.id !== undefined && alert.id.length > 200) throw new AlertError('id must be at most 200 characters');
  const trailing = alert.orderType === 'trailing_stop';
  if (!trailing) {
    const stray = alert.trailAmount !== undefined ? 'trailAmount' : alert.trailPercent !== undefined ? 'trailPercent' : null;
    if (stray) throw new AlertError(`${stray} is for a trailing stop order: send "orderType":"trailing_stop" with it`);
  } else {
    if (alert.trailAmount === undefined && alert.trailPercent === undefined) {
      throw new AlertError('orderType trailing_stop needs trailAmount or trailPercent');
    }
    if (alert.trailAmount !== undefined && alert.trailPercent !== undefined) {
      throw new AlertError('trailAmount and trailPercent cannot both be sent: a trailing stop trails by one of them');
    }
  }
}

/**
 * TradingView strategy semantics on the strategy's signed position. buy/sell move it by the
 * quantity (`reverse`: close the other side, then open the quantity); positionSize sets it
 * outright; `exit` closes it (only `quantity` of it when sent, never past flat); sentiment keeps the
 * result on its side of zero, and `flat` always ends flat, whatever the quantity: TradingView
 * renders `{{strategy.market_position}}` as flat only when the strategy is flat.
 *
 * Working orders of the ticker are cancelled first (`cancel: true`, the default for exit and
 * cancel, and for an alert that closes or reverses the position); `cancel: false` keeps them.
 */
export function planAlert(current: number, alert: Alert, defaultQuantity: number): AlertPlan {
  const quantity = alert.quantity ?? defaultQuantity;
  const sign = Math.sign(current);
  let target: number | null;
  let note: string | undefined;
  if (alert.positionSize !== undefined) target = alert.positionSize;
  else {
    switch (alert.action) {
      case 'exit':
        target = alert.quantity === undefined ? 0 : current - sign * Math.min(alert.quantity, Math.abs(current));
        break;
      case 'cancel':
        target = null;
        break;
      case 'buy':
        target = alert.reverse ? (current > 0 ? current + quantity : quantity) : current + quantity;
        break;
      case 'sell':
        target = alert.reverse ? (current < 0 ? current - quantity : -quantity) : current - quantity;
        break;
      case 'add':
        target = current === 0 ? null : current + sign * quantity;
        if (current === 0) note = 'add ignored: no open position';
        break;
      case undefined:
        target = null;
        if (alert.sentiment !== 'flat') note = `sentiment ${alert.sentiment} without an action or positionSize: nothing to trade`;
        break;
    }
    if (alert.sentiment === 'flat' && alert.action !== 'cancel') target = 0;
    else if (target !== null) target = clamp(target, alert.sentiment);
  }
  if (target !== null) target = Math.round(target * 1e8) / 1e8 + 0;
  const closesOrReverses = target !== null && current !== 0 && (target === 0 || Math.sign(target) !== sign);
  const cancelWorking =
    alert.action === 'cancel' || (alert.cancel ?? (alert.action === 'exit' || alert.sentiment === 'flat' || closesOrReverses));
  return {
    target,
    cancelWorking,
    ...(alert.cancelOrderType ? { cancelOrderType: alert.cancelOrderType } : {}),
    ...(note ? { note } : {}),
  };
}

/** `long` / `short` keep the result on their side of zero. */
function clamp(target: number, sentiment: AlertSentiment | undefined): number {
  if (sentiment === 'long') return Math.max(target, 0);
  if (sentiment === 'short') return Math.min(target, 0);
  return target;
}
