import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { combineLatest, filter, of, startWith, switchMap, tap } from 'rxjs';
import { ApiService, valueOrError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { pnlInScope, withLivePoint } from './live-pnl';
import { PnlChart } from './pnl-chart';
import type { PnlSeries } from './pnl.types';
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
  private readonly live = inject(LiveService);
  protected readonly zone = inject(TimeZoneService);
  /** One strategy; every strategy together when absent. */
  readonly strategyId = input<string>();
  protected readonly ranges = RANGES;
  protected readonly range = signal<Range>('1D');
  protected readonly series = signal<PnlSeries | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    const destroyRef = inject(DestroyRef);
    const strategyId$ = toObservable(this.strategyId).pipe(tap(() => this.series.set(null)));
    combineLatest([strategyId$, toObservable(this.range), this.live.reconnected$.pipe(startWith(undefined))])
      .pipe(
        switchMap(([strategyId, range]) => {
          this.loading.set(true);
          return this.api.pnlSeries({ strategyId, ...rangeWindow(range, Date.now()) }).pipe(valueOrError());
        }),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ value, error }) => {
        this.loading.set(false);
        this.error.set(error);
        if (value) this.series.set(value);
      });

    this.live
      .on('PNL')
      .pipe(
        filter((p) => pnlInScope(p, { strategyId: this.strategyId() })),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((p) => this.series.update((s) => s && withLivePoint(s, p, this.zone.clock())));
  }
}
