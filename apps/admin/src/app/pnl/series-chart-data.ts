import { formatMoney, formatTime } from '../shared/format';
import type { SeriesPoint } from '@tradeloop/contracts';

export type Range = '1D' | '1W' | '1M' | '3M' | '1Y' | 'All';
export const RANGES: readonly Range[] = ['1D', '1W', '1M', '3M', '1Y', 'All'];

const DAY = 86_400_000;
const SPAN: Record<Exclude<Range, 'All'>, number> = { '1D': DAY, '1W': 7 * DAY, '1M': 30 * DAY, '3M': 91 * DAY, '1Y': 365 * DAY };

/** The `from`/`to` of a range ending now; `All` starts at the epoch (the server trims to what it has). */
export function rangeWindow(range: Range, now: number): { from: number; to: number } {
  return { from: range === 'All' ? 0 : now - SPAN[range], to: now };
}

export interface ChartSeries {
  labels: string[];
  pnl: number[];
  drawdown: number[];
}

/**
 * The chart's data: cumulative P&L as a line and its drawdown (≤ 0) as an area, labelled in the
 * trading time zone — dates for daily points, times otherwise.
 */
export function chartSeries(points: readonly SeriesPoint[], timeZone: string, resolution: string): ChartSeries {
  const label = (t: number) => {
    const text = formatTime(t, timeZone);
    if (resolution === '1d') return text.slice(0, 10);
    if (resolution === '1s') return text.slice(11);
    return text.slice(5, 16);
  };
  return {
    labels: points.map((p) => label(p.t)),
    pnl: points.map((p) => p.pnl),
    drawdown: points.map((p) => Math.min(0, p.drawdown)),
  };
}

/**
 * The chart in words, for screen readers (a canvas says nothing): how many points, where P&L ends
 * and the deepest drawdown shown.
 */
export function chartSummary(points: readonly SeriesPoint[]): string {
  if (!points.length) return 'P&L chart: nothing recorded in this range';
  const last = points[points.length - 1];
  const deepest = Math.min(0, ...points.map((p) => p.drawdown));
  const count = points.length === 1 ? '1 point' : `${points.length} points`;
  return `P&L chart, ${count}: ends at ${formatMoney(last.pnl)}, deepest drawdown ${formatMoney(deepest, { sign: false })}`;
}
