import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { TimeZoneService } from '../core/time-zone.service';
import { PnlCalendarPanel } from '../pnl/pnl-calendar-panel';
import { PnlSeriesPanel } from '../pnl/pnl-series-panel';
import { PnlSummaryPanel } from '../pnl/pnl-summary-panel';
import { TradeHistory } from '../pnl/trade-history';
import { liveStrategyList } from '../strategies/live-strategy-list';

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
  protected readonly zone = inject(TimeZoneService);
  /** For the trades' strategy names; a strategy created meanwhile announces itself with STRATEGY. */
  private readonly strategies = liveStrategyList();
  /** Strategy names by id, for the trades. */
  protected readonly names = computed<Record<string, string>>(
    () => Object.fromEntries((this.strategies.value() ?? []).map((s) => [s.id, s.name])),
    {
      // P&L pushes move the list every second; the names only change with a STRATEGY message.
      equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    },
  );
  protected readonly error = this.strategies.error;
  protected readonly zoneText = computed(() => `Times in ${this.zone.zone()}; trading days start ${this.zone.dayStart()}`);
}
