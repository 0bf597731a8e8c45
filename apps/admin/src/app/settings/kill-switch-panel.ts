import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { KillSwitchState } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';

/** The kill switch: whether it is engaged, since when and why; engaging takes a confirm step and says what it stopped. */
@Component({
  selector: 'section[tl-kill-switch]',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel kill-switch', '[class.engaged]': 'state()?.engaged', 'data-testid': 'kill-switch' },
  template: `
    @if (state(); as k) {
      @if (k.engaged) {
        <p>
          <span class="badge bad loud" data-testid="kill-switch-state">engaged</span>
          since {{ zone.format(k.since) }}: {{ k.reason ?? 'no reason given' }}. Every strategy was disabled, every working order cancelled
          and every position closed; until it is released only orders that reduce a position pass.
        </p>
        <button type="button" [disabled]="busy()" (click)="release()" data-testid="release-kill-switch">Release kill switch</button>
        <span class="muted small-text"> Strategies stay disabled after a release until each is enabled again.</span>
      } @else {
        <p>
          <span class="badge good" data-testid="kill-switch-state">released</span>
          Engaging it disables every strategy, cancels every working order and closes every position at market.
        </p>
        @if (confirming()) {
          <form class="inline-form" (ngSubmit)="engage()">
            <input name="killReason" [(ngModel)]="reason" placeholder="Why (optional)" maxlength="200" data-testid="kill-reason" />
            <button type="submit" class="danger" [disabled]="busy()" data-testid="confirm-kill-switch">Yes: stop everything now</button>
            <button type="button" (click)="confirming.set(false)" data-testid="cancel-kill-switch">Cancel</button>
          </form>
        } @else {
          <button type="button" class="danger" (click)="confirming.set(true)" data-testid="engage-kill-switch">Engage kill switch</button>
        }
      }
    } @else if (!error()) {
      <p class="muted">Loading…</p>
    }
    @if (notice(); as n) {
      <p class="good" role="status" data-testid="kill-switch-notice">{{ n }}</p>
    }
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="kill-switch-error">{{ message }}</p>
    }
  `,
})
export class KillSwitchPanel {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly state = signal<KillSwitchState | null>(null);
  protected readonly confirming = signal(false);
  protected readonly busy = signal(false);
  protected readonly notice = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected reason = '';

  constructor() {
    this.api
      .killSwitch()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (state) => this.state.set(state), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected engage(): void {
    this.start();
    this.api.engageKillSwitch(this.reason.trim() || undefined).subscribe({
      next: (result) => {
        this.busy.set(false);
        this.confirming.set(false);
        this.reason = '';
        this.state.set({ engaged: result.engaged, since: result.since, reason: result.reason });
        const refused = result.orders.filter((o) => o.status === 'rejected');
        this.notice.set(
          `Kill switch engaged: ${result.strategiesDisabled} strateg${result.strategiesDisabled === 1 ? 'y' : 'ies'} disabled, ` +
            `${result.cancelled} working order${result.cancelled === 1 ? '' : 's'} cancelled, ` +
            `${result.orders.length} closing order${result.orders.length === 1 ? '' : 's'} sent.`,
        );
        if (refused.length) {
          this.error.set(
            `Not closed: ${refused.map((o) => `${o.side} ${o.quantity} ${o.ticker} (${o.reason ?? 'no reason given'})`).join('; ')}`,
          );
        }
      },
      error: (e: unknown) => this.fail(e),
    });
  }

  protected release(): void {
    this.start();
    this.api.releaseKillSwitch().subscribe({
      next: (state) => {
        this.busy.set(false);
        this.state.set(state);
        this.notice.set('Kill switch released. Strategies stay disabled until you enable them.');
      },
      error: (e: unknown) => this.fail(e),
    });
  }

  private start(): void {
    this.busy.set(true);
    this.notice.set(null);
    this.error.set(null);
  }

  private fail(e: unknown): void {
    this.busy.set(false);
    this.error.set(describeError(e));
  }
}
