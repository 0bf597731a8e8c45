import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { ApiService, describeError, type Strategy } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';

@Component({
  selector: 'tl-strategies-page',
  imports: [FormsModule, RouterLink],
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
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Default</th>
              <th>Last alert</th>
            </tr>
          </thead>
          <tbody>
            @for (s of strategies(); track s.id) {
              <tr data-testid="strategy-row">
                <td>
                  <a [routerLink]="['/strategies', s.id]">{{ s.name }}</a>
                </td>
                <td>
                  <span
                    class="badge"
                    [class]="s.status === 'enabled' ? 'good' : s.status === 'errored' ? 'bad loud' : 'warn'"
                    [title]="s.statusReason ?? ''"
                    >{{ s.status }}</span
                  >
                  @if (s.script) {
                    <span class="muted small-text mono"> {{ s.script }}</span>
                  }
                </td>
                <td class="mono">{{ s.defaultQuantity }} {{ s.defaultTicker ?? '' }}</td>
                <td class="mono nowrap" [title]="zone.format(s.lastSignalAt)" data-testid="strategy-last-alert">
                  {{ s.lastSignalAt ? zone.short(s.lastSignalAt, now) : 'never' }}
                </td>
              </tr>
            } @empty {
              <tr>
                <td colspan="4" class="muted">No strategies yet. Name one above; its page shows its webhook URL.</td>
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
  protected readonly now = Date.now();
  protected readonly strategies = signal<Strategy[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected name = '';
  protected ticker = '';

  constructor() {
    this.api.strategies().subscribe({ next: (list) => this.strategies.set(list), error: (e: unknown) => this.error.set(describeError(e)) });
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
