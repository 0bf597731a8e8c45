import type {
  BacktestNote,
  Instrument,
  MarketFill,
  OrderOptions,
  RiskLimits,
  ScriptFill,
  ScriptParams,
  ScriptPosition,
  ScriptQuote,
  StrategyExits,
} from '@tradeloop/contracts';
import { toDollars } from '../money.js';
import type { TradingCalendar } from '../trading-day.js';
import type { BookedFill } from './ledger.js';
import { BacktestExecutor } from './executor.js';
import type { TimedAlert } from './history.js';
import { alertOrders } from './pass-through.js';
import type { ReplayQuote } from './replay.js';

/** What a script handler sees as `ctx`, the same snapshot the live engine copies into the sandbox. */
export interface ScriptSnapshot {
  strategyId: string;
  params: ScriptParams;
  state: unknown;
  positions: Record<string, ScriptPosition>;
  quotes: Record<string, ScriptQuote>;
  pnl: { realized: number; open: number | null; total: number | null };
  now: number;
  aliases: Record<string, string>;
}

/** A script's order intent after the host side validated it (the live engine's ScriptAction). */
export type BacktestAction =
  | { kind: 'order'; side: 'buy' | 'sell'; ticker: string; quantity: number; options: OrderOptions }
  | { kind: 'flatten'; ticker: string | null }
  | { kind: 'cancelAll'; ticker: string | null };

export interface ScriptCallResult {
  actions: BacktestAction[];
  /** Actions the host side refused, with why. */
  refused: string[];
  logs: { level: BacktestNote['level']; message: string }[];
  /** `ctx.state` after the call. */
  state: unknown;
}

/** A strategy script loaded in the sandbox, as the backtest calls it. */
export interface BacktestScript {
  handlers: ReadonlySet<'onWebhook' | 'onTick' | 'onFill' | 'onTimer'>;
  /** Spellings the script declared → canonical tickers. */
  aliases: Record<string, string>;
  everyMs: number | null;
  params: ScriptParams;
  initialState: unknown;
  call(handler: 'onWebhook' | 'onTick' | 'onFill' | 'onTimer', arg: unknown, ctx: ScriptSnapshot): Promise<ScriptCallResult>;
}

export interface BacktestConfig {
  id: string;
  /** Canonical ticker and its instrument. */
  ticker: string;
  instrument: Instrument;
  /** Resolves any spelling of a ticker to its canonical form, or null. */
  canonical: (ticker: string) => string | null;
  calendar: TradingCalendar;
  quantity: number;
  exits: StrategyExits | null;
  risk: RiskLimits | null;
  commissionPerContract: number;
  marketFill: MarketFill;
  maxQuoteAgeMs: number;
  /** Absent: the pass-through strategy. */
  script?: BacktestScript;
}

/** The most notes one run keeps. */
export const MAX_NOTES = 1000;

/** P&L at a bar's close (or a tick): realized + open, and its running peak over every quote so far, cents. */
export interface EquitySample {
  time: number;
  cents: number;
  peakCents: number;
}

export interface RunOutput {
  executor: BacktestExecutor;
  notes: BacktestNote[];
  /** P&L at the last quote of each bar (each quote of a tick file). */
  equity: EquitySample[];
  /** Over every quote, intrabar ones too. */
  maxDrawdownCents: number;
  quotes: number;
  alerts: number;
  scriptCalls: number;
  lastQuote: ReplayQuote | undefined;
}

/**
 * One backtest: quotes and alerts in time order on a simulated clock. An alert at time T is
 * handled after every quote up to T (the market it met live); each quote first fills what it
 * reaches, then reaches the script's onTick. A script's fills reach its onFill right after they
 * are booked, before the next event.
 */
export class BacktestRun {
  readonly executor: BacktestExecutor;
  readonly notes: BacktestNote[] = [];
  readonly equity: EquitySample[] = [];
  private readonly fills: BookedFill[] = [];
  private state: unknown;
  private nextTimer: number | null = null;
  private delayed: TimedAlert[] = [];
  /** The running peak of P&L and the deepest drawdown from it over every quote, cents. */
  private peak = 0;
  maxDrawdownCents = 0;
  quotes = 0;
  alerts = 0;
  scriptCalls = 0;

