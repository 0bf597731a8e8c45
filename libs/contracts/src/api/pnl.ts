import type { PnlScope } from '../realtime.js';

/**
 * P&L right now, as listings carry it (strategies, their links, accounts) and the summary starts
 * with; dollars. Open P&L — and so the total and today's — is null while a held ticker has no
 * quote: unknown, not zero.
 */
export interface LivePnl {
  todayPnl: number | null;
  totalPnl: number | null;
  openPnl: number | null;
  realizedPnl: number;
  activePositions: number;
  /** Net signed quantity per open ticker, e.g. `{"NQ1!": 2}`. */
  position: Record<string, number>;
}

/** What a P&L query is about: one strategy, one account, or (neither) every strategy together. */
export interface PnlScopeQuery {
  strategyId?: string;
  accountId?: string;
}

/** `GET /api/pnl/summary`: dollars; rates as fractions (0.55 is 55 %). */
export interface PnlSummary extends LivePnl {
  scope: PnlScope;
  /** The strategy's or account's id; null for every strategy together. */
  id: string | null;
  /** The trading zone and the local time a trading day starts (`pnl.timeZone`, `pnl.dayStart`). */
  timeZone: string;
  dayStart: string;
  /** The current trading day, `YYYY-MM-DD`. */
  tradingDay: string;
  /** With `tag=`: the trade figures (count, rates, best and worst day) cover only trades with this journal tag. */
  tag?: string;
  tradeCount: number;
  /** Null before the first closed trade. */
  winRate: number | null;
  /** Gross profit over gross loss; null before the first losing trade. */
  profitFactor: number | null;
  /** The deepest drawdown recorded (zero or negative). */
  maxDrawdown: number;
  bestDay: { date: string; pnl: number } | null;
  worstDay: { date: string; pnl: number } | null;
}

/** One trading day of the calendar: realized P&L of the trades closed that day. */
export interface CalendarDay {
  /** `YYYY-MM-DD`. */
  date: string;
  pnl: number;
  trades: number;
}

/** `GET /api/pnl/calendar`: a month's trading days with trades (days without any are left out). */
export interface PnlCalendar {
  /** `YYYY-MM`. */
  month: string;
  scope: PnlScope;
  id: string | null;
  timeZone: string;
  dayStart: string;
  days: CalendarDay[];
  total: number;
  trades: number;
}

export type SeriesResolution = '1s' | '1m' | '1h' | '1d';

export interface SeriesPoint {
  /** Epoch milliseconds: the second, or the bucket's first instant (a trading day's for `1d`). */
  t: number;
  /** Cumulative total P&L, dollars. */
  pnl: number;
  /** `pnl` minus its running maximum since recording began (which starts at 0): zero or negative. */
  drawdown: number;
}

/** `GET /api/pnl/series`: cumulative P&L and its drawdown over `[from, to]` (epoch milliseconds). */
export interface PnlSeries {
  scope: PnlScope;
  id: string | null;
  resolution: SeriesResolution;
  from: number;
  to: number;
  points: SeriesPoint[];
}
