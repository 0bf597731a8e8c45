import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Subject, debounceTime, filter, merge, of, switchMap, tap } from 'rxjs';
import { ApiService, valueOrError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPercent } from '../shared/format';
import { Money } from '../shared/money';
import { pnlInScope, tradeInScope, withLivePnl } from './live-pnl';
import type { PnlSummary } from './pnl.types';

/** Reloads wait this long after a trade or position change, so a burst of fills costs one request. */
const RELOAD_DEBOUNCE_MS = 300;

/**
 * The P&L summary of every strategy together (no `strategyId`) or of one: money moves with each
 * live `PNL` push; a trade or position change reloads the statistics. Until the first answer the
 * cards show dashes, and a reload keeps the numbers shown until the new ones arrive.
 */
@Component({
  selector: 'tl-pnl-summary',
  imports: [Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @let s = summary();
    <section class="cards summary-cards" data-testid="pnl-summary">
      <div class="card">
        <span class="label">Total P&amp;L</span>
        <span class="value" data-testid="summary-total"><tl-money [value]="s?.totalPnl" /></span>
        <span class="muted small-text">realized <tl-money [value]="s?.realizedPnl" /></span>
      </div>
      <div class="card">
        <span class="label">Today</span>
        <span class="value" data-testid="summary-today"><tl-money [value]="s?.todayPnl" /></span>
        <span class="muted small-text">trading day {{ s?.tradingDay ?? '—' }}</span>
      </div>
      <div class="card">
        <span class="label">Open P&amp;L</span>
        <span class="value" data-testid="summary-open"><tl-money [value]="s?.openPnl" /></span>
        <span class="muted small-text" data-testid="summary-positions"
          >{{ s ? s.activePositions : '—' }} active position{{ s?.activePositions === 1 ? '' : 's' }}</span
        >
      </div>
      <div class="card">
        <span class="label">Win rate</span>
        <span class="value" data-testid="summary-win-rate">{{ percent(s?.winRate) }}</span>
        <span class="muted small-text" data-testid="summary-trades"
          >{{ s ? s.tradeCount : '—' }} trade{{ s?.tradeCount === 1 ? '' : 's' }}</span
        >
      </div>
      <div class="card">
        <span class="label">Profit factor</span>
        <span class="value">{{ ratio(s?.profitFactor) }}</span>
        <span class="muted small-text">max drawdown <tl-money [value]="s?.maxDrawdown" /></span>
      </div>
      <div class="card">
        <span class="label">Best / worst day</span>
        <span class="value small-value"><tl-money [value]="s?.bestDay?.pnl" /> / <tl-money [value]="s?.worstDay?.pnl" /></span>
        <span class="muted small-text">{{ s?.bestDay?.date ?? '—' }} / {{ s?.worstDay?.date ?? '—' }}</span>
      </div>
    </section>
  `,
})
export class PnlSummaryPanel {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  private readonly zone = inject(TimeZoneService);
  /** One strategy; every strategy together when absent. */
  readonly strategyId = input<string>();
  protected readonly summary = signal<PnlSummary | null>(null);
  protected readonly error = signal<string | null>(null);
  private readonly reload = new Subject<void>();

  constructor() {
    const destroyRef = inject(DestroyRef);
    const scope = () => ({ strategyId: this.strategyId() });
    merge(
      toObservable(this.strategyId).pipe(
        // Another strategy: its numbers, not the last one's, even for a moment.
        tap(() => this.summary.set(null)),
      ),
      this.live.reconnected$,
      this.reload.pipe(debounceTime(RELOAD_DEBOUNCE_MS)),
    )
      .pipe(
        switchMap(() => this.api.pnlSummary(scope()).pipe(valueOrError())),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ value, error }) => {
        this.error.set(error);
        if (!value) return;
        this.summary.set(value);
        this.zone.adopt(value);
      });

    this.live
      .on('PNL')
      .pipe(
        filter((p) => pnlInScope(p, scope())),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((p) => this.summary.update((s) => s && withLivePnl(s, p)));
    merge(this.live.on('TRADE'), this.live.on('POSITION'))
      .pipe(
        filter((t) => tradeInScope(t, scope())),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(() => this.reload.next());
  }

  protected percent(value: number | null | undefined): string {
    return formatPercent(value);
  }

  protected ratio(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : value.toFixed(2);
  }
}
