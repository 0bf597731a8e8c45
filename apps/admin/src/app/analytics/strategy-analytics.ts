import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { LATENCY_SPANS, type LatencySpan } from '@tradeloop/contracts';
import { BarController, BarElement, CategoryScale, Legend, LinearScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import { BaseChartDirective, provideCharts } from 'ng2-charts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { formatPercent } from '../shared/format';
import { Money } from '../shared/money';
import { barOptions, excursionScatter, latencyBars, scatterOptions, slippageBars } from './analytics-charts';

const SPAN_NAMES: Record<LatencySpan, string> = {
  delivery: 'TradingView → received',
  intake: 'received → on disk',
  queue: 'on disk → engine',
  engine: 'engine → sent',
  broker: 'sent → broker ack',
  fill: 'sent → filled',
  push: 'filled → /ws',
  tradeloop: 'received → sent (Tradeloop)',
};

/**
 * A strategy's execution analytics: where the time went per stage (p50/p99, histogram), the
 * slippage against the alerts' prices, MFE/MAE per trade, win rate and expectancy by journal tag
 * and by hour; a tag filter and the CSV export. Loaded on demand (Refresh), not moved live.
 */
@Component({
  selector: 'tl-strategy-analytics',
  imports: [BaseChartDirective, Money],
  providers: [
    provideCharts({
      registerables: [BarController, BarElement, ScatterController, PointElement, LinearScale, CategoryScale, Tooltip, Legend],
    }),
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="panel" data-testid="strategy-analytics">
      <div class="row-controls">
        <label
          >Tag
          <input
            type="text"
            maxlength="32"
            [value]="tag()"
            (change)="setTag($any($event.target).value)"
            placeholder="all trades"
            data-testid="analytics-tag"
        /></label>
        <button type="button" (click)="state.reload()">Refresh</button>
        <button type="button" (click)="exportCsv()" data-testid="export-csv">Export trades (CSV)</button>
      </div>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
      @if (view(); as v) {
        <h3>Latency per stage</h3>
        <table data-testid="latency-table">
          <thead>
            <tr>
              <th>stage</th>
              <th>orders</th>
              <th>p50</th>
              <th>p99</th>
            </tr>
          </thead>
          <tbody>
            @for (l of v.latency; track l.span) {
              <tr [class.selected]="l.span === span()" (click)="span.set(l.span)">
                <td>{{ spanName(l.span) }}</td>
                <td>{{ l.count }}</td>
                <td>{{ ms(l.p50Ms) }}</td>
                <td>{{ ms(l.p99Ms) }}</td>
              </tr>
            }
          </tbody>
        </table>
        <label
          >Histogram of
          <select [value]="span()" (change)="span.set($any($event.target).value)">
            @for (s of spans; track s) {
              <option [value]="s" [selected]="s === span()">{{ spanName(s) }}</option>
            }
          </select>
        </label>
        <div class="chart-box">
          <canvas baseChart type="bar" [data]="latencyData()" [options]="latencyOptions" role="img" aria-label="latency histogram"></canvas>
        </div>

        <h3>Slippage against the alert's price</h3>
        <p data-testid="slippage-total">
          {{ v.slippage.fills }} fill{{ v.slippage.fills === 1 ? '' : 's' }}: <tl-money [value]="v.slippage.slippage" />,
          {{ v.slippage.averageTicks }} ticks a fill on average (negative is worse)
        </p>
        <div class="chart-box">
          <canvas
            baseChart
            type="bar"
            [data]="slippageData()"
            [options]="slippageOptions"
            role="img"
            aria-label="slippage distribution"
          ></canvas>
        </div>
        <table>
          <thead>
            <tr>
              <th>instrument</th>
              <th>fills</th>
              <th>slippage</th>
              <th>ticks a fill</th>
            </tr>
          </thead>
          <tbody>
            @for (g of v.slippage.byInstrument; track g.key) {
              <tr>
                <td>{{ g.key }}</td>
                <td>{{ g.fills }}</td>
                <td><tl-money [value]="g.slippage" /></td>
                <td>{{ g.averageTicks }}</td>
              </tr>
            }
          </tbody>
        </table>

        <h3>MFE / MAE per trade</h3>
        <div class="chart-box">
          <canvas
            baseChart
            type="scatter"
            [data]="scatterData()"
            [options]="scatterOptions"
            role="img"
            aria-label="MFE against MAE"
          ></canvas>
        </div>

        <h3>By tag and by hour of entry</h3>
        <div class="two-columns">
          @for (
            table of [
              { name: 'tag', rows: v.byTag },
              { name: 'hour', rows: v.byHour },
            ];
            track table.name
          ) {
            <table [attr.data-testid]="'stats-by-' + table.name">
              <thead>
                <tr>
                  <th>{{ table.name }}</th>
                  <th>trades</th>
                  <th>win rate</th>
                  <th>expectancy</th>
                  <th>P&amp;L</th>
                </tr>
              </thead>
              <tbody>
                @for (g of table.rows; track g.key) {
                  <tr>
                    <td>{{ g.key }}</td>
                    <td>{{ g.trades }}</td>
                    <td>{{ percent(g.winRate) }}</td>
                    <td><tl-money [value]="g.expectancy" /></td>
                    <td><tl-money [value]="g.pnl" /></td>
                  </tr>
                }
              </tbody>
            </table>
          }
        </div>
      } @else if (!error()) {
        <p class="muted">Loading…</p>
      }
    </div>
  `,
})
export class StrategyAnalytics {
  private readonly api = inject(ApiService);
  readonly strategyId = input.required<string>();
  protected readonly tag = signal('');
  protected readonly span = signal<LatencySpan>('tradeloop');
  protected readonly spans = LATENCY_SPANS;
  protected readonly state = liveState({
    params: () => ({ strategyId: this.strategyId(), tag: this.tag() || null }),
    load: (query) => this.api.analytics(query),
    clearWhen: (before, after) => before.strategyId !== after.strategyId,
  });
  protected readonly view = this.state.value;
  private readonly csvError = signal<string | null>(null);
  protected readonly error = computed(() => this.csvError() ?? this.state.error());
  protected readonly latencyData = computed(() => latencyBars(this.view(), this.span()));
  protected readonly slippageData = computed(() => slippageBars(this.view()));
  protected readonly scatterData = computed(() => excursionScatter(this.view()));
  protected readonly latencyOptions = barOptions('milliseconds', 'orders');
  protected readonly slippageOptions = barOptions('ticks (negative: worse than the signal)', 'fills');
  protected readonly scatterOptions = scatterOptions;

  protected setTag(value: string): void {
    this.tag.set(value.trim().toLowerCase());
  }

  protected spanName(span: LatencySpan): string {
    return SPAN_NAMES[span];
  }

  protected ms(value: number | null): string {
    return value === null ? '—' : `${value} ms`;
  }

  protected percent(value: number): string {
    return formatPercent(value);
  }

  /** Fetched with the session's credentials, then saved from memory. */
  protected exportCsv(): void {
    this.csvError.set(null);
    this.api.tradesCsv({ strategyId: this.strategyId(), tag: this.tag() || null }).subscribe({
      next: (text) => {
        const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = `trades-${this.strategyId()}.csv`;
        link.click();
        URL.revokeObjectURL(url);
      },
      error: (e: unknown) => this.csvError.set(describeError(e)),
    });
  }
}
