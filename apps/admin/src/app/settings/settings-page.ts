import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { HealthDetails } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { AccountRulesSettings } from './account-rules-settings';
import { AccountSettingsPanel } from './account-settings';
import { ApiTokens } from './api-tokens';
import { KillSwitchPanel } from './kill-switch-panel';
import { NotificationChannels } from './notification-channels';
import { ServerStatus } from './server-status';
import { SignInSettings } from './sign-in-settings';
import { SimulatedFeedSetting } from './simulated-feed-setting';

/** The kill switch, the server and its plugins, demo prices, broker accounts and their prop-firm rules, notifications, API tokens, sessions and the password. */
@Component({
  selector: 'tl-settings-page',
  imports: [
    KillSwitchPanel,
    ServerStatus,
    SimulatedFeedSetting,
    AccountSettingsPanel,
    AccountRulesSettings,
    NotificationChannels,
    ApiTokens,
    SignInSettings,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Settings</h1>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="settings-error">{{ message }}</p>
    }

    <h2>Kill switch</h2>
    <section tl-kill-switch></section>

    @if (health(); as h) {
      <tl-server-status [health]="h" />
    }

    <tl-simulated-feed-setting />
    <tl-account-settings [brokers]="brokers()" />
    <tl-account-rules-settings />
    <tl-notification-channels />
    <tl-api-tokens />
    <tl-sign-in-settings />
  `,
})
export class SettingsPage {
  protected readonly health = signal<HealthDetails | null>(null);
  protected readonly error = signal<string | null>(null);
  /** The broker plugins running, with their account fields: an account can be added for each. */
  protected readonly brokers = computed(() =>
    (this.health()?.plugins ?? []).filter((p) => [p.kind].flat().includes('broker') && p.status === 'started'),
  );

  constructor() {
    inject(ApiService)
      .health()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (health) => this.health.set(health), error: (e: unknown) => this.error.set(describeError(e)) });
  }
}
