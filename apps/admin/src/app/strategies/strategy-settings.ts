import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, output, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import type { AccountView, ScriptInfo, ScriptParamValue, StrategyDetail } from '@tradeloop/contracts';
import { switchMap } from 'rxjs';
import { ApiService, describeError } from '../core/api.service';
import { paramFields, paramOverrides } from './script-params';
import {
  type ExitsDraft,
  exitsDraft,
  exitsInput,
  type LinkDraft,
  linkDrafts,
  linkInputs,
  type RiskDraft,
  riskDraft,
  riskInput,
} from './strategy-controls';
import { StrategyExitsFields } from './strategy-exits-fields';
import { StrategyLinksFields } from './strategy-links-fields';
import { StrategyRiskFields } from './strategy-risk-fields';

/** The settings form as typed: plain values the inputs edit in place. */
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

/** The strategy's own values for its own script; the declared defaults under them. */
const paramsFor = (script: string, strategy: StrategyDetail, scripts: readonly ScriptInfo[]) => ({
  ...(scripts.find((s) => s.name === script)?.params ?? {}),
  ...(strategy.script === script ? (strategy.params ?? {}) : {}),
});

function draftOf(s: StrategyDetail, scripts: readonly ScriptInfo[]): Draft {
  return {
    name: s.name,
    description: s.description,
    accountId: s.accountId,
    defaultQuantity: s.defaultQuantity,
    defaultTicker: s.defaultTicker ?? '',
    allowedIps: s.allowedIps.join(', '),
    enabled: s.enabled,
    script: s.script ?? '',
    params: paramsFor(s.script ?? '', s, scripts),
    links: linkDrafts(s.links),
    exits: exitsDraft(s.exits),
    risk: riskDraft(s.risk),
  };
}

/**
 * A strategy's settings: account, defaults, allowed addresses, the script and its parameters, the
 * accounts its signal is copied to, its default exits and its risk limits. The form starts from
 * `strategy` and again whenever the page hands it a new one (after a save, say), never on a live
 * change. A save is read back whole, so the form shows what the server keeps.
 */
