import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { debounceTime, filter, merge } from 'rxjs';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPercent } from '../shared/format';
import { Money } from '../shared/money';
import { pnlInScope, tradeInScope, withLivePnl } from './live-pnl';

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
  private readonly state = liveState({
    params: () => ({ strategyId: this.strategyId() }),
    load: (scope) => this.api.pnlSummary(scope),
    // Another strategy: its numbers, not the last one's, even for a moment.
    clearWhen: (before, after) => before.strategyId !== after.strategyId,
    onLoad: (summary) => this.zone.adopt(summary),
    deltas: { PNL: (summary, p) => (pnlInScope(p, { strategyId: this.strategyId() }) ? withLivePnl(summary, p) : summary) },
    // Trade statistics move with trades and positions, which a PNL push does not carry: a burst costs one reload.
    reloadOn: merge(this.live.on('TRADE'), this.live.on('POSITION')).pipe(
      filter((t) => tradeInScope(t, { strategyId: this.strategyId() })),
      debounceTime(RELOAD_DEBOUNCE_MS),
    ),
  });
  protected readonly summary = this.state.value;
  protected readonly error = this.state.error;

  protected percent(value: number | null | undefined): string {
    return formatPercent(value);
  }

  protected ratio(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : value.toFixed(2);
  }
}
