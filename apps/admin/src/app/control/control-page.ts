import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { ApiService, describeError } from '../core/api.service';
import { LiveService } from '../core/live.service';
import { LogStream } from '../shared/log-stream';
import { liveStrategyList } from '../strategies/live-strategy-list';
import { AccountBalances } from './account-balances';
import { AccountRulesPanel } from './account-rules-panel';
import { ControlStrategies, type EnabledChange } from './control-strategies';
import { DeadLetters } from './dead-letters';
import { WorkingOrders } from './working-orders';

/**
 * One live row per strategy, account balances, working orders, failed alerts and the log of
 * everything: the page a trader keeps open, on a laptop or a phone. Each part loads over REST,
 * moves with `/ws` and loads again after a reconnect.
 */
@Component({
  selector: 'tl-control-page',
  imports: [ControlStrategies, AccountBalances, AccountRulesPanel, WorkingOrders, DeadLetters, LogStream],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Control Center</h1>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @for (s of errored(); track s.id) {
      <p class="error errored-banner" role="alert" data-testid="errored-banner">
        <strong>{{ s.name }} stopped with an error</strong> and takes no alerts: {{ s.statusReason ?? 'no reason given' }}. Fix the cause,
        then enable it again.
      </p>
    }

    <h2>Strategies</h2>
    <tl-control-strategies [strategies]="strategies.value() ?? []" (enabledChange)="setEnabled($event)" />

    <div class="columns">
      <section tl-account-balances></section>
      <section tl-working-orders></section>
    </div>

    <section tl-account-rules-panel></section>

    <tl-dead-letters [strategies]="names()" />

    <h2>AutoTrader log</h2>
    <tl-log-stream [strategies]="names()" />
  `,
})
export class ControlPage {
  private readonly api = inject(ApiService);
  protected readonly strategies = liveStrategyList();
  private readonly toggleError = signal<string | null>(null);
  protected readonly error = computed(() => this.toggleError() ?? this.strategies.error());
  protected readonly errored = computed(() => (this.strategies.value() ?? []).filter((s) => s.status === 'errored'));
  protected readonly names = computed(() => (this.strategies.value() ?? []).map(({ id, name }) => ({ id, name })), {
    // P&L pushes move the list every second; the names only change with a STRATEGY message.
    equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });

  constructor() {
    inject(LiveService).start();
  }

  protected setEnabled({ strategy, enabled }: EnabledChange): void {
    this.toggleError.set(null);
    this.api.updateStrategy(strategy.id, { enabled }).subscribe({
      // The answer has the settings; the live numbers stay as they are.
      next: (updated) => this.strategies.update((list) => list.map((s) => (s.id === updated.id ? { ...s, ...updated } : s))),
      error: (error: unknown) => this.toggleError.set(describeError(error)),
    });
  }
}
