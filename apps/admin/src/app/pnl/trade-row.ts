import type { TradeData } from '@tradeloop/contracts';
import type { Trade } from '../core/api.service';

/** A closed round trip as the tables show it, from the REST listing or a live `TRADE` message alike. */
export interface TradeRow {
  id: string;
  accountId: string;
  strategyId: string | null;
  ticker: string;
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  /** Epoch milliseconds. */
  entryTime: number;
  exitTime: number;
  /** Net of commissions, dollars. */
  pnl: number;
}

export function tradeRow(t: Trade | TradeData): TradeRow {
  return {
    id: t.id,
    accountId: t.accountId,
    strategyId: t.strategyId,
    ticker: t.ticker,
    direction: t.direction,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    entryTime: typeof t.entryTime === 'number' ? t.entryTime : Date.parse(t.entryTime),
    exitTime: typeof t.exitTime === 'number' ? t.exitTime : Date.parse(t.exitTime),
    pnl: t.pnl,
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
