import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import type { PositionView, StrategyListItem } from '@tradeloop/contracts';
import { ApiService } from '../core/api.service';
import { liveState } from '../core/live-state';
import { TimeZoneService } from '../core/time-zone.service';
import { formatPrice } from '../shared/format';
import { withPositionUpdate } from '../shared/live-book';
import { minuteClock } from '../shared/minute-clock';
import { Money } from '../shared/money';

/** A strategy switched on or off from its row. */
export interface EnabledChange {
  strategy: StrategyListItem;
  enabled: boolean;
}

/** `+1 NQ1! @ 25,000.25, −2 ES1! @ …`, or `flat`. */
function positionText(positions: readonly PositionView[]): string {
  if (!positions.length) return 'flat';
  return positions.map((p) => `${p.quantity > 0 ? '+' : ''}${p.quantity} ${p.ticker} @ ${formatPrice(p.avgPrice, 0.01)}`).join(', ');
}

/** The Control Center's live row per strategy: on/off, position with its prices, open, today's and total P&L, last signal, status. */
@Component({
  selector: 'tl-control-strategies',
  imports: [Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="scroll">
      <table class="stack-table" data-testid="control-strategies">
        <thead>
          <tr>
            <th>Strategy</th>
            <th>On</th>
            <th>Position</th>
            <th class="num">Open</th>
            <th class="num">Today</th>
            <th class="num">Total</th>
            <th>Last signal</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track row.strategy.id) {
            @let s = row.strategy;
            <tr data-testid="control-row" [attr.data-strategy]="s.name" [class.errored]="s.status === 'errored'">
              <td class="row-title">
                <strong>{{ s.name }}</strong>
              </td>
              <td data-label="On">
                <input
                  type="checkbox"
                  [checked]="s.enabled"
                  (change)="enabledChange.emit({ strategy: s, enabled: $any($event.target).checked })"
                  [attr.aria-label]="'Enable ' + s.name"
                  data-testid="toggle-enabled"
                />
              </td>
              <td data-label="Position" class="mono" data-testid="row-position">{{ row.position }}</td>
              <td data-label="Open" class="num" data-testid="row-open"><tl-money [value]="s.openPnl" /></td>
              <td data-label="Today" class="num" data-testid="row-today"><tl-money [value]="s.todayPnl" /></td>
              <td data-label="Total" class="num" data-testid="row-total">
                <tl-money [value]="s.totalPnl ?? s.realizedPnl" />
              </td>
              <td data-label="Last signal" class="mono nowrap" data-testid="row-last-signal" [title]="zone.format(s.lastSignalAt)">
                {{ s.lastSignalAt ? zone.short(s.lastSignalAt, now()) : 'never' }}
              </td>
              <td data-label="Status">
                <span
                  class="badge"
                  [class]="s.status === 'enabled' ? 'good' : s.status === 'errored' ? 'bad loud' : 'warn'"
                  [title]="s.statusReason ?? ''"
                  data-testid="row-status"
                  >{{ s.status }}</span
                >
                @if (s.statusReason) {
                  <span class="bad small-text"> {{ s.statusReason }}</span>
                }
              </td>
              <td class="row-actions">
                @if (s.enabled) {
                  <button type="button" class="small" (click)="enabledChange.emit({ strategy: s, enabled: false })" data-testid="disable">
                    Disable
                  </button>
                } @else {
                  <button type="button" class="small" (click)="enabledChange.emit({ strategy: s, enabled: true })" data-testid="enable">
                    Enable
                  </button>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="9" class="muted">No strategies yet: create one on the Strategies page.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class ControlStrategies {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly now = minuteClock();
  /** The live list (the page keeps it). */
  readonly strategies = input.required<readonly StrategyListItem[]>();
  readonly enabledChange = output<EnabledChange>();
  private readonly positions = liveState({
    load: () => this.api.positions({ includeFlat: true }),
    deltas: { POSITION: withPositionUpdate },
  });
  protected readonly error = this.positions.error;

  protected readonly rows = computed(() => {
    const positions = this.positions.value() ?? [];
    return this.strategies().map((strategy) => ({
      strategy,
      position: positionText(positions.filter((p) => p.strategyId === strategy.id && p.quantity !== 0)),
    }));
  });
}
