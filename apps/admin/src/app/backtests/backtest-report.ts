import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { BacktestReport } from '@tradeloop/contracts';
import { TimeZoneService } from '../core/time-zone.service';
import { PnlChart } from '../pnl/pnl-chart';
import { tradeRow } from '../pnl/trade-row';
import { TradesTable } from '../pnl/trades-table';
import { Money } from '../shared/money';

/** One run's report: its numbers, the P&L-vs-drawdown chart, its trades and days, what it refused. */
@Component({
  selector: 'tl-backtest-report',
  imports: [Money, PnlChart, TradesTable],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let r = report();
    <section class="panel" data-testid="backtest-report">
      <h2>
        {{ r.label }} <span class="muted small-text">{{ r.strategy }} on {{ r.ticker }} {{ paramsText() }}</span>
      </h2>
      <div class="cards">
        <div class="card">
          <span class="label">Net P&amp;L</span> <tl-money class="value" [value]="r.summary.totalPnl" data-testid="backtest-pnl" />
        </div>
        <div class="card"><span class="label">Realized</span> <tl-money class="value" [value]="r.summary.realizedPnl" /></div>
        <div class="card">
          <span class="label">Trades</span> <span class="value" data-testid="backtest-trade-count">{{ r.summary.tradeCount }}</span>
        </div>
        <div class="card">
          <span class="label">Win rate</span> <span class="value">{{ rate(r.summary.winRate) }}</span>
        </div>
        <div class="card">
          <span class="label">Profit factor</span> <span class="value">{{ r.summary.profitFactor ?? '—' }}</span>
        </div>
        <div class="card"><span class="label">Max drawdown</span> <tl-money class="value" [value]="r.summary.maxDrawdown" /></div>
      </div>
      <p class="muted small-text">
        {{ r.stats.bars }} bars, {{ r.stats.quotes }} quotes, {{ r.stats.alerts }} alerts, {{ r.stats.scriptCalls }} script calls in
        {{ r.stats.elapsedMs }} ms ({{ r.stats.barsPerSecond }} bars/s, {{ r.stats.quotesPerSecond }} quotes/s)
      </p>
      <tl-pnl-chart [series]="r.series" [timeZone]="r.summary.timeZone" />
      <h3>Trades</h3>
      <tl-trades-table [trades]="trades()" [showStrategy]="false" empty="No trades in this run." testId="backtest-trades" />
      @if (days().length) {
        <h3>Days</h3>
        <div class="scroll">
          <table data-testid="backtest-days">
            <thead>
              <tr>
                <th>Day</th>
                <th class="num">Trades</th>
                <th class="num">P&amp;L</th>
              </tr>
            </thead>
            <tbody>
              @for (d of days(); track d.date) {
                <tr>
                  <td class="mono">{{ d.date }}</td>
                  <td class="num">{{ d.trades }}</td>
                  <td class="num"><tl-money [value]="d.pnl" /></td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      }
      @if (r.notes.length) {
        <h3>Notes</h3>
        <ul class="small-text" data-testid="backtest-notes">
          @for (n of r.notes.slice(0, 50); track $index) {
            <li [class.bad]="n.level === 'warn' || n.level === 'error'">
              <span class="mono muted">{{ zone.format(n.time) }}</span> {{ n.message }}
            </li>
          }
        </ul>
      }
    </section>
  `,
})
export class BacktestReportView {
  protected readonly zone = inject(TimeZoneService);
  readonly report = input.required<BacktestReport>();
  /** Newest exit first, as every trades table lists them. */
  protected readonly trades = computed(() => this.report().trades.map(tradeRow).reverse());
  protected readonly days = computed(() => this.report().calendar.flatMap((m) => m.days));
  protected readonly paramsText = computed(() => {
    const entries = Object.entries(this.report().params);
    return entries.length ? entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : '';
  });

  protected rate(value: number | null): string {
    return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
  }
}
