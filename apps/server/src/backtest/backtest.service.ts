import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  PASS_THROUGH,
  type BacktestComparison,
  type BacktestReport,
  type BacktestRequest,
  type BacktestRunView,
  type HistoryFileView,
  type Instrument,
} from '@tradeloop/contracts';
import { compare, HistoryError, type InstrumentCatalog } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import { MarketService } from '../market/market.service.js';
import type { AppConfig } from '../config/config.schema.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { WebhookEventsService } from '../webhooks/webhook-events.service.js';
import { listHistory, recordedTicks, withFiles } from './backtest-data.js';
import { readScript } from './backtest-script.js';
import type { BacktestWorkerData, BacktestWorkerMessage } from './backtest-worker.js';
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
  worker: Worker | null;
}

/** The built worker entry: under Jest this module runs from `src/`, a worker thread from `dist/` (as the sandbox host does). */
function workerEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = import.meta.url.endsWith('.ts') ? here.replace(/([\\/])src([\\/]backtest)$/, '$1dist$2') : here;
  return join(dir, 'backtest-worker.js');
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
  /** The configured instruments, as the market's catalog takes them (the worker builds its own). */
  private readonly instruments: Instrument[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recorder: QuoteRecorder,
    private readonly events: WebhookEventsService,
    private readonly strategies: StrategiesService,
    market: MarketService,
  ) {
    this.catalog = market.catalog;
    this.instruments = config.instruments.map((i) => ({ ...i, kind: 'future' as const }));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.worker?.terminate()));
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
    const run: Run = { view, badInput: false, report: null, worker: null };
    this.runs.set(id, run);
    for (const [key, old] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (old.view.state !== 'running') this.runs.delete(key);
    }
    // Answered once the history is read and checked (in the worker): a bad file is the caller's 400, not a failed run.
    await this.execute(run, request);
    if (run.badInput) {
      this.runs.delete(id);
      throw new BadRequestException(run.view.error);
    }
    return { ...run.view };
  }

  /**
   * Starts the run in a worker thread; resolves once it has read its history and begun (or failed
   * or finished), while the run goes on there.
   */
  private execute(run: Run, request: BacktestRequest): Promise<void> {
    const { view } = run;
    const data: BacktestWorkerData = {
      id: view.id,
      request,
      limits: { memoryMb: this.config.strategies.memoryMb, cpuMs: this.config.strategies.cpuMs },
      strategiesDir: this.config.strategies.dir,
      instruments: this.instruments,
    };
    const worker = new Worker(workerEntry(), { workerData: data });
    run.worker = worker;
    return new Promise<void>((begun) => {
      const end = (state: 'done' | 'failed', error: string | null) => {
        if (view.state === 'running') Object.assign(view, { state, error });
        run.worker = null;
        begun();
      };
      worker.on('message', (message: BacktestWorkerMessage) => {
        switch (message.type) {
          case 'started':
            view.total = message.total;
            begun();
            break;
          case 'progress':
            view.done = message.done;
            view.total = message.total;
            break;
          case 'done': {
            const report = message.report as BacktestReport;
            run.report = report;
            view.done = view.total;
            Object.assign(view, { pnl: report.summary.totalPnl ?? report.summary.realizedPnl, trades: report.summary.tradeCount });
            end('done', null);
            void worker.terminate();
            break;
          }
          case 'failed':
            run.badInput = message.badInput && view.done === 0 && view.total === 0;
            end('failed', message.message);
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (error) => end('failed', `the backtest stopped: ${error.message.slice(0, 500)}`));
      worker.on('exit', () => end('failed', 'the backtest stopped before it finished'));
    });
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
