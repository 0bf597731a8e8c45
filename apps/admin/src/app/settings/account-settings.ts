import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { AccountSettings, AccountView } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { Money } from '../shared/money';
import { accountHelp } from './broker-help';

interface AccountDraft {
  name: string;
  broker: string;
  brokerAccountId: string;
  startingBalance: number;
  /** One `name=value` a line. */
  settings: string;
  /** One `name=value` a line; values are sent once and never shown again. */
  secrets: string;
}

const emptyAccount = (): AccountDraft => ({
  name: '',
  broker: 'paper-broker',
  brokerAccountId: '',
  startingBalance: 0,
  settings: '',
  secrets: '',
});

/** `a=1\nb=x` → `{a: 1, b: 'x'}` (numbers and true/false as such when `typed`). */
export function parsePairs(text: string, typed: boolean): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const line of text.split('\n')) {
    const index = line.indexOf('=');
    if (index <= 0) continue;
    const key = line.slice(0, index).trim();
    const raw = line.slice(index + 1).trim();
    out[key] = !typed
      ? raw
      : raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
  }
  return out;
}

/** Broker accounts (secrets by name only, write-only) and a form to add one, with help for the broker chosen. */
@Component({
  selector: 'tl-account-settings',
  imports: [FormsModule, Money],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Accounts</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Account</th>
            <th>Broker</th>
            <th class="num">Balance</th>
            <th>Settings</th>
            <th>Secrets (write-only)</th>
          </tr>
        </thead>
        <tbody>
          @for (a of accounts(); track a.id) {
            <tr data-testid="settings-account">
              <td>
                {{ a.name }} <span class="muted mono">{{ a.brokerAccountId }}</span>
              </td>
              <td class="mono">{{ a.broker }}</td>
              <td class="num"><tl-money [value]="a.balance" [sign]="false" /></td>
              <td class="mono small-text">{{ settingsText(a.settings) }}</td>
              <td class="mono small-text">{{ a.secrets.length ? a.secrets.join(', ') + ' set' : 'none' }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    <details class="panel">
      <summary>Add a broker account</summary>
      <form class="form-grid" (ngSubmit)="add()">
        <label>Name <input name="name" [(ngModel)]="draft.name" required /></label>
        <label
          >Broker
          <select name="broker" [(ngModel)]="draft.broker">
            @for (b of brokers(); track b) {
              <option [value]="b">{{ b }}</option>
            }
          </select>
        </label>
        <label>Account at the broker <input name="brokerAccountId" [(ngModel)]="draft.brokerAccountId" required /></label>
        <label>Starting balance <input name="startingBalance" type="number" min="0" [(ngModel)]="draft.startingBalance" /></label>
        <label class="wide"
          >Settings, one name=value a line
          <textarea
            name="settings"
            rows="3"
            [(ngModel)]="draft.settings"
            [placeholder]="help(draft.broker)?.settings ?? 'environment=demo'"
          ></textarea>
        </label>
        <label class="wide"
          >Secrets, one name=value a line (stored encrypted, never shown again)
          <textarea
            name="secrets"
            rows="2"
            [(ngModel)]="draft.secrets"
            autocomplete="off"
            [placeholder]="help(draft.broker)?.secrets ?? 'password=…'"
          ></textarea>
        </label>
        @if (help(draft.broker); as h) {
          <div class="wide muted small-text" data-testid="account-help">
            @for (note of h.notes; track note) {
              <p>{{ note }}</p>
            }
          </div>
        }
        <div class="actions"><button type="submit">Add account</button></div>
      </form>
    </details>
  `,
})
export class AccountSettingsPanel {
  private readonly api = inject(ApiService);
  /** The broker plugins that are running. */
  readonly brokers = input<string[]>(['paper-broker']);
  private readonly state = liveState({ load: () => this.api.accounts() });
  protected readonly accounts = computed(() => this.state.value() ?? []);
  private readonly actionError = signal<string | null>(null);
  /** Why the last change, else the last load, failed. */
  protected readonly error = computed(() => this.actionError() ?? this.state.error());
  protected readonly help = accountHelp;
  protected draft = emptyAccount();

  protected settingsText(settings: AccountSettings): string {
    const entries = Object.entries(settings);
    return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : '—';
  }

  protected add(): void {
    this.actionError.set(null);
    const secrets = parsePairs(this.draft.secrets, false) as Record<string, string>;
    this.api
      .createAccount({
        name: this.draft.name,
        broker: this.draft.broker,
        brokerAccountId: this.draft.brokerAccountId,
        startingBalance: Number(this.draft.startingBalance) || 0,
        settings: parsePairs(this.draft.settings, true),
        ...(Object.keys(secrets).length ? { secrets } : {}),
      })
      .subscribe({
        next: () => {
          this.draft = emptyAccount();
          this.state.reload();
        },
        error: (e: unknown) => this.actionError.set(describeError(e)),
      });
  }
}
