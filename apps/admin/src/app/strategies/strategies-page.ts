import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { interval, merge, map, startWith, switchMap } from 'rxjs';
import { ApiService, describeError, showingErrorIn, type Strategy } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { Money } from '../shared/money';
import { defaultOrderText, positionText, withLiveMessage, type StrategyListMessage } from './strategy-list';

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
  private readonly live = inject(LiveService);
  private readonly router = inject(Router);
  protected readonly zone = inject(TimeZoneService);
  protected readonly strategies = signal<readonly Strategy[] | null>(null);
  /** Moves once a minute, so "today" in short times follows the clock. */
  protected readonly now = signal(Date.now());
  protected readonly position = (s: Strategy) => positionText(s.position);
  protected readonly defaultOrder = defaultOrderText;
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected name = '';
  protected ticker = '';

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.live.start();
    this.live.reconnected$
      .pipe(
        startWith(undefined),
        switchMap(() => this.api.strategies().pipe(showingErrorIn(this.error))),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((list) => {
        if (!list) return;
        this.error.set(null);
        this.strategies.set(list);
      });
    merge(
      this.live.on('PNL').pipe(map((data): StrategyListMessage => ({ type: 'PNL', data }))),
      this.live.on('POSITION').pipe(map((data): StrategyListMessage => ({ type: 'POSITION', data }))),
      this.live.on('LOG').pipe(map((data): StrategyListMessage => ({ type: 'LOG', data }))),
      this.live.on('STRATEGY').pipe(map((data): StrategyListMessage => ({ type: 'STRATEGY', data }))),
    )
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((message) => {
        const list = this.strategies();
        // A strategy made elsewhere (another tab, the API): load the list again.
        if (message.type === 'STRATEGY' && list && !list.some((s) => s.id === message.data.id)) {
          this.api
            .strategies()
            .pipe(showingErrorIn(this.error))
            .subscribe((fresh) => fresh && this.strategies.set(fresh));
          return;
        }
        if (list) this.strategies.set(withLiveMessage(list, message));
      });
    interval(60_000)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.now.set(Date.now()));
  }

  protected create(): void {
    this.busy.set(true);
    this.error.set(null);
    this.api.createStrategy({ name: this.name.trim(), ...(this.ticker.trim() ? { defaultTicker: this.ticker.trim() } : {}) }).subscribe({
      next: (created) => void this.router.navigate(['/strategies', created.id]),
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(describeError(e));
      },
    });
  }
}
