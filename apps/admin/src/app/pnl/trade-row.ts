import type { TradeData, TradeView } from '@tradeloop/contracts';

/**
 * A closed round trip as the tables show it, from the REST listing or a live `TRADE` message
 * alike: the message's shape (times in epoch milliseconds, P&L net of commissions in dollars).
 */
export type TradeRow = TradeData;

export function tradeRow(t: TradeView | TradeData): TradeRow {
  const { id, accountId, strategyId, ticker, direction, quantity, entryPrice, exitPrice, pnl, entryPriceSource, exitPriceSource } = t;
  const epoch = (time: string | number) => (typeof time === 'number' ? time : Date.parse(time));
  return {
    id,
    accountId,
    strategyId,
    ticker,
    direction,
    quantity,
    entryPrice,
    exitPrice,
    entryTime: epoch(t.entryTime),
    exitTime: epoch(t.exitTime),
    pnl,
    entryPriceSource,
    exitPriceSource,
  };
}

/** Newest exit first, as the API lists them (ties: by id, so the order is stable). */
const newestFirst = (a: TradeRow, b: TradeRow) => b.exitTime - a.exitTime || a.id.localeCompare(b.id);

/**
 * The history with a live trade in it: in its place by exit time, never twice (a reload may
 * already have brought it), at most `max` rows.
 */
export function withLiveTrade(rows: readonly TradeRow[], trade: TradeRow, max: number): TradeRow[] {
  if (rows.some((r) => r.id === trade.id)) return rows as TradeRow[];
  return [...rows, trade].sort(newestFirst).slice(0, max);
}
