import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';
import { pnlInScope, withLivePoint } from './live-pnl';
import { PnlChart } from './pnl-chart';
import { RANGES, rangeWindow, type Range } from './series-chart-data';

/**
 * Cumulative P&L over drawdown for a range ending now, at the resolution the server picks, growing
 * with each live `PNL` push. Changing the range keeps the chart shown until the new one arrives.
 */
@Component({
  selector: 'tl-pnl-series',
  imports: [PnlChart],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="section-head">
      <h2>P&amp;L and drawdown</h2>
      <div class="range-picker" role="group" aria-label="Range">
        @for (r of ranges; track r) {
          <button
            type="button"
            class="small"
            [class.active]="r === range()"
            [attr.aria-pressed]="r === range()"
            (click)="range.set(r)"
            [attr.data-testid]="'range-' + r"
          >
            {{ r }}
          </button>
        }
      </div>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (series(); as s) {
      <!-- Chart.js arrives in its own chunk, after the numbers are on screen. -->
      @defer (on immediate) {
        <tl-pnl-chart [series]="s" [timeZone]="zone.zone()" [class.stale]="loading()" />
      } @placeholder {
        <div class="chart-box"><p class="muted">Loading the chart…</p></div>
      }
    } @else {
      <div class="chart-box">
        <p class="muted">{{ error() ? 'No chart.' : 'Loading the chart…' }}</p>
      </div>
    }
  `,
})
export class PnlSeriesPanel {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  /** One strategy; every strategy together when absent. */
  readonly strategyId = input<string>();
  protected readonly ranges = RANGES;
  protected readonly range = signal<Range>('1D');
  private readonly state = liveState({
    params: () => ({ strategyId: this.strategyId(), range: this.range() }),
    // The window ends now: a reload after a reconnect moves it up to the present.
    load: ({ strategyId, range }) => this.api.pnlSeries({ strategyId, ...rangeWindow(range, Date.now()) }),
    // Another range keeps the chart shown until the new one arrives; another strategy does not.
    clearWhen: (before, after) => before.strategyId !== after.strategyId,
    deltas: {
      PNL: (series, p) => (pnlInScope(p, { strategyId: this.strategyId() }) ? withLivePoint(series, p, this.zone.clock()) : series),
    },
  });
  protected readonly series = this.state.value;
  protected readonly loading = this.state.loading;
  protected readonly error = this.state.error;
}
