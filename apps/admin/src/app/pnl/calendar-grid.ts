import { tone } from '../shared/format';
import type { CalendarDay } from '@tradeloop/contracts';

export interface CalendarCell {
  /** `YYYY-MM-DD`, or null for the blanks before the 1st and after the last day. */
  date: string | null;
  day: number | null;
  pnl: number | null;
  trades: number;
  tone: 'good' | 'bad' | 'flat';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11` moved by whole months: `shiftMonth('2026-12', 1)` is `2027-01`. */
export function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/**
 * A month as weeks of seven cells, Sunday first, the way a trader's calendar reads. Days with
 * trades carry their P&L and count; days without show no number (not $0.00).
 */
export function calendarGrid(month: string, days: readonly CalendarDay[]): CalendarCell[][] {
  const [year, m] = month.split('-').map(Number);
  const first = new Date(Date.UTC(year, m - 1, 1)).getUTCDay();
  const length = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const byDate = new Map(days.map((d) => [d.date, d]));
  const blank = (): CalendarCell => ({ date: null, day: null, pnl: null, trades: 0, tone: 'flat' });
  const cells: CalendarCell[] = Array.from({ length: first }, blank);
  for (let day = 1; day <= length; day++) {
    const date = `${month}-${pad(day)}`;
    const entry = byDate.get(date);
    cells.push({ date, day, pnl: entry?.pnl ?? null, trades: entry?.trades ?? 0, tone: tone(entry?.pnl) });
  }
  while (cells.length % 7) cells.push(blank());
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
}
