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
import { combineLatest, filter, forkJoin, of, startWith, switchMap } from 'rxjs';
import {
  ApiService,
  describeError,
  type Account,
  type LogLine,
  type ScriptInfo,
  type ScriptParamValue,
  type Strategy,
  showingErrorIn,
} from '../core/api.service';
import { LiveService } from '../core/live.service';
import { TimeZoneService } from '../core/time-zone.service';
import { PnlCalendarPanel } from '../pnl/pnl-calendar-panel';
import { PnlSeriesPanel } from '../pnl/pnl-series-panel';
import { PnlSummaryPanel } from '../pnl/pnl-summary-panel';
import { TradeHistory } from '../pnl/trade-history';
import { CopyButton } from '../shared/copy-button';
import { LogStream, logLine } from '../shared/log-stream';
import { alertMessage } from './alert-message';
import { AlertPreviewPanel } from './alert-preview';
import { WebhookUrl } from './webhook-url';
import { paramFields, paramOverrides, type ParamField } from './script-params';
import {
  EXIT_KINDS,
  exitsDraft,
  exitsInput,
  linkDrafts,
  linkInputs,
  newLink,
  riskDraft,
  riskInput,
  type ExitsDraft,
  type LinkDraft,
  type RiskDraft,
} from './strategy-controls';

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
  links: LinkDraft[];
  exits: ExitsDraft;
  risk: RiskDraft;
}

