import { ChangeDetectionStrategy, Component, type OnInit, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { ApiService, describeError, type Account, type Strategy } from '../core/api.service';
import { CopyButton } from '../shared/copy-button';
import { alertMessage } from './alert-message';

interface Draft {
  name: string;
  description: string;
  accountId: string;
  defaultQuantity: number;
  defaultTicker: string;
  allowedIps: string;
  enabled: boolean;
}

@Component({
  selector: 'tl-strategy-detail-page',
  imports: [FormsModule, CopyButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (strategy(); as s) {
      <div class="page-head">
        <h1>{{ s.name }}</h1>
        <span class="badge" [class]="s.enabled ? 'good' : 'warn'">{{ s.enabled ? 'enabled' : 'disabled' }}</span>
      </div>
      @if (error(); as message) {
        <p class="error" role="alert" data-testid="strategy-error">{{ message }}</p>
      }
      @if (saved()) {
        <p class="good" role="status">Saved.</p>
      }

      <h2>TradingView</h2>
      <div class="panel">
        <label class="label" for="webhook-url">Webhook URL</label>
        <div class="copy-row">
          <code id="webhook-url" class="mono url" data-testid="webhook-url">{{ s.webhookUrl }}</code>
          <tl-copy-button [text]="s.webhookUrl" testId="copy-webhook-url" />
        </div>
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

      <h2>Settings</h2>
      <form class="panel form-grid" (ngSubmit)="save()">
        <label>Name <input name="name" [(ngModel)]="draft.name" required maxlength="100" /></label>
        <label
          >Account
          <select name="accountId" [(ngModel)]="draft.accountId">
            @for (a of accounts(); track a.id) {
              <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
            }
          </select>
        </label>
        <label
          >Default quantity <input name="defaultQuantity" type="number" min="0.00000001" step="any" [(ngModel)]="draft.defaultQuantity"
        /></label>
        <label
          >Default ticker <input name="defaultTicker" [(ngModel)]="draft.defaultTicker" placeholder="e.g. NQ1!" maxlength="64"
        /></label>
        <label class="wide">Description <input name="description" [(ngModel)]="draft.description" maxlength="500" /></label>
        <label class="wide"
          >Allowed addresses (comma separated; empty: any)
          <span class="copy-row">
            <input name="allowedIps" [(ngModel)]="draft.allowedIps" placeholder="tradingview, 203.0.113.0/24" data-testid="allowed-ips" />
            <button type="button" class="small" (click)="draft.allowedIps = 'tradingview'">TradingView only</button>
          </span>
        </label>
        <label class="check"><input name="enabled" type="checkbox" [(ngModel)]="draft.enabled" /> Enabled: takes alerts</label>
        <div class="actions">
          <button type="submit" data-testid="save-strategy">Save</button>
          <button type="button" class="danger" (click)="remove()">Delete strategy</button>
        </div>
      </form>
    } @else if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else {
      <p class="muted">Loading…</p>
    }
  `,
})
export class StrategyDetailPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  /** From the route. */
  readonly id = input.required<string>();
  protected readonly strategy = signal<Strategy | null>(null);
  protected readonly accounts = signal<Account[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly saved = signal(false);
  protected readonly message = alertMessage();
  protected draft: Draft = {
    name: '',
    description: '',
    accountId: '',
    defaultQuantity: 1,
    defaultTicker: '',
    allowedIps: '',
    enabled: true,
  };
  protected readonly loaded = computed(() => this.strategy() !== null);

  ngOnInit(): void {
    this.api.strategy(this.id()).subscribe({ next: (s) => this.show(s), error: (e: unknown) => this.error.set(describeError(e)) });
    this.api.accounts().subscribe({ next: (a) => this.accounts.set(a), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected save(): void {
    this.saved.set(false);
    this.error.set(null);
    const allowedIps = this.draft.allowedIps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    this.api
      .updateStrategy(this.id(), {
        name: this.draft.name,
        description: this.draft.description,
        accountId: this.draft.accountId,
        defaultQuantity: Number(this.draft.defaultQuantity),
        ...(this.draft.defaultTicker.trim() ? { defaultTicker: this.draft.defaultTicker.trim() } : {}),
        allowedIps,
        enabled: this.draft.enabled,
      })
      .subscribe({
        next: (s) => {
          this.show(s);
          this.saved.set(true);
        },
        error: (e: unknown) => this.error.set(describeError(e)),
      });
  }

  protected rotate(): void {
    if (!confirm('Rotate the webhook token? Alerts still using the old URL will be refused.')) return;
    this.api.rotateToken(this.id()).subscribe({ next: (s) => this.show(s), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected remove(): void {
    if (!confirm('Delete this strategy? Its trades stay in the history.')) return;
    this.api.deleteStrategy(this.id()).subscribe({
      next: () => void this.router.navigate(['/strategies']),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  private show(s: Strategy): void {
    this.strategy.set(s);
    this.draft = {
      name: s.name,
      description: s.description,
      accountId: s.accountId,
      defaultQuantity: s.defaultQuantity,
      defaultTicker: s.defaultTicker ?? '',
      allowedIps: s.allowedIps.join(', '),
      enabled: s.enabled,
    };
  }
}