@Component({
  selector: 'tl-strategy-settings',
  imports: [FormsModule, StrategyLinksFields, StrategyExitsFields, StrategyRiskFields],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let d = draft();
    <form class="panel form-grid" (ngSubmit)="save()">
      <label>Name <input name="name" [(ngModel)]="d.name" required maxlength="100" /></label>
      <label
        >Account
        <select name="accountId" [(ngModel)]="d.accountId">
          @for (a of accounts(); track a.id) {
            <option [value]="a.id">{{ a.name }} ({{ a.broker }})</option>
          }
        </select>
      </label>
      <label
        >Default quantity <input name="defaultQuantity" type="number" min="0.00000001" step="any" [(ngModel)]="d.defaultQuantity"
      /></label>
      <label>Default ticker <input name="defaultTicker" [(ngModel)]="d.defaultTicker" placeholder="e.g. NQ1!" maxlength="64" /></label>
      <label class="wide">Description <input name="description" [(ngModel)]="d.description" maxlength="500" /></label>
      <label class="wide"
        >Allowed addresses (comma separated; empty: any)
        <span class="copy-row">
          <input name="allowedIps" [(ngModel)]="d.allowedIps" placeholder="tradingview, 203.0.113.0/24" data-testid="allowed-ips" />
          <button type="button" class="small" (click)="d.allowedIps = 'tradingview'">TradingView only</button>
        </span>
      </label>
      <label
        >Script
        <select name="script" [ngModel]="d.script" (ngModelChange)="chooseScript($event)" data-testid="strategy-script">
          <option value="">None: trade the alerts as they come</option>
          @for (sc of scripts(); track sc.name) {
            <option [value]="sc.name" [disabled]="!sc.loaded">{{ sc.name }}{{ sc.loaded ? '' : ' (does not load)' }}</option>
          }
        </select>
      </label>
      <label class="check"><input name="enabled" type="checkbox" [(ngModel)]="d.enabled" /> Enabled: takes alerts</label>
      @if (d.script) {
        <fieldset class="wide params" data-testid="script-params">
          <legend>Parameters of {{ d.script }}</legend>
          @for (field of fields(); track field.key) {
            @switch (field.type) {
              @case ('boolean') {
                <label class="check"
                  ><input type="checkbox" [name]="'param-' + field.key" [(ngModel)]="d.params[field.key]" [attr.data-param]="field.key" />
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
                    [(ngModel)]="d.params[field.key]"
                    [placeholder]="field.defaultText"
                    [attr.data-param]="field.key"
                /></label>
              }
              @default {
                <label
                  >{{ field.key }} <span class="muted">(default {{ field.defaultText }})</span>
                  <input
                    [name]="'param-' + field.key"
                    [(ngModel)]="d.params[field.key]"
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
      <fieldset
        tl-strategy-links
        [(links)]="d.links"
        [accounts]="accounts()"
        [ownAccountId]="strategy().accountId"
        [scripted]="!!d.script"
      ></fieldset>
      <fieldset tl-strategy-exits [exits]="d.exits"></fieldset>
      <fieldset tl-strategy-risk [risk]="d.risk"></fieldset>

      <div class="actions">
        <button type="submit" data-testid="save-strategy">Save</button>
        <button type="button" class="danger" (click)="remove()">Delete strategy</button>
        @if (justSaved()) {
          <span class="good" role="status">Saved.</span>
        }
      </div>
      @if (error(); as message) {
        <p class="error wide" role="alert" data-testid="save-error">{{ message }}</p>
      }
    </form>
  `,
})
export class StrategySettings {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  /** What the form starts from. */
  readonly strategy = input.required<StrategyDetail>();
  readonly accounts = input.required<readonly AccountView[]>();
  readonly scripts = input.required<readonly ScriptInfo[]>();
  /** The strategy as the server keeps it after a save. */
  readonly saved = output<StrategyDetail>();
  /** A newer list of scripts (after a reconnect) does not reset what is being typed. */
  protected readonly draft = linkedSignal(() => {
    const strategy = this.strategy();
    return draftOf(strategy, untracked(this.scripts));
  });
  /** The script chosen in the form (the draft is a plain object; this follows it). */
  private readonly chosenScript = linkedSignal(() => this.strategy().script ?? '');
  protected readonly fields = computed(() => {
    const script = this.scripts().find((s) => s.name === this.chosenScript());
    return script ? paramFields(script.params) : [];
  });
  protected readonly justSaved = signal(false);
  protected readonly error = signal<string | null>(null);

  protected chooseScript(name: string): void {
    const draft = this.draft();
    draft.script = name;
    draft.params = paramsFor(name, this.strategy(), this.scripts());
    this.chosenScript.set(name);
  }

  protected save(): void {
    this.justSaved.set(false);
    this.error.set(null);
    const d = this.draft();
    const id = this.strategy().id;
    const allowedIps = d.allowedIps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const script = this.scripts().find((s) => s.name === d.script);
    this.api
      .updateStrategy(id, {
        name: d.name,
        description: d.description,
        accountId: d.accountId,
        defaultQuantity: Number(d.defaultQuantity),
        ...(d.defaultTicker.trim() ? { defaultTicker: d.defaultTicker.trim() } : {}),
        allowedIps,
        enabled: d.enabled,
        ...(d.script ? { script: d.script, params: paramOverrides(script?.params ?? {}, d.params) } : { script: null }),
        links: linkInputs(d.links),
        exits: exitsInput(d.exits),
        risk: riskInput(d.risk),
      })
      // The answer has no links: read the strategy back whole.
      .pipe(switchMap(() => this.api.strategy(id)))
      .subscribe({
        next: (s) => {
          this.saved.emit(s);
          this.justSaved.set(true);
        },
        error: (e: unknown) => this.error.set(describeError(e)),
      });
  }

  protected remove(): void {
    if (!confirm('Delete this strategy? Its trades stay in the history.')) return;
    this.api.deleteStrategy(this.strategy().id).subscribe({
      next: () => void this.router.navigate(['/strategies']),
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }
}