@Component({
  selector: 'tl-strategy-detail-page',
  imports: [
    FormsModule,
    CopyButton,
    WebhookUrl,
    PnlSummaryPanel,
    PnlSeriesPanel,
    PnlCalendarPanel,
    TradeHistory,
    LogStream,
    AlertPreviewPanel,
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
        <fieldset class="wide params" data-testid="strategy-links">
          <legend>Copy to accounts (links)</legend>
          <p class="muted small-text wide">
            Each alert is also traded on these accounts: contracts per contract of the signal (futures round toward zero), optionally on
            another symbol (alerts on NQ1!, trade MNQ1!) or the other way round. The strategy's own account above is its recorder.
            @if (draft.script) {
              Links apply to pass-through strategies: a script trades its own account only.
            }
          </p>
          @for (link of draft.links; track $index; let i = $index) {
            <div class="link-row wide" data-testid="link-row">
              <label
                >Account
                <select [name]="'link-account-' + i" [(ngModel)]="link.accountId" data-testid="link-account">
                  <option value="" disabled>Choose…</option>
                  @for (a of linkableAccounts(); track a.id) {
                    <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
                  }
                </select>
              </label>
              <label
                >Multiplier
                <input
                  type="number"
                  min="0"
                  step="any"
                  [name]="'link-multiplier-' + i"
                  [(ngModel)]="link.multiplier"
                  placeholder="1"
                  data-testid="link-multiplier"
              /></label>
              <label
                >Symbol override
                <input
                  [name]="'link-symbol-' + i"
                  [(ngModel)]="link.symbolOverride"
                  placeholder="same as the alert"
                  maxlength="64"
                  data-testid="link-symbol"
              /></label>
              <label class="check"
                ><input type="checkbox" [name]="'link-inverse-' + i" [(ngModel)]="link.inverse" data-testid="link-inverse" /> Inverse</label
              >
              <label class="check"
                ><input type="checkbox" [name]="'link-enabled-' + i" [(ngModel)]="link.enabled" data-testid="link-enabled" /> Enabled</label
              >
              <button type="button" class="small danger" (click)="removeLink(i)" data-testid="remove-link">Remove</button>
            </div>
          } @empty {
            <p class="muted wide" data-testid="no-links">Not copied to any other account.</p>
          }
          <div class="wide">
            <button type="button" class="small" (click)="addLink()" [disabled]="!linkableAccounts().length" data-testid="add-link">
              Add an account
            </button>
          </div>
        </fieldset>

        <fieldset class="wide params" data-testid="strategy-exits">
          <legend>Exits: a bracket on what each alert opens</legend>
          <label
            >Take profit
            <span class="exit-target">
              <input
                name="exit-tp"
                type="number"
                min="0"
                step="any"
                [(ngModel)]="draft.exits.takeProfit"
                placeholder="none"
                data-testid="exit-tp"
              />
              <select name="exit-tp-kind" [(ngModel)]="draft.exits.takeProfitKind" data-testid="exit-tp-kind">
                @for (k of exitKinds; track k) {
                  <option [value]="k">{{ k }}</option>
                }
              </select>
            </span>
          </label>
          <label
            >Stop loss
            <span class="exit-target">
              <input
                name="exit-sl"
                type="number"
                min="0"
                step="any"
                [(ngModel)]="draft.exits.stopLoss"
                placeholder="none"
                data-testid="exit-sl"
              />
              <select name="exit-sl-kind" [(ngModel)]="draft.exits.stopLossKind" data-testid="exit-sl-kind">
                @for (k of exitKinds; track k) {
                  <option [value]="k">{{ k }}</option>
                }
              </select>
            </span>
          </label>
          <label
            >Break-even after (ticks in profit)
            <input
              name="exit-be"
              type="number"
              min="0"
              step="1"
              [(ngModel)]="draft.exits.breakEvenTicks"
              placeholder="off"
              data-testid="exit-breakeven"
          /></label>
          <label
            >Trailing stop (ticks behind the best price)
            <input
              name="exit-trail"
              type="number"
              min="0"
              step="1"
              [(ngModel)]="draft.exits.trailingTicks"
              placeholder="off"
              data-testid="exit-trailing"
          /></label>
          <p class="muted small-text wide">An alert's own takeProfit / stopLoss wins over these; percents are of the alert's price.</p>
        </fieldset>

        <fieldset class="wide params" data-testid="strategy-risk">
          <legend>Risk limits</legend>
          <label
            >Max position (contracts per ticker)
            <input
              name="risk-max-position"
              type="number"
              min="0"
              step="any"
              [(ngModel)]="draft.risk.maxPositionSize"
              placeholder="server default"
              data-testid="risk-max-position"
          /></label>
          <label
            >Max order (contracts at once)
            <input
              name="risk-max-order"
              type="number"
              min="0"
              step="any"
              [(ngModel)]="draft.risk.maxOrderQuantity"
              placeholder="server default"
              data-testid="risk-max-order"
          /></label>
          <label
            >Max orders a minute
            <input
              name="risk-max-orders"
              type="number"
              min="0"
              step="1"
              [(ngModel)]="draft.risk.maxOrdersPerMinute"
              placeholder="no limit"
              data-testid="risk-max-orders"
          /></label>
          <label
            >Max daily loss ($)
            <input
              name="risk-max-loss"
              type="number"
              min="0"
              step="any"
              [(ngModel)]="draft.risk.maxDailyLoss"
              placeholder="no limit"
              data-testid="risk-max-loss"
          /></label>
          <label
            >Max daily profit ($)
            <input
              name="risk-max-profit"
              type="number"
              min="0"
              step="any"
              [(ngModel)]="draft.risk.maxDailyProfit"
              placeholder="no limit"
              data-testid="risk-max-profit"
          /></label>
          <label
            >Trading window from
            <input name="risk-window-start" type="time" [(ngModel)]="draft.risk.windowStart" data-testid="risk-window-start"
          /></label>
          <label>to <input name="risk-window-end" type="time" [(ngModel)]="draft.risk.windowEnd" data-testid="risk-window-end" /></label>
          <label
            >Flatten every day at
            <input name="risk-flatten-at" type="time" [(ngModel)]="draft.risk.flattenAt" data-testid="risk-flatten-at"
          /></label>
          <label
            >Time zone of these times
            <input
              name="risk-time-zone"
              [(ngModel)]="draft.risk.timeZone"
              [placeholder]="zone.zone() + ' (trading zone)'"
              maxlength="64"
              data-testid="risk-time-zone"
          /></label>
          <p class="muted small-text wide">
            Outside the window only orders that reduce a position pass. A daily loss or profit limit flattens, cancels working orders and
            halts the strategy until the next trading day. Orders that bring a position toward flat are never refused.
          </p>
        </fieldset>

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
  protected readonly zone = inject(TimeZoneService);
  protected readonly exitKinds = EXIT_KINDS;
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
    links: [],
    exits: exitsDraft(null),
    risk: riskDraft(null),
  };
  /** The accounts a link may copy to: any but the strategy's own (its recorder). */
  protected readonly linkableAccounts = computed(() => this.accounts().filter((a) => a.id !== this.strategy()?.accountId));

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
          }).pipe(showingErrorIn(this.error)),
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
        links: linkInputs(this.draft.links),
        exits: exitsInput(this.draft.exits),
        risk: riskInput(this.draft.risk),
      })
      // The answer has no links: read the strategy back whole, so the form shows what the server keeps.
      .pipe(switchMap(() => this.api.strategy(this.id())))
      .subscribe({
        next: (s) => {
          this.show(s);
          this.saved.set(true);
        },
        error: (e: unknown) => this.saveError.set(describeError(e)),
      });
  }

  protected addLink(): void {
    const taken = new Set(this.draft.links.map((l) => l.accountId));
    this.draft.links = [...this.draft.links, newLink(this.linkableAccounts().find((a) => !taken.has(a.id))?.id ?? '')];
  }

  protected removeLink(index: number): void {
    this.draft.links = this.draft.links.filter((_, i) => i !== index);
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
      links: linkDrafts(s.links),
      exits: exitsDraft(s.exits),
      risk: riskDraft(s.risk),
    };
    this.chooseScript(s.script ?? '');
  }
}
