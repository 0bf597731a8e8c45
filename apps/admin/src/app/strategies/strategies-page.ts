import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import type { StrategyListItem } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { minuteClock } from '../shared/minute-clock';
import { Money } from '../shared/money';
import { liveStrategyList } from './live-strategy-list';
import { defaultOrderText, positionText } from './strategy-list';

/**
 * Every strategy and how it is doing — position, open, today's and total P&L, last signal — live
 * like the Control Center: REST loads the list, `/ws` moves it, a reconnect reloads it.
 */
@Component({
  selector: 'tl-strategies-page',
  imports: [FormsModule, RouterLink, Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Strategies</h1>
    </div>
    <form class="inline-form" (ngSubmit)="create()">
      <input name="name" [(ngModel)]="name" placeholder="New strategy name" required maxlength="100" data-testid="new-strategy-name" />
      <input name="ticker" [(ngModel)]="ticker" placeholder="Default ticker (optional), e.g. NQ1!" maxlength="64" />
      <button type="submit" [disabled]="!name.trim() || busy()" data-testid="create-strategy">Create</button>
    </form>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (strategies() === null) {
      <p class="muted">Loading strategies…</p>
    } @else {
      <div class="scroll">
        <table class="stack-table" data-testid="strategies">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Position</th>
              <th class="num">Open</th>
              <th class="num">Today</th>
              <th class="num">Total</th>
              <th>Last signal</th>
              <th title="What an alert without a quantity or ticker trades">Default order</th>
            </tr>
          </thead>
          <tbody>
            @for (s of strategies(); track s.id) {
              <tr data-testid="strategy-row" [attr.data-strategy]="s.name">
                <td class="row-title">
                  <a [routerLink]="['/strategies', s.id]">{{ s.name }}</a>
                  @if (s.script) {
                    <span class="muted small-text mono"> {{ s.script }}</span>
                  }
                </td>
                <td data-label="Status">
                  <span
                    class="badge"
                    [class]="s.status === 'enabled' ? 'good' : s.status === 'errored' ? 'bad loud' : 'warn'"
                    [title]="s.statusReason ?? ''"
                    data-testid="strategy-status"
                    >{{ s.status }}</span
                  >
                </td>
                <td data-label="Position" class="mono" data-testid="strategy-position">{{ position(s) }}</td>
                <td data-label="Open" class="num" data-testid="strategy-open"><tl-money [value]="s.openPnl" /></td>
                <td data-label="Today" class="num" data-testid="strategy-today"><tl-money [value]="s.todayPnl" /></td>
                <td data-label="Total" class="num" data-testid="strategy-total"><tl-money [value]="s.totalPnl ?? s.realizedPnl" /></td>
                <td data-label="Last signal" class="mono nowrap" data-testid="strategy-last-signal" [title]="zone.format(s.lastSignalAt)">
                  {{ s.lastSignalAt ? zone.short(s.lastSignalAt, now()) : 'never' }}
                </td>
                <td
                  data-label="Default order"
                  class="mono nowrap"
                  data-testid="strategy-default"
                  title="Quantity × ticker of an alert that names neither"
                >
                  {{ defaultOrder(s) }}
                </td>
              </tr>
            } @empty {
              <tr>
                <td colspan="8" class="muted">No strategies yet. Name one above; its page shows its webhook URL.</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    }
  `,
})
export class StrategiesPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  protected readonly zone = inject(TimeZoneService);
  private readonly list = liveStrategyList();
  protected readonly strategies = this.list.value;
  protected readonly now = minuteClock();
  protected readonly position = (s: StrategyListItem) => positionText(s.position);
  protected readonly defaultOrder = defaultOrderText;
  private readonly createError = signal<string | null>(null);
  protected readonly error = computed(() => this.createError() ?? this.list.error());
  protected readonly busy = signal(false);
  protected name = '';
  protected ticker = '';

  constructor() {
    inject(LiveService).start();
  }

  protected create(): void {
    this.busy.set(true);
    this.createError.set(null);
    this.api.createStrategy({ name: this.name.trim(), ...(this.ticker.trim() ? { defaultTicker: this.ticker.trim() } : {}) }).subscribe({
      next: (created) => void this.router.navigate(['/strategies', created.id]),
      error: (e: unknown) => {
        this.busy.set(false);
        this.createError.set(describeError(e));
      },
    });
  }
}
