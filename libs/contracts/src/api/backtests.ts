import type { RiskLimits, StrategyExits } from '../controls.js';
import type { ScriptParams } from '../strategy-api.js';
import type { FillView, TradeView } from './ledger.js';
import type { PnlCalendar, PnlSeries, PnlSummary } from './pnl.js';

/**
 * Backtests: a strategy replayed over history (bars, quotes, alerts) on a simulated clock, with
 * its own in-memory ledger. Reports use the live P&L shapes.
 */

/** The pass-through strategy's name: alerts traded by the webhook semantics, no script. */
export const PASS_THROUGH = 'pass-through';

/**
 * What a market order fills at: `quote` — the quote current when it is placed, as the paper
 * broker does live (a script's order on a bar's close fills at the close); `next` — the next quote
 * after it (no look-ahead: an order decided on a bar's close fills at the next bar's open).
 */
export type MarketFill = 'quote' | 'next';

/** `POST /api/backtests`: history as CSV text, a strategy, a range and the controls to apply. */
export interface BacktestInput {
  /** `pass-through`, or the name of a script in the strategies folder (`breakout`). */
  strategy: string;
  /** The ticker traded (any TradingView spelling); history files carry no ticker of their own. */
  ticker: string;
  /** OHLCV bars: TradingView's chart export (`time,open,high,low,close,Volume`) or `Date,Time,Open,High,Low,Close,Volume`. */
  bars?: string;
  /** Quotes: `time,bid,ask[,last,size]`. */
  ticks?: string;
  /** Alerts: TradingView's strategy tester "List of trades" export. */
  trades?: string;
  /** Alerts: a JSON array of `{ time, alert }` (time in epoch ms or ISO), oldest first. */
  alerts?: string;
  /** Epoch ms or an ISO time; inclusive. */
  from?: number | string;
  /** Epoch ms or an ISO time; exclusive. */
  to?: number | string;
  /** Script inputs over the script's declared defaults. */
  params?: ScriptParams;
  /** The pass-through strategy's quantity when an alert has none (default 1). */
  quantity?: number;
  exits?: StrategyExits;
  risk?: RiskLimits;
  /** Dollars per contract per fill (default 0). */
  commissionPerContract?: number;
  /** Bars become quotes with this spread: bid at the price, ask this many ticks above (default 0). */
  spreadTicks?: number;
  marketFill?: MarketFill;
  /** Zone of times written without one, and of the trading day (default UTC). */
  timeZone?: string;
  /** Local time the trading day starts (default `00:00`). */
  dayStart?: string;
  /** A name for the run, shown when runs are compared. */
  label?: string;
}

/**
 * `POST /api/backtests`: an input whose history may also come from the server's history folder
 * (`files`, names as `GET /api/backtests/data` lists them), or from a recorded live session
 * (`recording`: the strategy's alerts as its webhook events keep them and the recorded quotes of
 * the ticker, with the strategy's quantity, exits and risk limits).
 */
export interface BacktestRequest extends BacktestInput {
  files?: { bars?: string; ticks?: string; trades?: string; alerts?: string };
  recording?: { strategyId: string };
}

/** `GET /api/backtests/data`: a history file on the server (recorded quotes, files copied in). */
export interface HistoryFileView {
  /** Relative to the history folder: `quotes/NQ1_/2026-01-05.csv`. */
  name: string;
  bytes: number;
  modifiedAt: string;
}

export interface BacktestStats {
  bars: number;
  quotes: number;
  alerts: number;
  /** Handler calls into the script's sandbox. */
  scriptCalls: number;
  elapsedMs: number;
  barsPerSecond: number;
  quotesPerSecond: number;
}

/** Something the run refused or a script logged, at the simulated time it happened. */
export interface BacktestNote {
  time: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** The result of one run; dollars, epoch ms. */
export interface BacktestReport {
  id: string;
  label: string;
  strategy: string;
  ticker: string;
  params: ScriptParams;
  from: number | null;
  to: number | null;
  stats: BacktestStats;
  /** Closed round trips, oldest exit first (strategyId is the run's id, accountId `backtest`). */
  trades: TradeView[];
  fills: FillView[];
  summary: PnlSummary;
  /** One per month with trades, oldest first. */
  calendar: PnlCalendar[];
  series: PnlSeries;
  /** Refusals (risk rules, bad alerts) and script logs; the first 1,000. */
  notes: BacktestNote[];
}

export type BacktestState = 'running' | 'done' | 'failed';

/** `GET /api/backtests` (newest first) and `GET /api/backtests/:id`. */
export interface BacktestRunView {
  id: string;
  label: string;
  strategy: string;
  ticker: string;
  state: BacktestState;
  /** Events replayed so far, of `total`. */
  done: number;
  total: number;
  startedAt: number;
  error: string | null;
  /** Net P&L (dollars) and trades once done. */
  pnl: number | null;
  trades: number | null;
}

/** `GET /api/backtests/compare?ids=a,b`: runs side by side. */
export interface BacktestComparison {
  runs: {
    id: string;
    label: string;
    params: ScriptParams;
    pnl: number;
    trades: number;
    winRate: number | null;
    profitFactor: number | null;
    maxDrawdown: number;
  }[];
}