  constructor(private readonly config: BacktestConfig) {
    this.executor = new BacktestExecutor({
      instrument: config.instrument,
      commissionPerContract: config.commissionPerContract,
      marketFill: config.marketFill,
      risk: config.risk,
      calendar: config.calendar,
      maxQuoteAgeMs: config.maxQuoteAgeMs,
      note: (level, message) => this.note(level, message),
      onFill: (fill) => this.fills.push(fill),
    });
    this.state = config.script?.initialState ?? {};
  }

  note(level: BacktestNote['level'], message: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push({ time: this.executor.now, level, message: message.slice(0, 2000) });
  }

  /** Runs every quote and alert; `progress` is called now and then with the events done so far. */
  async run(
    quotes: Iterable<ReplayQuote>,
    alerts: readonly TimedAlert[],
    progress?: (done: number) => Promise<void> | void,
  ): Promise<RunOutput> {
    let next = 0;
    let events = 0;
    const script = this.config.script;
    const onTick = script?.handlers.has('onTick') ?? false;
    const timers = !!script?.everyMs && script.handlers.has('onTimer');
    // Progress now and then: often for a script (its calls are slow), rarely for the pass-through (a yield costs).
    const every = script ? 1024 : 16384;
    const { ledger } = this.executor;
    for (const quote of quotes) {
      // Awaited only when something is due: most quotes meet no alert.
      if ((next < alerts.length && alerts[next].time < quote.time) || this.delayed.length || timers) {
        await this.until(quote.time, alerts, next, (i) => (next = i));
      }
      this.executor.onQuote(quote);
      this.quotes++;
      if (this.fills.length) await this.drainFills();
      if (onTick) await this.call('onTick', this.scriptQuote(quote));
      const cents = ledger.realizedCents + (ledger.state.lots.length ? (ledger.openCents(quote) ?? 0) : 0);
      this.peak = Math.max(this.peak, cents);
      this.maxDrawdownCents = Math.min(this.maxDrawdownCents, cents - this.peak);
      if (quote.close) this.equity.push({ time: quote.time, cents, peakCents: this.peak });
      if (progress && ++events % every === 0) await progress(events + next);
    }
    await this.until(Infinity, alerts, next, (i) => (next = i));
    if (progress) await progress(this.quotes + next);
    return {
      executor: this.executor,
      notes: this.notes,
      equity: this.equity,
      maxDrawdownCents: this.maxDrawdownCents,
      quotes: this.quotes,
      alerts: this.alerts,
      scriptCalls: this.scriptCalls,
      lastQuote: this.executor.quote,
    };
  }

  /** Alerts, delayed alerts and timers due before `time` (alerts at `time` wait for its quote: they come after it). */
  private async until(time: number, alerts: readonly TimedAlert[], from: number, moved: (i: number) => void): Promise<void> {
    let i = from;
    for (;;) {
      const alert = i < alerts.length && alerts[i].time < time ? alerts[i] : undefined;
      const delayed = this.delayed.length && this.delayed[0].time < time ? this.delayed[0] : undefined;
      const timer = this.timerDue(time);
      const candidates = [alert?.time, delayed?.time, timer].filter((t): t is number => t !== undefined && t !== null);
      if (!candidates.length) break;
      const at = Math.min(...candidates);
      this.executor.now = Math.max(this.executor.now, at);
      if (delayed && delayed.time === at) {
        this.delayed.shift();
        await this.alert(delayed, true);
      } else if (alert && alert.time === at) {
        i++;
        moved(i);
        await this.alert(alert, false);
      } else {
        this.nextTimer = at + this.config.script!.everyMs!;
        await this.call('onTimer', at);
      }
    }
  }

  private timerDue(time: number): number | null {
    const every = this.config.script?.handlers.has('onTimer') ? this.config.script.everyMs : null;
    if (!every) return null;
    if (this.nextTimer === null) {
      const start = this.executor.quote?.time;
      if (start === undefined) return null;
      this.nextTimer = Math.ceil((start + 1) / every) * every;
    }
    return this.nextTimer < time ? this.nextTimer : null;
  }

