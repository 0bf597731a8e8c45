import { AlertError, decimal, flag, isAbsent, own, shown, text } from './alert-values.js';

/** An alert in another bridge's words, rewritten in the TradersPost vocabulary Tradeloop reads. */
export interface Translated {
  body: Record<string, unknown>;
  /** What was dropped or mapped, for the answer and the log. */
  notes: string[];
}

/** PickMyTrade's alerts: `symbol` and `data` (buy, sell, close) where TradersPost says `ticker` and `action`. */
export function isPickMyTrade(body: Record<string, unknown>): boolean {
  return (
    own(body, 'data') !== undefined &&
    own(body, 'symbol') !== undefined &&
    own(body, 'action') === undefined &&
    own(body, 'ticker') === undefined
  );
}

/** Fields whose meaning rests on settings kept at PickMyTrade: refused unless zero, each with what to send instead. */
const SETTINGS_BOUND = new Map<string, string>([
  ['dollar_tp', 'send "takeProfit":{"amount":<points>}'],
  ['dollar_sl', 'send "stopLoss":{"amount":<points>}'],
  ['risk_percentage', 'send "quantityType":"risk_percent" with a stopLoss'],
  ['trail', 'send "stopLoss":{"type":"trailing_stop","trailAmount":…}'],
  ['trail_stop', 'send "stopLoss":{"type":"trailing_stop","trailAmount":…}'],
  ['trail_trigger', "set the strategy's exits (breakEvenTicks, trailingTicks)"],
  ['trail_freq', "set the strategy's exits (trailingTicks)"],
  ['tp1', 'partial exits: send an exit alert with a quantity at each target'],
  ['tp2', 'partial exits: send an exit alert with a quantity at each target'],
]);

/** Fields Tradeloop leaves to its own settings, with where that setting is. */
const IGNORED = new Map<string, string>([
  ['token', 'the webhook URL is the secret'],
  ['multiple_accounts', "copy to other accounts with the strategy's links"],
  ['platform', "the strategy's account decides the broker"],
  ['connection_name', "the strategy's account decides the broker"],
  ['account_id', "the strategy's account decides the broker"],
]);

const nonZero = (raw: unknown) => !isAbsent(raw) && raw !== false && raw !== 'false' && decimalOrText(raw) !== 0;
function decimalOrText(raw: unknown): number | string {
  try {
    return decimal('value', raw) ?? 0;
  } catch {
    return String(raw);
  }
}

/**
 * PickMyTrade's alert, where it maps cleanly. `data` buy/sell opens a position of `quantity` on
 * its side, closing the other side first (`reverse_order_close`); with `duplicate_position_allow`
 * a signal on the side already held adds to it, without it the position is set to `quantity`.
 * `close` closes and cancels working orders. `tp` / `sl` are prices, `percentage_tp` /
 * `percentage_sl` percents of the entry. Refused, naming the field: exits and sizing that depend on
 * PickMyTrade's own settings (`dollar_*`, `trail*`, `risk_percentage`), updates of open exits, and
 * `reverse_order_close: false` (holding both sides at once, which a netted account cannot).
 */
/** The alert fields a PickMyTrade alert is translated into. */
type AlertField =
  | 'ticker'
  | 'price'
  | 'time'
  | 'id'
  | 'comment'
  | 'action'
  | 'quantity'
  | 'reverse'
  | 'positionSize'
  | 'orderType'
  | 'limitPrice'
  | 'takeProfit'
  | 'stopLoss';

export function fromPickMyTrade(body: Record<string, unknown>): Translated {
  const notes: string[] = [];
  for (const [field, instead] of SETTINGS_BOUND) {
    if (nonZero(own(body, field))) {
      throw new AlertError(`${field} (PickMyTrade) depends on PickMyTrade's own settings and is not supported: ${instead}`);
    }
  }
  for (const field of ['update_tp', 'update_sl']) {
    if (flag(field, own(body, field))) throw new AlertError(`${field} (PickMyTrade): changing open exits by alert is not supported`);
  }
  for (const [field, where] of IGNORED) if (own(body, field) !== undefined) notes.push(`${field} ignored (${where})`);

  const data = text('data', own(body, 'data'))?.toLowerCase();
  const quantity = decimal('quantity', own(body, 'quantity'));
  const orderType = text('order_type', own(body, 'order_type'))?.toUpperCase();
  const out: Partial<Record<AlertField, unknown>> = { ticker: own(body, 'symbol'), price: own(body, 'price'), time: own(body, 'date') };
  if (own(body, 'id') !== undefined) out.id = own(body, 'id');
  if (own(body, 'comment') !== undefined) out.comment = own(body, 'comment');

  switch (data) {
    case 'close':
      out.action = 'exit';
      break;
    case 'buy':
    case 'sell': {
      if (flag('reverse_order_close', own(body, 'reverse_order_close')) === false) {
        throw new AlertError(
          'reverse_order_close: false (PickMyTrade) keeps both sides open at once, which a netted account cannot: send true, or use TradersPost-style alerts',
        );
      }
      if (quantity === undefined || quantity <= 0)
        throw new AlertError(`quantity (PickMyTrade) must be greater than 0, got ${shown(own(body, 'quantity'))}`);
      const pyramid = flag('duplicate_position_allow', own(body, 'duplicate_position_allow')) ?? false;
      if (pyramid) Object.assign(out, { action: data, quantity, reverse: true });
      else out.positionSize = data === 'buy' ? quantity : -quantity;
      break;
    }
    default:
      throw new AlertError(`data (PickMyTrade) must be buy, sell or close; got ${shown(own(body, 'data'))}`);
  }
  if (orderType !== undefined && orderType !== 'MKT' && orderType !== 'MARKET') {
    if (orderType !== 'LMT' && orderType !== 'LIMIT')
      throw new AlertError(`order_type (PickMyTrade) must be MKT or LMT, got ${shown(orderType)}`);
    Object.assign(out, { orderType: 'limit', limitPrice: own(body, 'price') });
  }
  if (nonZero(own(body, 'tp'))) out.takeProfit = { price: own(body, 'tp') };
  else if (nonZero(own(body, 'percentage_tp'))) out.takeProfit = { percent: own(body, 'percentage_tp') };
  if (nonZero(own(body, 'sl'))) out.stopLoss = { stopPrice: own(body, 'sl') };
  else if (nonZero(own(body, 'percentage_sl'))) out.stopLoss = { percent: own(body, 'percentage_sl') };
  notes.unshift('read as a PickMyTrade alert');
  return { body: out, notes };
}
