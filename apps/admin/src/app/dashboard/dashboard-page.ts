import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { startWith, switchMap } from 'rxjs';
import { ApiService, showingErrorIn } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { PnlCalendarPanel } from '../pnl/pnl-calendar-panel';
import { PnlSeriesPanel } from '../pnl/pnl-series-panel';
import { PnlSummaryPanel } from '../pnl/pnl-summary-panel';
import { TradeHistory } from '../pnl/trade-history';

/**
 * Every strategy together: the numbers, the P&L-vs-drawdown chart, the calendar and the trade
 * history, all live. Each panel loads and follows `/ws` on its own and reloads after a reconnect.
 */
@Component({
  selector: 'tl-dashboard-page',
  imports: [PnlSummaryPanel, PnlSeriesPanel, PnlCalendarPanel, TradeHistory],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Dashboard</h1>
      <span class="muted small-text" data-testid="trading-zone">{{ zone.known() ? zoneText() : '' }}</span>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <tl-pnl-summary />
    <tl-pnl-series />
    <tl-pnl-calendar-panel [names]="names()" />
    <tl-trade-history [names]="names()" />
  `,
})
export class DashboardPage {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly zone = inject(TimeZoneService);
  /** Strategy names by id, for the trades. */
  protected readonly names = signal<Record<string, string>>({});
  protected readonly error = signal<string | null>(null);
  protected readonly zoneText = computed(() => `Times in ${this.zone.zone()}; trading days start ${this.zone.dayStart()}`);

  constructor() {
    const destroyRef = inject(DestroyRef);
    // Names for the trades; a strategy created meanwhile announces itself with STRATEGY.
    this.live.reconnected$
      .pipe(
        startWith(undefined),
        switchMap(() => this.api.strategies().pipe(showingErrorIn(this.error))),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((list) => {
        if (!list) return;
        this.error.set(null);
        this.names.set(Object.fromEntries(list.map((s) => [s.id, s.name])));
      });
    this.live
      .on('STRATEGY')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((s) => this.names.update((names) => ({ ...names, [s.id]: s.name })));
  }
}
