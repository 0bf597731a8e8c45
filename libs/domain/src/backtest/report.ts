import type {
  BacktestComparison,
  BacktestReport,
  CalendarDay,
  FillView,
  PnlCalendar,
  PnlSeries,
  PnlSummary,
  SeriesPoint,
  SeriesResolution,
  TradeView,
} from '@tradeloop/contracts';
import { toDollars } from '../money.js';
import { DAY_MS, type TradingCalendar } from '../trading-day.js';
import type { ClosedTrade } from '../pnl.js';
import type { EquitySample } from './engine.js';
import type { BookedFill } from './ledger.js';

/** The account every backtest trades in: its own, never a live one. */
export const BACKTEST_ACCOUNT = 'backtest';

const iso = (t: number) => new Date(t).toISOString();
const rate = (value: number) => Math.round(value * 10_000) / 10_000;

export function tradeViews(trades: readonly ClosedTrade[], runId: string, ticker: string): TradeView[] {
  return trades.map((t, i) => ({
    id: `${runId}-trade-${i + 1}`,
    accountId: BACKTEST_ACCOUNT,
    strategyId: runId,
    ticker,
    direction: t.direction,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    entryTime: iso(t.entryTime),
    exitTime: iso(t.exitTime),
    grossPnl: toDollars(t.grossCents),
    commission: toDollars(t.commissionCents),
    pnl: toDollars(t.pnlCents),
    entryPriceSource: t.entryPriceSource,
    exitPriceSource: t.exitPriceSource,
  }));
}

export function fillViews(fills: readonly BookedFill[], runId: string, ticker: string): FillView[] {
  return fills.map((f) => ({
    id: `${runId}-${f.id}`,
    orderId: f.orderId,
    accountId: BACKTEST_ACCOUNT,
    strategyId: runId,
    ticker,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    priceSource: f.priceSource,
    commission: toDollars(f.commissionCents),
    realizedPnl: toDollars(f.realizedCents),
    time: iso(f.time),
  }));
}

/** Realized cents and trade counts per trading day of the exits, oldest first. */
export function dailyRealized(
  trades: readonly ClosedTrade[],
  calendar: TradingCalendar,
): { date: string; cents: number; trades: number }[] {
  const days = new Map<string, { cents: number; trades: number }>();
  for (const t of trades) {
    const date = calendar.dateOf(t.exitTime);
    const day = days.get(date) ?? { cents: 0, trades: 0 };
    day.cents += t.pnlCents;
    day.trades++;
    days.set(date, day);
  }
  return [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, d]) => ({ date, ...d }));
}

export function calendars(trades: readonly ClosedTrade[], calendar: TradingCalendar, runId: string, dayStart: string): PnlCalendar[] {
  const months = new Map<string, CalendarDay[]>();
  for (const day of dailyRealized(trades, calendar)) {
    const month = day.date.slice(0, 7);
    const list = months.get(month) ?? [];
    list.push({ date: day.date, pnl: toDollars(day.cents), trades: day.trades });
    months.set(month, list);
  }
  return [...months.entries()].map(([month, days]) => {
    const cents = days.reduce((sum, d) => sum + Math.round(d.pnl * 100), 0);
    return {
      month,
      scope: 'strategy',
      id: runId,
      timeZone: calendar.timeZone,
      dayStart,
      days,
      total: toDollars(cents),
      trades: days.reduce((s, d) => s + d.trades, 0),
    };
  });
}

const STEP: [SeriesResolution, number][] = [
  ['1m', 60_000],
  ['1h', 3_600_000],
  ['1d', DAY_MS],
];

/**
 * The P&L-vs-drawdown series: cumulative P&L (realized + open) at the last bar close of each
 * bucket, the finest of 1m / 1h / 1d that gives at most `maxPoints`; drawdown is that P&L minus
 * its running peak over every quote so far (which starts at 0). The summary's maxDrawdown is the
 * deepest over every quote, so an intrabar low counts even between points.
 */
export function series(equity: readonly EquitySample[], runId: string, maxPoints = 1000): PnlSeries {
  const from = equity.length ? equity[0].time : 0;
  const to = equity.length ? equity[equity.length - 1].time : 0;
  const [resolution, step] = STEP.find(([, ms]) => (to - from) / ms < maxPoints) ?? STEP[STEP.length - 1];
  const points: SeriesPoint[] = [];
  let bucket = -1;
  for (const sample of equity) {
    const b = Math.floor(sample.time / step) * step;
    const point = { t: b, pnl: toDollars(sample.cents), drawdown: toDollars(sample.cents - sample.peakCents) };
    if (b === bucket) points[points.length - 1] = point;
    else points.push(point);
    bucket = b;
  }
  return { scope: 'strategy', id: runId, resolution, from, to, points };
}

export interface SummaryInput {
  runId: string;
  trades: readonly ClosedTrade[];
  equity: readonly EquitySample[];
  /** The deepest drawdown over every quote. */
  maxDrawdownCents: number;
  realizedCents: number;
  openCents: number | null;
  position: number;
  ticker: string;
  /** Today's P&L on the run's last trading day, cents. */
  todayCents: number | null;
  calendar: TradingCalendar;
  dayStart: string;
}

/** The summary as `GET /api/pnl/summary` gives it, over the run; "today" is the run's last trading day. */
export function summary(input: SummaryInput): PnlSummary {
  const { trades, calendar } = input;
  const wins = trades.filter((t) => t.pnlCents > 0).length;
  const profit = trades.reduce((s, t) => s + Math.max(0, t.pnlCents), 0);
  const loss = trades.reduce((s, t) => s + Math.min(0, t.pnlCents), 0);
  const days = dailyRealized(trades, calendar);
  const best = days.reduce<(typeof days)[number] | null>((b, d) => (b === null || d.cents > b.cents ? d : b), null);
  const worst = days.reduce<(typeof days)[number] | null>((b, d) => (b === null || d.cents < b.cents ? d : b), null);
  const last = input.equity.length ? input.equity[input.equity.length - 1].time : 0;
  const open = input.openCents;
  return {
    scope: 'strategy',
    id: input.runId,
    timeZone: calendar.timeZone,
    dayStart: input.dayStart,
    tradingDay: calendar.dateOf(last),
    todayPnl: input.todayCents === null ? null : toDollars(input.todayCents),
    totalPnl: open === null ? null : toDollars(input.realizedCents + open),
    openPnl: open === null ? null : toDollars(open),
    realizedPnl: toDollars(input.realizedCents),
    activePositions: input.position === 0 ? 0 : 1,
    position: input.position === 0 ? {} : { [input.ticker]: input.position },
    tradeCount: trades.length,
    winRate: trades.length ? rate(wins / trades.length) : null,
    profitFactor: loss < 0 ? rate(profit / -loss) : null,
    maxDrawdown: toDollars(input.maxDrawdownCents),
    bestDay: best ? { date: best.date, pnl: toDollars(best.cents) } : null,
    worstDay: worst ? { date: worst.date, pnl: toDollars(worst.cents) } : null,
  };
}

/** Runs side by side, in the order given. */
export function compare(reports: readonly BacktestReport[]): BacktestComparison {
  return {
    runs: reports.map((r) => ({
      id: r.id,
      label: r.label,
      params: r.params,
      pnl: r.summary.totalPnl ?? r.summary.realizedPnl,
      trades: r.summary.tradeCount,
      winRate: r.summary.winRate,
      profitFactor: r.summary.profitFactor,
      maxDrawdown: r.summary.maxDrawdown,
    })),
  };
}
