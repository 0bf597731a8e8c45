import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import {
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { BaseChartDirective, provideCharts } from 'ng2-charts';
import { chartSeries, chartSummary } from './series-chart-data';
import type { PnlSeries } from '@tradeloop/contracts';

const GOOD = '#26c281';
const BAD = '#ef5350';
const MUTED = '#7d8898';
const LINE = '#1f2733';

/**
 * Cumulative P&L as a line over its drawdown as a red area below zero. Data in, chart out: the
 * directive destroys its Chart.js instance with the component.
 */
@Component({
  selector: 'tl-pnl-chart',
  imports: [BaseChartDirective],
  // Only the parts of Chart.js a line chart needs, in the chunk of the page that draws one.
  providers: [
    provideCharts({ registerables: [LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip, Legend] }),
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="chart-box" data-testid="pnl-chart">
      @if (series()?.points?.length) {
        <canvas baseChart type="line" [data]="data()" [options]="options" role="img" [attr.aria-label]="summary()"></canvas>
      } @else {
        <p class="muted">No P&L recorded in this range yet.</p>
      }
    </div>
  `,
})
export class PnlChart {
  readonly series = input<PnlSeries | null>(null);
  readonly timeZone = input('UTC');

  protected readonly summary = computed(() => chartSummary(this.series()?.points ?? []));

  protected readonly data = computed<ChartConfiguration<'line'>['data']>(() => {
    const s = this.series();
    const { labels, pnl, drawdown } = chartSeries(s?.points ?? [], this.timeZone(), s?.resolution ?? '1m');
    // A line needs two points: a lone one is drawn as a dot.
    const pointRadius = pnl.length < 2 ? 3 : 0;
    return {
      labels,
      datasets: [
        { label: 'P&L', data: pnl, borderColor: GOOD, backgroundColor: GOOD, borderWidth: 1.5, pointRadius, tension: 0, fill: false },
        {
          label: 'Drawdown',
          data: drawdown,
          borderColor: BAD,
          backgroundColor: 'rgba(239, 83, 80, 0.25)',
          borderWidth: 1,
          pointRadius: 0,
          fill: 'origin',
        },
      ],
    };
  });

  protected readonly options: ChartConfiguration<'line'>['options'] = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: 'index', intersect: false },
    scales: {
      x: { ticks: { color: MUTED, maxTicksLimit: 8, autoSkip: true }, grid: { color: LINE } },
      y: { ticks: { color: MUTED, callback: (v) => `$${Number(v).toLocaleString('en-US')}` }, grid: { color: LINE } },
    },
    plugins: { legend: { labels: { color: MUTED } } },
  };
}
