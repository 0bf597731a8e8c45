import type { PnlData, PnlScopeQuery, PnlSeries, PnlSummary, SeriesPoint, TradeData } from '@tradeloop/contracts';
import { tradingDayStart, tradingDate, parseDayStart } from '@tradeloop/domain';
import type { TradingClock } from './trading-window';

/** What a P&L view shows: everything (the dashboard) or one strategy. */
export type PnlScopeRef = Pick<PnlScopeQuery, 'strategyId'>;

/** True when a `PNL` message is about the scope a view shows (`all` has id ''). */
export function pnlInScope(p: Pick<PnlData, 'scope' | 'id'>, scope: PnlScopeRef): boolean {
  return scope.strategyId ? p.scope === 'strategy' && p.id === scope.strategyId : p.scope === 'all';
}

/** True when a trade belongs to the scope (every strategy's trades count toward `all`; manual ones do not). */
export function tradeInScope(t: Pick<TradeData, 'strategyId'>, scope: PnlScopeRef): boolean {
  return scope.strategyId ? t.strategyId === scope.strategyId : t.strategyId !== null;
}

/**
 * The summary after a live `PNL` push: the money moves at once; trade statistics (count, win
 * rate, profit factor, best and worst day) wait for the reload a `TRADE` triggers. The deepest
 * drawdown only ever deepens.
 */
export function withLivePnl(summary: PnlSummary, p: PnlData): PnlSummary {
  return {
    ...summary,
    totalPnl: p.totalPnl,
    todayPnl: p.todayPnl,
    realizedPnl: p.realizedPnl,
    openPnl: p.openPnl,
    maxDrawdown: p.drawdown === null ? summary.maxDrawdown : Math.min(summary.maxDrawdown, p.drawdown),
  };
}

const STEP: Record<Exclude<PnlSeries['resolution'], '1d'>, number> = { '1s': 1000, '1m': 60_000, '1h': 3_600_000 };

/** The first instant of the point `time` falls in: UTC-aligned for 1s/1m/1h, the trading day for 1d. */
export function bucketStart(time: number, resolution: PnlSeries['resolution'], clock: TradingClock): number {
  if (resolution === '1d') {
    const day = { timeZone: clock.timeZone, dayStartMinutes: parseDayStart(clock.dayStart) };
    return tradingDayStart(tradingDate(time, day), day);
  }
  return Math.floor(time / STEP[resolution]) * STEP[resolution];
}

/** Live points kept on a chart at most (the series endpoint answers ~1,000 for `auto`). */
export const MAX_CHART_POINTS = 2000;

/**
 * The series with a live `PNL` push in it: the newest point is replaced while the push falls in
 * its bucket, a new point starts the next bucket, and the window slides forward with the clock
 * (a fixed range keeps its length; `All` only grows). Unknown totals and stale pushes change
 * nothing; the series never holds more than `max` points.
 */
export function withLivePoint(
  series: PnlSeries,
  p: Pick<PnlData, 'time' | 'totalPnl' | 'drawdown'>,
  clock: TradingClock,
  max = MAX_CHART_POINTS,
): PnlSeries {
  if (p.totalPnl === null || p.time < series.from) return series;
  const t = bucketStart(p.time, series.resolution, clock);
  const last: SeriesPoint | undefined = series.points[series.points.length - 1];
  if (last && t < last.t) return series;
  const point: SeriesPoint = { t, pnl: p.totalPnl, drawdown: Math.min(0, p.drawdown ?? last?.drawdown ?? 0) };
  let points = last && last.t === t ? [...series.points.slice(0, -1), point] : [...series.points, point];
  const to = Math.max(series.to, p.time);
  const from = series.from === 0 ? 0 : to - (series.to - series.from);
  if (from > series.from) {
    const firstKept = points.findIndex((x) => x.t >= from);
    // Keep the point the window opens inside: it carries the value in.
    if (firstKept > 0) points = points.slice(firstKept - 1);
  }
  if (points.length > max) points = points.slice(points.length - max);
  return { ...series, from, to, points };
}
