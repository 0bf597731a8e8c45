import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  PASS_THROUGH,
  type BacktestComparison,
  type BacktestReport,
  type BacktestRequest,
  type BacktestRunView,
  type HistoryFileView,
} from '@tradeloop/contracts';
import { compare, HistoryError, type InstrumentCatalog, runBacktest } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import { MarketService } from '../market/market.service.js';
import type { AppConfig } from '../config/config.schema.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { WebhookEventsService } from '../webhooks/webhook-events.service.js';
import { listHistory, recordedTicks, withFiles } from './backtest-data.js';
import { backtestScript, processSandbox, readScript, type ScriptSandbox } from './backtest-script.js';
import { QuoteRecorder } from './quote-recorder.service.js';

/** Runs kept (their reports in memory), newest first; older ones are forgotten. */
const KEPT_RUNS = 20;
/** Webhook events one replay reads at most. */
const MAX_RECORDED_ALERTS = 50_000;

interface Run {
  view: BacktestRunView;
  /** Failed on its input (a HistoryError): the caller's 400 when found before the start answers. */
  badInput: boolean;
  report: BacktestReport | null;
  sandbox: ScriptSandbox | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Backtests through the API: each run in this process on its own in-memory ledger (never an
 * account, order or position of the database), its script in a sandbox process of its own; its
 * progress and report kept in memory.
 */
@Injectable()
export class BacktestService implements OnModuleDestroy {
  private readonly runs = new Map<string, Run>();
  private readonly catalog: InstrumentCatalog;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recorder: QuoteRecorder,
    private readonly events: WebhookEventsService,
    private readonly strategies: StrategiesService,
    market: MarketService,
  ) {
    this.catalog = market.catalog;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.sandbox?.close()));
  }

  list(): BacktestRunView[] {
    return [...this.runs.values()].map((r) => r.view).reverse();
  }

  get(id: string): BacktestRunView {
    return this.find(id).view;
  }

  report(id: string): BacktestReport {
    const run = this.find(id);
    if (!run.report)
      throw new ConflictException(
        run.view.state === 'failed' ? `backtest ${id} failed: ${run.view.error}` : `backtest ${id} is still running`,
      );
    return run.report;
  }

  compare(ids: string[]): BacktestComparison {
    if (ids.length < 2 || ids.length > 8) throw new BadRequestException('ids: give 2 to 8 backtest ids, comma separated');
    return compare(ids.map((id) => this.report(id)));
  }

  data(): Promise<HistoryFileView[]> {
    return listHistory(this.recorder.historyDir);
  }

  /** Starts a run; its history is read and checked first, so a bad file is a 400 naming the line. */
  async start(body: unknown): Promise<BacktestRunView> {
    if (!isObject(body)) throw new BadRequestException('the body must be a JSON object');
    const running = [...this.runs.values()].filter((r) => r.view.state === 'running').length;
    if (running >= this.config.backtests.maxRunning) {
      throw new ConflictException(`${running} backtests are running (backtests.maxRunning): wait for one to end`);
    }
    let request: BacktestRequest;
    try {
      request = await this.resolve(body as unknown as BacktestRequest);
      const strategy = String(request.strategy ?? PASS_THROUGH);
      if (strategy !== PASS_THROUGH) await readScript(this.config.strategies.dir, strategy);
    } catch (error) {
      if (error instanceof HistoryError) throw new BadRequestException(error.message);
      throw error;
    }
    const id = randomUUID();
    const view: BacktestRunView = {
      id,
      label: String(request.label ?? request.strategy ?? PASS_THROUGH).slice(0, 100),
      strategy: String(request.strategy ?? PASS_THROUGH).slice(0, 100),
      ticker: String(request.ticker ?? '').slice(0, 64),
      state: 'running',
      done: 0,
      total: 0,
      startedAt: Date.now(),
      error: null,
      pnl: null,
      trades: null,
    };
    const run: Run = { view, badInput: false, report: null, sandbox: null };
    this.runs.set(id, run);
    for (const [key, old] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (old.view.state !== 'running') this.runs.delete(key);
    }
    const finished = this.execute(run, request);
    // A bad input found while the history is read (before the first event) is the caller's 400, not a failed run.
    await Promise.race([finished, new Promise((r) => setImmediate(r))]);
    if (run.badInput && run.view.done === 0) {
      this.runs.delete(id);
      throw new BadRequestException(run.view.error);
    }
    return { ...run.view };
  }

  /** Waits for a run to end (tests, the CLI through the API). */
  async settled(id: string, timeoutMs = 60_000): Promise<BacktestRunView> {
    const until = Date.now() + timeoutMs;
    while (this.find(id).view.state === 'running' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.get(id);
  }

  private async execute(run: Run, request: BacktestRequest): Promise<void> {
    const { view } = run;
    const limits = { memoryMb: this.config.strategies.memoryMb, cpuMs: this.config.strategies.cpuMs };
    try {
      const report = await runBacktest(request, {
        id: view.id,
        catalog: this.catalog,
        loadScript: async (name, params) => {
          run.sandbox = processSandbox(limits, `backtest:${view.id}`);
          return backtestScript(run.sandbox, await readScript(this.config.strategies.dir, name), params, this.catalog);
        },
        progress: async (done, total) => {
          view.done = done;
          view.total = total;
          // A pass-through run has no script to wait for: let the server answer in between.
          await new Promise((r) => setImmediate(r));
        },
      });
      run.report = report;
      Object.assign(view, { state: 'done', pnl: report.summary.totalPnl ?? report.summary.realizedPnl, trades: report.summary.tradeCount });
    } catch (error) {
      run.badInput = error instanceof HistoryError;
      Object.assign(view, { state: 'failed', error: (error as Error).message.slice(0, 1000) });
    } finally {
      await run.sandbox?.close();
      run.sandbox = null;
    }
  }

  /** The request's history from files and recordings; a recording brings the strategy's own settings. */
  private async resolve(request: BacktestRequest): Promise<BacktestRequest> {
    let out = await withFiles(this.recorder.historyDir, request);
    if (request.recording !== undefined) {
      const strategyId = isObject(request.recording) ? request.recording['strategyId'] : undefined;
      if (typeof strategyId !== 'string' || strategyId.length > 64)
        throw new HistoryError('recording.strategyId: a strategy id is required');
      const strategy = await this.strategies.get(strategyId).catch(() => null);
      if (!strategy) throw new HistoryError(`recording.strategyId: no strategy ${strategyId}`);
      const from = typeof request.from === 'number' ? request.from : Date.parse(String(request.from ?? ''));
      const to = typeof request.to === 'number' ? request.to : Date.parse(String(request.to ?? ''));
      if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
        throw new HistoryError('a recording needs from and to (epoch ms or ISO), to after from');
      await this.recorder.flush();
      const alerts = await this.recordedAlerts(strategyId, from, to);
      const named = request.ticker ?? strategy.defaultTicker ?? alerts.find((a) => typeof a.alert['ticker'] === 'string')?.alert['ticker'];
      if (typeof named !== 'string') throw new HistoryError('ticker: the recording has no alert naming one; give ticker');
      let ticker: string;
      try {
        ticker = this.catalog.canonical(named);
      } catch (error) {
        throw new HistoryError(`ticker: ${(error as Error).message}`);
      }
      out = {
        ...out,
        strategy: strategy.script ? strategy.script.replace(/\.(ts|js)$/, '') : PASS_THROUGH,
        ticker,
        ticks: await recordedTicks(this.recorder.historyDir, ticker, from, to),
        alerts: JSON.stringify(alerts),
        quantity: request.quantity ?? strategy.defaultQuantity,
        exits: request.exits ?? strategy.exits ?? undefined,
        risk: request.risk ?? { ...this.config.risk, ...(strategy.risk ?? {}) },
        params: request.params ?? strategy.params ?? {},
        timeZone: request.timeZone ?? this.config.pnl.timeZone,
        dayStart: request.dayStart ?? this.config.pnl.dayStart,
        commissionPerContract: request.commissionPerContract ?? this.paperCommission(),
        label: request.label ?? `replay of ${strategy.name}`,
      };
    }
    return out;
  }

  private paperCommission(): number {
    const settings = this.config.plugins.settings['paper-broker'];
    const value = isObject(settings) ? settings['commissionPerContract'] : undefined;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
  }

  /** The strategy's alerts received in [from, to), oldest first, as the webhook events keep them. */
  private async recordedAlerts(strategyId: string, from: number, to: number): Promise<{ time: number; alert: Record<string, unknown> }[]> {
    const out: { time: number; alert: Record<string, unknown> }[] = [];
    let before = to;
    for (;;) {
      const page = await this.events.list({ strategyId, limit: 1000, beforeReceivedAt: before });
      for (const event of page) {
        const time = Date.parse(event.receivedAt);
        if (time >= from && event.status !== 'dismissed') out.push({ time, alert: event.alert });
      }
      if (out.length > MAX_RECORDED_ALERTS) throw new HistoryError(`recording: more than ${MAX_RECORDED_ALERTS} alerts`);
      const oldest = page.length ? Date.parse(page[page.length - 1].receivedAt) : from;
      if (page.length < 1000 || oldest < from) break;
      before = oldest;
    }
    return out.reverse();
  }

  private find(id: string): Run {
    const run = this.runs.get(id);
    if (!run) throw new NotFoundException(`backtest ${String(id).slice(0, 64)} not found`);
    return run;
  }
}
