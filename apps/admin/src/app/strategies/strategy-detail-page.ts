import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { catchError, combineLatest, filter, forkJoin, of, startWith, switchMap } from 'rxjs';
import {
  ApiService,
  describeError,
  type Account,
  type LogLine,
  type ScriptInfo,
  type ScriptParamValue,
  type Strategy,
} from '../core/api.service';
import { LiveService } from '../core/live.service';
import { PnlCalendarPanel } from '../pnl/pnl-calendar-panel';
import { PnlSeriesPanel } from '../pnl/pnl-series-panel';
import { PnlSummaryPanel } from '../pnl/pnl-summary-panel';
import { TradeHistory } from '../pnl/trade-history';
import { CopyButton } from '../shared/copy-button';
import { LogStream, logLine } from '../shared/log-stream';
import { alertMessage } from './alert-message';
import { paramFields, paramOverrides, type ParamField } from './script-params';

interface Draft {
  name: string;
  description: string;
  accountId: string;
  defaultQuantity: number;
  defaultTicker: string;
  allowedIps: string;
  enabled: boolean;
  /** '' for none. */
  script: string;
  params: Record<string, ScriptParamValue | null>;
}

@Component({
  selector: 'tl-strategy-detail-page',
  imports: [FormsModule, CopyButton, PnlSummaryPanel, PnlSeriesPanel, PnlCalendarPanel, TradeHistory, LogStream],
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

      <h2>Performance</h2>
      <tl-pnl-summary [strategyId]="s.id" />
      <tl-pnl-series [strategyId]="s.id" />
      <tl-pnl-calendar-panel [strategyId]="s.id" />
      <tl-trade-history [strategyId]="s.id" />

      <h2>Log</h2>
      <tl-log-stream [strategyFilterShown]="false" />

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
        <label
          >Script
          <select name="script" [ngModel]="draft.script" (ngModelChange)="chooseScript($event)" data-testid="strategy-script">
            <option value="">None: trade the alerts as they come</option>
            @for (sc of scripts(); track sc.name) {
              <option [value]="sc.name" [disabled]="!sc.loaded">{{ sc.name }}{{ sc.loaded ? '' : ' (does not load)' }}</option>
            }
          </select>
        </label>
        <label class="check"><input name="enabled" type="checkbox" [(ngModel)]="draft.enabled" /> Enabled: takes alerts</label>
        @if (draft.script) {
          <fieldset class="wide params" data-testid="script-params">
            <legend>Parameters of {{ draft.script }}</legend>
            @for (field of fields(); track field.key) {
              @switch (field.type) {
                @case ('boolean') {
                  <label class="check"
                    ><input
                      type="checkbox"
                      [name]="'param-' + field.key"
                      [(ngModel)]="draft.params[field.key]"
                      [attr.data-param]="field.key"
                    />
                    {{ field.key }} <span class="muted">(default {{ field.defaultText }})</span></label
                  >
                }
                @case ('number') {
                  <label
                    >{{ field.key }} <span class="muted">(default {{ field.defaultText }})</span>
                    <input
                      type="number"
                      step="any"
                      [name]="'param-' + field.key"
                      [(ngModel)]="draft.params[field.key]"
                      [placeholder]="field.defaultText"
                      [attr.data-param]="field.key"
                  /></label>
                }
                @default {
                  <label
                    >{{ field.key }} <span class="muted">(default {{ field.defaultText }})</span>
                    <input
                      [name]="'param-' + field.key"
                      [(ngModel)]="draft.params[field.key]"
                      [placeholder]="field.defaultText"
                      [attr.data-param]="field.key"
                  /></label>
                }
              }
            } @empty {
              <p class="muted">This script declares no parameters.</p>
            }
          </fieldset>
        }
        <div class="actions">
          <button type="submit" data-testid="save-strategy">Save</button>
          <button type="button" class="danger" (click)="remove()">Delete strategy</button>
          @if (saved()) {
            <span class="good" role="status">Saved.</span>
          }
        </div>
        @if (saveError(); as message) {
          <p class="error wide" role="alert" data-testid="save-error">{{ message }}</p>
        }
      </form>
    } @else if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else {
      <p class="muted">Loading…</p>
    }
  `,
})
export class StrategyDetailPage {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  private readonly router = inject(Router);
  /** From the route. */
  readonly id = input.required<string>();
  protected readonly strategy = signal<Strategy | null>(null);
  protected readonly accounts = signal<Account[]>([]);
  protected readonly scripts = signal<ScriptInfo[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly saved = signal(false);
  protected readonly saveError = signal<string | null>(null);
  protected readonly message = alertMessage();
  private readonly logStream = viewChild(LogStream);
  /** The log as loaded, for the log panel once it is drawn. */
  private readonly loadedLogs = signal<LogLine[] | null>(null);
  /** The script chosen in the form (the draft is a plain object for the form; this follows it). */
  private readonly chosenScript = signal('');
  protected readonly fields = computed<ParamField[]>(() => {
    const script = this.scripts().find((s) => s.name === this.chosenScript());
    return script ? paramFields(script.params) : [];
  });
  protected draft: Draft = {
    name: '',
    description: '',
    accountId: '',
    defaultQuantity: 1,
    defaultTicker: '',
    allowedIps: '',
    enabled: true,
    script: '',
    params: {},
  };

  constructor() {
    const destroyRef = inject(DestroyRef);
    combineLatest([toObservable(this.id), this.live.reconnected$.pipe(startWith(undefined))])
      .pipe(
        switchMap(([id]) =>
          forkJoin({
            strategy: this.api.strategy(id),
            accounts: this.api.accounts(),
            scripts: this.api.scripts(),
            logs: this.api.logs({ strategyId: id, limit: 200 }),
          }).pipe(
            catchError((e: unknown) => {
              this.error.set(describeError(e));
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((state) => {
        if (!state) return;
        this.error.set(null);
        this.accounts.set(state.accounts);
        this.scripts.set(state.scripts);
        // A reload after a reconnect refreshes the page, not the form being edited.
        if (this.strategy()?.id === state.strategy.id) this.strategy.set(state.strategy);
        else this.show(state.strategy);
        this.loadedLogs.set(state.logs);
      });
    // The log panel is drawn once the strategy is shown.
    effect(() => {
      const stream = this.logStream();
      const logs = this.loadedLogs();
      if (stream && logs) untracked(() => stream.reset(logs));
    });

    this.live
      .on('STRATEGY')
      .pipe(
        filter((s) => s.id === this.id()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((s) =>
        this.strategy.update((x) => x && { ...x, name: s.name, status: s.status, statusReason: s.reason, enabled: s.status === 'enabled' }),
      );
    this.live
      .on('LOG')
      .pipe(
        filter((l) => l.strategyId === this.id()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((l) => this.logStream()?.add(logLine(l)));
  }

  protected chooseScript(name: string): void {
    this.draft.script = name;
    const current = this.strategy();
    // The strategy's own values for its own script; the new script's defaults otherwise.
    const declared = this.scripts().find((s) => s.name === name)?.params ?? {};
    this.draft.params = { ...declared, ...(current?.script === name ? (current.params ?? {}) : {}) };
    this.chosenScript.set(name);
  }

  protected save(): void {
    this.saved.set(false);
    this.saveError.set(null);
    const allowedIps = this.draft.allowedIps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const script = this.scripts().find((s) => s.name === this.draft.script);
    this.api
      .updateStrategy(this.id(), {
        name: this.draft.name,
        description: this.draft.description,
        accountId: this.draft.accountId,
        defaultQuantity: Number(this.draft.defaultQuantity),
        ...(this.draft.defaultTicker.trim() ? { defaultTicker: this.draft.defaultTicker.trim() } : {}),
        allowedIps,
        enabled: this.draft.enabled,
        ...(this.draft.script
          ? { script: this.draft.script, params: paramOverrides(script?.params ?? {}, this.draft.params) }
          : { script: null }),
      })
      .subscribe({
        next: (s) => {
          this.show({ ...this.strategy()!, ...s });
          this.saved.set(true);
        },
        error: (e: unknown) => this.saveError.set(describeError(e)),
      });
  }

  protected enable(): void {
    this.api.updateStrategy(this.id(), { enabled: true }).subscribe({
      next: (s) => this.show({ ...this.strategy()!, ...s }),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  protected rotate(): void {
    if (!confirm('Rotate the webhook token? Alerts still using the old URL will be refused.')) return;
    this.api.rotateToken(this.id()).subscribe({
      next: (s) => this.show({ ...this.strategy()!, ...s }),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
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
      script: s.script ?? '',
      params: {},
    };
    this.chooseScript(s.script ?? '');
  }
}
