/** What /api/pnl answers; dollars. */
export interface CalendarDay {
  date: string;
  pnl: number;
  trades: number;
}

export interface PnlCalendar {
  month: string;
  timeZone: string;
  dayStart: string;
  days: CalendarDay[];
  total: number;
  trades: number;
}

export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  pnl: number;
  drawdown: number;
}

export interface PnlSeries {
  resolution: '1s' | '1m' | '1h' | '1d';
  from: number;
  to: number;
  points: SeriesPoint[];
}

export interface PnlSummary {
  timeZone: string;
  dayStart: string;
  tradingDay: string;
  totalPnl: number | null;
  todayPnl: number | null;
  realizedPnl: number;
  openPnl: number | null;
  activePositions: number;
  tradeCount: number;
  winRate: number | null;
  profitFactor: number | null;
  maxDrawdown: number;
  bestDay: { date: string; pnl: number } | null;
  worstDay: { date: string; pnl: number } | null;
}
