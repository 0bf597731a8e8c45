import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import type { WebhookEventView } from '@tradeloop/contracts';
import { type Observable, debounceTime, filter } from 'rxjs';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { minuteClock } from '../shared/minute-clock';

/** A burst of engine warnings costs one reload. */
const RELOAD_DEBOUNCE_MS = 500;

/** The alert in a few words: `buy 2 NQ1!`, `positionSize -1 ES1!`. */
export function alertText(event: Pick<WebhookEventView, 'alert'>): string {
  const a = event.alert;
  const parts = [a['positionSize'] !== undefined ? `positionSize ${String(a['positionSize'])}` : a['action'], a['quantity'], a['ticker']];
  return parts
    .filter((p) => p !== undefined && p !== null)
    .map(String)
    .join(' ');
}

/**
 * Accepted alerts that failed (the dead letters), with Retry and Dismiss. Loaded again when the
 * engine reports a failure: the log says so, the event listing has the details.
 */
@Component({
  selector: 'tl-dead-letters',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Failed alerts</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (state.value()?.length) {
      <div class="scroll">
        <table class="stack-table" data-testid="dead-letters">
          <thead>
            <tr>
              <th>Strategy</th>
              <th>Received</th>
              <th>Alert</th>
              <th>Why it failed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            @for (e of state.value(); track e.id) {
              <tr data-testid="dead-letter">
                <td class="row-title">{{ nameOf(e.strategyId) }}</td>
                <td data-label="Received" class="mono nowrap" [title]="zone.format(e.receivedAt)">{{ zone.short(e.receivedAt, now()) }}</td>
                <td data-label="Alert" class="mono small-text">{{ alertText(e) }}</td>
                <td data-label="Why" class="bad small-text">{{ e.error ?? 'no reason recorded' }}</td>
                <td class="row-actions nowrap">
                  <button type="button" class="small" (click)="settle(api.retryEvent(e.id))" data-testid="retry-event">Retry</button>
                  <button type="button" class="small" (click)="settle(api.dismissEvent(e.id))" data-testid="dismiss-event">Dismiss</button>
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    } @else {
      <p class="muted small-text" data-testid="no-dead-letters">None: every accepted alert ran.</p>
    }
  `,
})
export class DeadLetters {
  protected readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly now = minuteClock();
  protected readonly alertText = alertText;
  /** For the strategies' names. */
  readonly strategies = input<{ id: string; name: string }[]>([]);
  protected readonly state = liveState({
    load: () => this.api.events({ status: 'failed', limit: 100 }),
    reloadOn: inject(LiveService)
      .on('LOG')
      .pipe(
        filter((l) => l.category === 'engine' && (l.level === 'warn' || l.level === 'error')),
        debounceTime(RELOAD_DEBOUNCE_MS),
      ),
  });
  private readonly actionError = signal<string | null>(null);
  protected readonly error = computed(() => this.actionError() ?? this.state.error());

  protected nameOf(strategyId: string): string {
    return this.strategies().find((s) => s.id === strategyId)?.name ?? strategyId.slice(0, 8);
  }

  /** Retry or dismiss, then the list as it is now. */
  protected settle(call: Observable<WebhookEventView>): void {
    this.actionError.set(null);
    call.subscribe({ next: () => this.state.reload(), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }
}
