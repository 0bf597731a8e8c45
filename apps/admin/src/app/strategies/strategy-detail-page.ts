import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import type { StrategyDetail, StrategyView } from '@tradeloop/contracts';
import { forkJoin } from 'rxjs';
import { StrategyAnalytics } from '../analytics/strategy-analytics';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { PnlCalendarPanel } from '../pnl/pnl-calendar-panel';
import { PnlSeriesPanel } from '../pnl/pnl-series-panel';
import { PnlSummaryPanel } from '../pnl/pnl-summary-panel';
import { TradeHistory } from '../pnl/trade-history';
import { CopyButton } from '../shared/copy-button';
import { LogStream } from '../shared/log-stream';
import { alertMessage } from './alert-message';
import { AlertPreviewPanel } from './alert-preview';
import { StrategySettings } from './strategy-settings';
import { WebhookUrl } from './webhook-url';

/**
 * One strategy: its status, what to paste into TradingView, a test box for alerts, its own
 * performance and log, and its settings. Loaded with the accounts and scripts its settings offer;
 * `STRATEGY` messages move its status, a reconnect loads it again.
 */
@Component({
  selector: 'tl-strategy-detail-page',
  imports: [
    CopyButton,
    WebhookUrl,
    PnlSummaryPanel,
    PnlSeriesPanel,
    PnlCalendarPanel,
    TradeHistory,
    LogStream,
    AlertPreviewPanel,
    StrategySettings,
    StrategyAnalytics,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (strategy(); as s) {
      <div class="page-head">
        <h1>{{ s.name }}</h1>
        <span
          class="badge"
          [class]="s.status === 'enabled' ? 'good' : s.status === 'errored' ? 'bad loud' : 'warn'"
          data-testid="strategy-status"
          >{{ s.status }}</span
        >
      </div>
      @if (s.status === 'errored') {
        <p class="error errored-banner" role="alert" data-testid="strategy-errored">
          <strong>Stopped with an error</strong>: {{ s.statusReason ?? 'no reason given' }}. It takes no alerts until it is enabled again
          (fix the script first).
          <button type="button" class="small" (click)="enable()">Enable again</button>
        </p>
      }
      @if (error(); as message) {
        <p class="error" role="alert" data-testid="strategy-error">{{ message }}</p>
      }

      <h2>TradingView</h2>
      <div class="panel">
        <label class="label" for="webhook-url">Webhook URL</label>
        <tl-webhook-url [url]="s.webhookUrl" />
        <label class="label">Alert message</label>
        <div class="copy-row">
          <pre class="mono" data-testid="alert-message">{{ message }}</pre>
          <tl-copy-button [text]="message" testId="copy-alert-message" />
        </div>
        <p class="muted">
          Paste both into the alert's Notifications tab. The URL is the only secret TradingView holds: if it leaks, rotate it (the old URL
          stops at once).
        </p>
        <button type="button" (click)="rotate()" data-testid="rotate-token">Rotate webhook token</button>
      </div>
      <tl-alert-preview [strategyId]="s.id" [defaultTicker]="s.defaultTicker" />

      <h2>Performance</h2>
      <tl-pnl-summary [strategyId]="s.id" />
      <tl-pnl-series [strategyId]="s.id" />
      <tl-pnl-calendar-panel [strategyId]="s.id" />
      <tl-trade-history [strategyId]="s.id" />

      <h2>Analytics</h2>
      <!-- Its charts load with it, in a chunk of their own, after the page is on screen. -->
      @defer (on immediate) {
        <tl-strategy-analytics [strategyId]="s.id" />
      } @placeholder {
        <div class="panel"><p class="muted">Loading the analytics…</p></div>
      }

      <h2>Log</h2>
      <tl-log-stream [strategyId]="s.id" />

      <h2>Settings</h2>
      @if (form(); as f) {
        <tl-strategy-settings [strategy]="f" [accounts]="accounts()" [scripts]="scripts()" (saved)="show($event)" />
      }
    } @else if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else {
      <p class="muted">Loading…</p>
    }
  `,
})
export class StrategyDetailPage {
  private readonly api = inject(ApiService);
  /** From the route. */
  readonly id = input.required<string>();
  protected readonly message = alertMessage();
  /** What the settings form starts from: set on the first load, and by the page's own changes. */
  protected readonly form = signal<StrategyDetail | null>(null);
  private readonly page = liveState({
    params: () => this.id(),
    load: (id) => forkJoin({ strategy: this.api.strategy(id), accounts: this.api.accounts(), scripts: this.api.scripts() }),
    // A reload after a reconnect refreshes the page, not the form being edited.
    onLoad: ({ strategy }) => {
      if (this.form()?.id !== strategy.id) this.form.set(strategy);
    },
    deltas: {
      STRATEGY: (page, s) =>
        s.id !== page.strategy.id
          ? page
          : {
              ...page,
              strategy: { ...page.strategy, name: s.name, status: s.status, statusReason: s.reason, enabled: s.status === 'enabled' },
            },
    },
  });
  protected readonly strategy = computed(() => this.page.value()?.strategy ?? null);
  protected readonly accounts = computed(() => this.page.value()?.accounts ?? []);
  protected readonly scripts = computed(() => this.page.value()?.scripts ?? []);
  private readonly actionError = signal<string | null>(null);
  protected readonly error = computed(() => this.actionError() ?? this.page.error());

  protected enable(): void {
    this.change(this.api.updateStrategy(this.id(), { enabled: true }));
  }

  protected rotate(): void {
    if (!confirm('Rotate the webhook token? Alerts still using the old URL will be refused.')) return;
    this.change(this.api.rotateToken(this.id()));
  }

  /** The strategy as the server now keeps it, on the page and in the form. */
  protected show(strategy: StrategyDetail): void {
    this.page.update((page) => ({ ...page, strategy }));
    this.form.set(strategy);
  }

  /** The answer has the settings only: the live numbers and links stay as shown. */
  private change(call: ReturnType<ApiService['updateStrategy']>): void {
    this.actionError.set(null);
    call.subscribe({
      next: (settings: StrategyView) => {
        const shown = this.strategy();
        if (shown) this.show({ ...shown, ...settings });
      },
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }
}
