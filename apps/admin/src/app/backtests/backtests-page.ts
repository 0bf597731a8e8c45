import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { interval } from 'rxjs';
import {
  PASS_THROUGH,
  type BacktestComparison,
  type BacktestReport,
  type BacktestRequest,
  type BacktestRunView,
  type HistoryFileView,
  type MarketFill,
  type ScriptParams,
} from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';
import { Money } from '../shared/money';
import { BacktestReportView } from './backtest-report';
import { backtestRequest, type BacktestForm } from './backtest-form';

/**
 * Backtests: choose a strategy (pass-through or a script), the history (a file of the server's
 * history folder or pasted CSV) and a range; watch the runs' progress; read a report; put two runs
 * side by side.
 */
@Component({
  selector: 'tl-backtests-page',
  imports: [FormsModule, Money, BacktestReportView],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Backtests</h1>
    </div>
    <form class="panel form-grid" (ngSubmit)="start()" data-testid="backtest-form">
      <label>
        Strategy
        <select name="strategy" [(ngModel)]="form.strategy" data-testid="backtest-strategy">
          <option [value]="passThrough">pass-through (its alerts)</option>
          @for (s of scripts(); track s) {
            <option [value]="s">{{ s }}</option>
          }
        </select>
      </label>
      <label>Ticker <input name="ticker" [(ngModel)]="form.ticker" maxlength="64" data-testid="backtest-ticker" /></label>
      <label>
        History file
        <select name="file" [(ngModel)]="form.file" data-testid="backtest-file">
          <option value="">— pasted below —</option>
          @for (f of files(); track f.name) {
            <option [value]="f.name">{{ f.name }} ({{ kb(f.bytes) }})</option>
          }
        </select>
      </label>
      <label>
        It holds
        <select name="kind" [(ngModel)]="form.kind" data-testid="backtest-kind">
          <option value="bars">bars (OHLCV)</option>
          <option value="ticks">quotes (time,bid,ask)</option>
          <option value="trades">TradingView list of trades</option>
          <option value="alerts">alerts (JSON)</option>
        </select>
      </label>
      <label>From <input name="from" [(ngModel)]="form.from" placeholder="2024-01-02 or ISO time" data-testid="backtest-from" /></label>
      <label>To <input name="to" [(ngModel)]="form.to" placeholder="(end of the data)" data-testid="backtest-to" /></label>
      <label>Time zone <input name="tz" [(ngModel)]="form.timeZone" placeholder="UTC" /></label>
      <label>Commission per contract <input name="commission" type="number" min="0" step="0.01" [(ngModel)]="form.commission" /></label>
      <label>Spread (ticks) <input name="spread" type="number" min="0" step="1" [(ngModel)]="form.spread" /></label>
      <label>
        Market orders fill at
        <select name="marketFill" [(ngModel)]="form.marketFill">
          <option value="quote">the quote when placed</option>
          <option value="next">the next quote</option>
        </select>
      </label>
      <label>Label <input name="label" [(ngModel)]="form.label" maxlength="100" data-testid="backtest-label" /></label>
      <label
        >Params (JSON) <input name="params" [(ngModel)]="form.params" placeholder='{"lookback": 20}' data-testid="backtest-params"
      /></label>
      @if (!form.file) {
        <label class="wide">
          Data (CSV or JSON, small files; larger ones go into the server's history folder)
          <textarea name="data" rows="6" [(ngModel)]="form.data" class="mono" data-testid="backtest-data"></textarea>
        </label>
      }
      <div class="actions">
        <button type="submit" data-testid="backtest-start">Run backtest</button>
      </div>
    </form>
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="backtest-error">{{ message }}</p>
    }
    <h2>Runs</h2>
    <div class="scroll">
      <table data-testid="backtest-runs">
        <thead>
          <tr>
            <th></th>
            <th>Run</th>
            <th>Strategy</th>
            <th>State</th>
            <th class="num">Trades</th>
            <th class="num">P&amp;L</th>
            <th>Started</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (run of runs(); track run.id) {
            <tr data-testid="backtest-run" [attr.data-run]="run.id">
              <td>
                @if (run.state === 'done') {
                  <input type="checkbox" [checked]="picked().includes(run.id)" (change)="pick(run.id)" title="Compare" />
                }
              </td>
              <td>{{ run.label }}</td>
              <td class="mono small-text">{{ run.strategy }} · {{ run.ticker }}</td>
              <td data-testid="backtest-state">
                @if (run.state === 'running') {
                  running {{ percent(run) }}
                } @else if (run.state === 'failed') {
                  <span class="bad" [title]="run.error ?? ''">failed: {{ run.error }}</span>
                } @else {
                  done
                }
              </td>
              <td class="num">{{ run.trades ?? '—' }}</td>
              <td class="num"><tl-money [value]="run.pnl" /></td>
              <td class="mono muted nowrap">{{ zone.short(run.startedAt) }}</td>
              <td>
                @if (run.state === 'done') {
                  <button type="button" class="small" (click)="open(run.id)" data-testid="backtest-open">Report</button>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="8" class="muted">No backtests yet.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    @if (picked().length === 2) {
      <button type="button" (click)="compare()" data-testid="backtest-compare">Compare the two</button>
    }
    @if (comparison(); as c) {
      <div class="scroll">
        <table data-testid="backtest-comparison">
          <thead>
            <tr>
              <th></th>
              @for (r of c.runs; track r.id) {
                <th>{{ r.label }}</th>
              }
            </tr>
          </thead>
          <tbody>
            <tr>
              <td class="muted">Params</td>
              @for (r of c.runs; track r.id) {
                <td class="mono small-text">{{ json(r.params) }}</td>
              }
            </tr>
            <tr>
              <td class="muted">Net P&amp;L</td>
              @for (r of c.runs; track r.id) {
                <td><tl-money [value]="r.pnl" /></td>
              }
            </tr>
            <tr>
              <td class="muted">Trades · win rate · profit factor</td>
              @for (r of c.runs; track r.id) {
                <td>{{ r.trades }} · {{ r.winRate === null ? '—' : (r.winRate * 100).toFixed(1) + ' %' }} · {{ r.profitFactor ?? '—' }}</td>
              }
            </tr>
            <tr>
              <td class="muted">Max drawdown</td>
              @for (r of c.runs; track r.id) {
                <td><tl-money [value]="r.maxDrawdown" /></td>
              }
            </tr>
          </tbody>
        </table>
      </div>
    }
    @if (report(); as r) {
      <tl-backtest-report [report]="r" />
    }
  `,
})
export class BacktestsPage {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly passThrough = PASS_THROUGH;
  protected readonly scripts = signal<string[]>([]);
  protected readonly files = signal<HistoryFileView[]>([]);
  protected readonly runs = signal<BacktestRunView[]>([]);
  protected readonly report = signal<BacktestReport | null>(null);
  protected readonly comparison = signal<BacktestComparison | null>(null);
  protected readonly picked = signal<string[]>([]);
  protected readonly error = signal<string | null>(null);
  protected form: BacktestForm = {
    strategy: PASS_THROUGH,
    ticker: 'NQ1!',
    file: '',
    kind: 'bars',
    data: '',
    from: '',
    to: '',
    timeZone: '',
    commission: 0,
    spread: 0,
    marketFill: 'quote' as MarketFill,
    label: '',
    params: '',
  };

  constructor() {
    this.api
      .scripts()
      .subscribe({ next: (list) => this.scripts.set(list.map((s) => s.name.replace(/\.(ts|js)$/, ''))), error: () => undefined });
    this.api.historyFiles().subscribe({ next: (list) => this.files.set(list), error: () => undefined });
    this.refresh();
    // Progress while something runs: the list again every second.
    interval(1000)
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => {
        if (this.runs().some((r) => r.state === 'running')) this.refresh();
      });
  }

  protected start(): void {
    let request: BacktestRequest;
    try {
      request = backtestRequest(this.form);
    } catch (e) {
      this.error.set((e as Error).message);
      return;
    }
    this.api.startBacktest(request).subscribe({
      next: () => {
        this.error.set(null);
        this.refresh();
      },
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  protected open(id: string): void {
    this.api.backtestReport(id).subscribe({ next: (r) => this.report.set(r), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected pick(id: string): void {
    const now = this.picked();
    this.picked.set(now.includes(id) ? now.filter((p) => p !== id) : [...now, id].slice(-2));
  }

  protected compare(): void {
    this.api
      .compareBacktests(this.picked())
      .subscribe({ next: (c) => this.comparison.set(c), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected percent(run: BacktestRunView): string {
    return run.total ? `${Math.floor((run.done / run.total) * 100)} %` : '…';
  }

  protected kb(bytes: number): string {
    return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  protected json(params: ScriptParams): string {
    return JSON.stringify(params);
  }

  private refresh(): void {
    this.api.backtests().subscribe({ next: (list) => this.runs.set(list), error: (e: unknown) => this.error.set(describeError(e)) });
  }
}
