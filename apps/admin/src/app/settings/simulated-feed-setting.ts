import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { SimulatedFeedState } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';

/** Settings: the simulated feed's demo prices, on or off (kept across restarts). */
@Component({
  selector: 'tl-simulated-feed-setting',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Simulated feed</h2>
    <section class="panel" data-testid="simulated-feed">
      @if (state(); as s) {
        <p>
          <span class="badge" [class]="s.on ? 'warn' : 'good'" data-testid="simulated-feed-state">{{
            s.on ? 'on: demo data' : 'off'
          }}</span>
          The simulated feed makes up prices for tickers no real feed quotes, so everything works before a broker is connected. They are not
          market prices: paper fills take a real quote or the price in the alert first, and every fill says where its price came from.
          @if (!s.feeds.length) {
            <span class="muted">(No simulated feed is installed.)</span>
          }
        </p>
        <button type="button" [disabled]="busy()" (click)="set(!s.on)" data-testid="simulated-feed-toggle">
          {{ s.on ? 'Switch demo prices off' : 'Switch demo prices on' }}
        </button>
      } @else if (!error()) {
        <p class="muted">Loading…</p>
      }
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </section>
  `,
})
export class SimulatedFeedSetting {
  private readonly api = inject(ApiService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly state = signal<SimulatedFeedState | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);

  constructor() {
    this.api
      .simulatedFeed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (s) => this.state.set(s), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected set(on: boolean): void {
    this.busy.set(true);
    this.api
      .setSimulatedFeed(on)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (s) => {
          this.state.set(s);
          this.error.set(null);
          this.busy.set(false);
        },
        error: (e: unknown) => {
          this.error.set(describeError(e));
          this.busy.set(false);
        },
      });
  }
}