  private async alert(timed: TimedAlert, released: boolean): Promise<void> {
    if (!released) this.alerts++;
    const handled = alertOrders(timed, {
      ticker: this.config.ticker,
      canonical: this.config.canonical,
      instrument: this.config.instrument,
      quantity: this.config.quantity,
      exits: this.config.exits,
      position: this.executor.position,
      quote: this.executor.quote,
      released,
      scripted: !!this.config.script,
    });
    if (handled.kind === 'error') return this.note('warn', `alert at ${timed.source}: ${handled.error}`);
    for (const line of handled.notes) this.note('info', `alert at ${timed.source}: ${line}`);
    if (handled.kind === 'delay') {
      const at = this.delayed.findIndex((d) => d.time > handled.alert.time);
      this.delayed.splice(at < 0 ? this.delayed.length : at, 0, handled.alert);
      return;
    }
    if (handled.kind === 'script') {
      if (this.config.script?.handlers.has('onWebhook')) await this.call('onWebhook', handled.alert);
      return;
    }
    if (handled.cancel) this.executor.cancel(handled.cancel);
    for (const order of handled.orders) this.executor.place(order, `alert at ${timed.source}`);
    await this.drainFills();
  }

  private async drainFills(): Promise<void> {
    while (this.fills.length) {
      const fill = this.fills.shift()!;
      if (!this.config.script?.handlers.has('onFill')) continue;
      const arg: ScriptFill = {
        orderId: fill.orderId,
        ticker: this.config.ticker,
        side: fill.side,
        quantity: fill.quantity,
        price: fill.price,
        commission: toDollars(fill.commissionCents),
        realizedPnl: toDollars(fill.realizedCents),
        position: fill.position,
        role: fill.role,
        time: fill.time,
      };
      await this.call('onFill', arg);
    }
  }

  private scriptQuote(quote: ReplayQuote): ScriptQuote {
    const { instrument, ticker } = this.config;
    return { ticker, bid: quote.bid, ask: quote.ask, step: instrument.tickSize, amnt: instrument.tickValue, time: quote.time };
  }

  private snapshot(): ScriptSnapshot {
    const { ledger, quote } = this.executor;
    const script = this.config.script!;
    const open = ledger.openCents(quote);
    const held = ledger.position;
    const pending = this.executor.pending;
    const positions: Record<string, ScriptPosition> = {};
    if (held !== 0 || pending !== 0 || ledger.fills.length) {
      positions[this.config.ticker] = {
        ticker: this.config.ticker,
        quantity: held,
        pending,
        avgPrice: ledger.averagePrice,
        openPnl: open === null ? null : toDollars(open),
        realizedPnl: toDollars(ledger.realizedCents),
      };
    }
    return {
      strategyId: this.config.id,
      params: script.params,
      state: this.state,
      positions,
      quotes: quote ? { [this.config.ticker]: this.scriptQuote(quote) } : {},
      pnl: {
        realized: toDollars(ledger.realizedCents),
        open: open === null ? null : toDollars(open),
        total: open === null ? null : toDollars(ledger.realizedCents + open),
      },
      now: this.executor.now,
      aliases: script.aliases,
    };
  }

  private async call(handler: 'onWebhook' | 'onTick' | 'onFill' | 'onTimer', arg: unknown): Promise<void> {
    const script = this.config.script!;
    this.scriptCalls++;
    let result: ScriptCallResult;
    try {
      result = await script.call(handler, arg, this.snapshot());
    } catch (error) {
      this.note('error', `${handler} failed: ${(error as Error).message}`);
      return;
    }
    this.state = result.state;
    for (const log of result.logs) this.note(log.level, log.message);
    for (const refused of result.refused) this.note('warn', `${handler}: action refused: ${refused}`);
    for (const action of result.actions) this.act(action, handler);
    await this.drainFills();
  }

  private act(action: BacktestAction, handler: string): void {
    const ticker = action.ticker === null ? this.config.ticker : this.config.canonical(action.ticker);
    if (ticker !== this.config.ticker) {
      this.note('warn', `${handler}: ${action.kind} ${action.ticker}: the backtest has history for ${this.config.ticker} only`);
      return;
    }
    if (action.kind === 'flatten') return this.executor.flatten(`${handler}: flatten`);
    if (action.kind === 'cancelAll') {
      this.executor.cancel();
      return;
    }
    const { options } = action;
    const bracket = options.takeProfit || options.stopLoss ? { takeProfit: options.takeProfit, stopLoss: options.stopLoss } : null;
    this.executor.place(
      {
        side: action.side,
        quantity: action.quantity,
        type: options.type ?? 'market',
        ...(options.limitPrice !== undefined ? { limitPrice: options.limitPrice } : {}),
        ...(options.stopPrice !== undefined ? { stopPrice: options.stopPrice } : {}),
        role: 'order',
        bracket,
      },
      `${handler}: ${action.side} ${action.quantity}`,
    );
  }
}
