import { entryReference, exitTarget, legPrices, onGrid, type ExitRole } from '@tradeloop/domain';
import type { ManualOrderInput } from '@tradeloop/contracts';

/** A ticker's latest quote as the trader shows it: prices, tick size and dollars per tick. */
export interface TraderQuote {
  ticker: string;
  bid: number;
  ask: number;
  step: number;
  tickValue: number;
  /** Epoch milliseconds when it arrived here. */
  time: number;
}

/** Ask minus bid in whole ticks; null when unknown. */
export function spreadTicks(quote: Pick<TraderQuote, 'bid' | 'ask' | 'step'> | null | undefined): number | null {
  if (!quote || !(quote.step > 0)) return null;
  return Math.round((quote.ask - quote.bid) / quote.step);
}

/**
 * Open P&L in dollars the way the server marks it: longs at the bid, shorts at the ask, each lot's
 * difference in whole ticks × tick value × quantity. The mark is put on the tick grid first; the
 * average of lots bought on the grid may fall between ticks, and (mark − average) × quantity is
 * then exactly the sum over the lots, so this agrees with the server to the cent. 0 when flat;
 * null while there is no quote or no average price (unknown, not zero).
 */
export function openPnl(
  quantity: number,
  avgPrice: number | null,
  quote: Pick<TraderQuote, 'bid' | 'ask' | 'step' | 'tickValue'> | null | undefined,
): number | null {
  if (quantity === 0) return 0;
  if (!quote || avgPrice === null || !(quote.step > 0)) return null;
  const mark = onGrid(quantity > 0 ? quote.bid : quote.ask, quote.step);
  const ticks = (mark - avgPrice) / quote.step;
  const cents = Math.round(ticks * Math.round(quote.tickValue * 100) * quantity);
  return cents / 100 + 0; // + 0: never −0
}

export interface BracketPreview {
  takeProfit: number | null;
  stopLoss: number | null;
  /** What the exits are measured from: the order's own price, or (a market order) its fill. */
  from: 'price' | 'fill';
}

/**
 * Where the server will put a bracket (the exit rule in `@tradeloop/domain`): a limit or stop
 * order's exits from its price; a market order's from its fill, shown here at today's price on
 * the side it trades (the ask for a buy, the bid for a sell).
 */
export function bracketPreview(
  side: 'buy' | 'sell',
  order: Pick<OrderForm, 'type' | 'price'>,
  quote: Pick<TraderQuote, 'bid' | 'ask' | 'step'>,
  takeProfitTicks: number | null,
  stopLossTicks: number | null,
): BracketPreview {
  const price = positive(order.price) ? order.price : null;
  const reference = entryReference({ type: order.type, limitPrice: price, stopPrice: price });
  const basis = { entrySide: side, tickSize: quote.step, reference };
  const target = (ticks: number | null, role: ExitRole) => (ticks ? exitTarget({ ticks }, role, basis) : null);
  const fill = reference ?? (side === 'buy' ? quote.ask : quote.bid);
  const legs = legPrices(side, fill, quote.step, {
    takeProfit: target(takeProfitTicks, 'takeProfit'),
    stopLoss: target(stopLossTicks, 'stopLoss'),
  });
  return { ...legs, from: reference === null ? 'fill' : 'price' };
}

/** The trader's form as typed: number inputs give a number, or null when empty. */
export interface OrderForm {
  accountId: string;
  ticker: string;
  quantity: number | null;
  type: 'market' | 'limit' | 'stop';
  price: number | null;
  takeProfitTicks: number | null;
  stopLossTicks: number | null;
}

const positive = (value: number | null): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;
const wholeTicks = (value: number | null) => value === null || (Number.isInteger(value) && value > 0);

/**
 * The order to send for a click on Buy or Sell, or what is missing in words. Only what the page
 * can know is checked here (the server checks the rest and says so).
 */
export function orderRequest(form: OrderForm, side: 'buy' | 'sell'): { order: ManualOrderInput } | { problem: string } {
  const ticker = form.ticker.trim();
  if (!form.accountId) return { problem: 'Choose an account.' };
  if (!ticker) return { problem: 'Enter a ticker, e.g. NQ1!.' };
  if (!positive(form.quantity)) return { problem: 'Quantity must be a number greater than 0.' };
  if (form.type !== 'market' && !positive(form.price)) {
    return { problem: `A ${form.type} order needs a ${form.type === 'limit' ? 'limit' : 'stop'} price greater than 0.` };
  }
  if (!wholeTicks(form.takeProfitTicks)) return { problem: 'Take profit must be a whole number of ticks greater than 0 (or empty).' };
  if (!wholeTicks(form.stopLossTicks)) return { problem: 'Stop loss must be a whole number of ticks greater than 0 (or empty).' };
  return {
    order: {
      accountId: form.accountId,
      ticker,
      side,
      quantity: form.quantity,
      type: form.type,
      ...(form.type === 'limit' ? { limitPrice: form.price! } : {}),
      ...(form.type === 'stop' ? { stopPrice: form.price! } : {}),
      ...(form.takeProfitTicks ? { takeProfit: { ticks: form.takeProfitTicks } } : {}),
      ...(form.stopLossTicks ? { stopLoss: { ticks: form.stopLossTicks } } : {}),
    },
  };
}

/** A signed position for a tight space: `+2`, `−1`, `flat`. */
export function positionText(quantity: number): string {
  if (quantity === 0) return 'flat';
  return quantity > 0 ? `+${quantity}` : `−${Math.abs(quantity)}`;
}

/**
 * What to tell when a listed working order is refused after it was acknowledged (a broker's risk
 * check): its words, or null when nothing is to be said.
 */
export function lateRefusal(
  wasListed: boolean,
  order: { status: string; side: string; quantity: number; ticker: string; reason: string | null },
): string | null {
  if (!wasListed || order.status !== 'rejected') return null;
  return `${order.side} ${order.quantity} ${order.ticker} was refused after it was sent: ${order.reason ?? 'no reason given'}`;
}
