import {
  MAX_QUANTITY,
  PASS_THROUGH,
  type BacktestInput,
  type BacktestReport,
  type MarketFill,
  type ScriptParams,
} from '@tradeloop/contracts';
import { checkExits, checkRiskLimits } from '../execution-controls.js';
import { InstrumentCatalog } from '../instruments.js';
import { isValidTimeZone, TradingCalendar } from '../trading-day.js';
import { checkZone, HistoryError, parseInstant } from './csv.js';
import { BacktestRun, type BacktestScript } from './engine.js';
import { parseAlerts, parseBars, parseTicks, parseTradingViewTrades, type Bar, type Tick, type TimedAlert } from './history.js';
import { barInterval, barQuotes, tickQuote, type ReplayQuote } from './replay.js';
import { calendars, fillViews, series, summary, tradeViews } from './report.js';

export interface BacktestDeps {
  id: string;
  /** Loads a script by name with the run's params; absent: scripts cannot run (pass-through only). */
  loadScript?: (name: string, params: ScriptParams) => Promise<BacktestScript>;
  catalog?: InstrumentCatalog;
  /** Wall clock for the speed figures only; never for the simulated clock. */
  clock?: () => number;
  progress?: (done: number, total: number) => Promise<void> | void;
  /** Called once the history is read and checked and the strategy loaded, just before the first event. */
  started?: (total: number) => void;
}

/** The history a run replays, read and checked. */
export interface History {
  bars: Bar[];
  ticks: Tick[];
  alerts: TimedAlert[];
}

const MARKET_FILLS: MarketFill[] = ['quote', 'next'];

function instant(field: string, value: number | string | undefined, timeZone: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const t = typeof value === 'number' ? value : parseInstant(String(value).slice(0, 40), undefined, timeZone);
  if (t === null || !Number.isFinite(t))
    throw new HistoryError(`${field} must be epoch milliseconds or an ISO time, got ${JSON.stringify(value).slice(0, 40)}`);
  return t;
}

const bounded = (field: string, value: unknown, max: number, fallback: number): number => {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new HistoryError(`${field} must be a number from 0 to ${max}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value;
};

/** Reads the input's history files; errors name the file and the line. */
export function readHistory(input: BacktestInput, ticker: string, timeZone: string): History {
  if (input.bars && input.ticks) throw new HistoryError('give bars or ticks, not both');
  const alerts: TimedAlert[] = [];
  if (input.trades) alerts.push(...parseTradingViewTrades(input.trades, ticker, timeZone));
  if (input.alerts) alerts.push(...parseAlerts(input.alerts));
  alerts.sort((a, b) => a.time - b.time);
  return { bars: input.bars ? parseBars(input.bars, timeZone) : [], ticks: input.ticks ? parseTicks(input.ticks, timeZone) : [], alerts };
}

function* quotesOf(
  history: History,
  tickSize: number,
  spreadTicks: number,
  from: number | null,
  to: number | null,
): Generator<ReplayQuote> {
  const inRange = (t: number) => (from === null || t >= from) && (to === null || t < to);
  if (history.bars.length) {
    const interval = barInterval(history.bars);
    const out: ReplayQuote[] = [];
    for (const bar of history.bars) {
      if (!inRange(bar.time)) continue;
      out.length = 0;
      barQuotes(bar, interval, tickSize, spreadTicks, out);
      yield* out;
    }
  }
  // The market when the range starts: the last quote before it (what a live order would have met).
  let before: Tick | undefined;
  for (const tick of history.ticks) {
    if (from !== null && tick.time < from) before = tick;
    else if (inRange(tick.time)) {
      if (before) yield tickQuote(before);
      before = undefined;
      yield tickQuote(tick);
    }
  }
  if (before) yield tickQuote(before);
}

/**
 * Runs one backtest from its input: history read, strategy loaded, every event replayed on the
 * simulated clock, the report built in the live P&L shapes. Deterministic: the same input gives
 * the same report (the speed figures aside).
 */
export async function runBacktest(input: BacktestInput, deps: BacktestDeps): Promise<BacktestReport> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  if (input.timeZone !== undefined && typeof input.timeZone !== 'string') throw new HistoryError('timeZone must be an IANA zone name');
  const timeZone = checkZone(input.timeZone ?? 'UTC');
  const dayStart = input.dayStart ?? '00:00';
  if (typeof dayStart !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(dayStart)) {
    throw new HistoryError(`dayStart must be a time HH:MM (24-hour), got ${JSON.stringify(dayStart)?.slice(0, 40)}`);
  }
  const catalog = deps.catalog ?? new InstrumentCatalog();
  let resolved;
  try {
    resolved = catalog.resolve(String(input.ticker ?? ''));
  } catch (error) {
    throw new HistoryError(`ticker: ${(error as Error).message}`);
  }
  const { ticker, instrument } = resolved;
  const risk = checkRiskLimits(input.risk ?? null, isValidTimeZone);
  if (!risk.ok) throw new HistoryError(`risk: ${risk.error}`);
  const exits = checkExits(input.exits ?? null);
  if (!exits.ok) throw new HistoryError(`exits: ${exits.error}`);
  const marketFill = input.marketFill ?? 'quote';
  if (!MARKET_FILLS.includes(marketFill)) throw new HistoryError(`marketFill must be quote or next, got ${JSON.stringify(marketFill)}`);
  const from = instant('from', input.from, timeZone);
  const to = instant('to', input.to, timeZone);
  if (from !== null && to !== null && to <= from) throw new HistoryError('to must be after from');

  const history = readHistory(input, ticker, timeZone);
  const alerts = history.alerts.filter((a) => (from === null || a.time >= from) && (to === null || a.time < to));
  const strategy = String(input.strategy ?? PASS_THROUGH).slice(0, 100);
  const params = strategy === PASS_THROUGH ? {} : (input.params ?? {});
  let script: BacktestScript | undefined;
  if (strategy !== PASS_THROUGH) {
    if (!deps.loadScript) throw new HistoryError(`strategy ${strategy}: scripts need the sandbox, which this runner has none of`);
    script = await deps.loadScript(strategy, params);
  }
  const calendar = TradingCalendar.of(timeZone, dayStart);
  const run = new BacktestRun({
    id: deps.id,
    ticker,
    instrument,
    canonical: (t) => {
      try {
        return catalog.canonical(t);
      } catch {
        return null;
      }
    },
    calendar,
    quantity: bounded('quantity', input.quantity, MAX_QUANTITY, 1) || 1,
    exits: exits.value,
    risk: risk.value,
    commissionPerContract: bounded('commissionPerContract', input.commissionPerContract, 10_000, 0),
    marketFill,
    maxQuoteAgeMs: 300_000,
    script,
  });
  const spreadTicks = bounded('spreadTicks', input.spreadTicks, 1000, 0);
  const bars = history.bars.filter((b) => (from === null || b.time >= from) && (to === null || b.time < to)).length;
  const total = bars * 4 + history.ticks.length + alerts.length;
  deps.started?.(total);
  const out = await run.run(quotesOf(history, instrument.tickSize, spreadTicks, from, to), alerts, (done) =>
    deps.progress?.(Math.min(done, total), total),
  );

  const { ledger } = out.executor;
  const open = ledger.openCents(out.lastQuote);
  const elapsedMs = Math.max(0, clock() - started);
  const perSecond = (n: number) => (elapsedMs > 0 ? Math.round((n * 1000) / elapsedMs) : n);
  return {
    id: deps.id,
    label: String(input.label ?? strategy).slice(0, 100),
    strategy,
    ticker,
    params: script?.params ?? params,
    from,
    to,
    stats: {
      bars,
      quotes: out.quotes,
      alerts: out.alerts,
      scriptCalls: out.scriptCalls,
      elapsedMs,
      barsPerSecond: perSecond(bars),
      quotesPerSecond: perSecond(out.quotes),
    },
    trades: tradeViews(ledger.trades, deps.id, ticker),
    fills: fillViews(ledger.fills, deps.id, ticker),
    summary: summary({
      runId: deps.id,
      trades: ledger.trades,
      equity: out.equity,
      maxDrawdownCents: out.maxDrawdownCents,
      realizedCents: ledger.realizedCents,
      openCents: open,
      position: ledger.position,
      ticker,
      todayCents: out.executor.todayCents(),
      calendar,
      dayStart,
    }),
    calendar: calendars(ledger.trades, calendar, deps.id, dayStart),
    series: series(out.equity, deps.id),
    notes: out.notes,
  };
}
