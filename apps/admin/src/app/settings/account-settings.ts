import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { AccountSettings, PluginInfo } from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';
import { Money } from '../shared/money';
import { defaultValues, splitFields, visibleFields, type FieldValues } from './account-form';

const PAPER: PluginInfo = {
  name: 'paper-broker',
  kind: 'broker',
  displayName: 'Paper broker',
  status: 'started',
  error: null,
  accountSettings: null,
};

interface AccountDraft {
  name: string;
  broker: string;
  brokerAccountId: string;
  startingBalance: number;
  /** Brokers whose manifest gives no account schema: one `name=value` a line. */
  settings: string;
  /** Likewise; values are sent once and never shown again. */
  secrets: string;
}

const emptyAccount = (broker = 'paper-broker'): AccountDraft => ({
  name: '',
  broker,
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

/**
 * Broker accounts (secrets by name only, write-only) and a form to add one: the chosen broker's own
 * fields from its manifest (`accountSettings`), secret ones in password boxes, sealed when saved.
 */
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
      <form class="form-grid" (ngSubmit)="add()" autocomplete="off">
        <label>Name <input name="name" [(ngModel)]="draft.name" required /></label>
        <label
          >Broker
          <select name="broker" data-testid="account-broker" [(ngModel)]="draft.broker" (ngModelChange)="chooseBroker($event)">
            @for (b of choices(); track b.name) {
              <option [value]="b.name">{{ b.displayName }}</option>
            }
          </select>
        </label>
        <label
          >{{ schema()?.brokerAccountId?.title ?? 'Account at the broker' }}
          <input name="brokerAccountId" data-testid="account-broker-id" [(ngModel)]="draft.brokerAccountId" required />
          @if (schema()?.brokerAccountId?.description; as help) {
            <small class="muted">{{ help }}</small>
          }
        </label>
        <label>Starting balance <input name="startingBalance" type="number" min="0" [(ngModel)]="draft.startingBalance" /></label>
        @if (schema(); as s) {
          @for (f of fields(); track f.name) {
            <label [class.wide]="!!f.description" [attr.data-testid]="'account-field-' + f.name">
              {{ f.title ?? f.name }}{{ f.required ? ' *' : '' }}
              @switch (f.control) {
                @case ('select') {
                  <select [name]="'field-' + f.name" [ngModel]="values()[f.name]" (ngModelChange)="set(f.name, $event)">
                    @for (option of f.enum; track option) {
                      <option [ngValue]="option">{{ option }}</option>
                    }
                  </select>
                }
                @case ('checkbox') {
                  <input
                    type="checkbox"
                    [name]="'field-' + f.name"
                    [ngModel]="values()[f.name] === true"
                    (ngModelChange)="set(f.name, $event)"
                  />
                }
                @case ('password') {
                  <input
                    type="password"
                    autocomplete="new-password"
                    [name]="'field-' + f.name"
                    [ngModel]="values()[f.name] ?? ''"
                    (ngModelChange)="set(f.name, $event)"
                  />
                }
                @case ('number') {
                  <input
                    type="number"
                    [name]="'field-' + f.name"
                    [ngModel]="values()[f.name] ?? ''"
                    (ngModelChange)="set(f.name, $event)"
                  />
                }
                @default {
                  <input type="text" [name]="'field-' + f.name" [ngModel]="values()[f.name] ?? ''" (ngModelChange)="set(f.name, $event)" />
                }
              }
              @if (f.writeOnly) {
                <small class="muted">Sealed when saved; never shown again.</small>
              }
              @if (f.description) {
                <small class="muted">{{ f.description }}</small>
              }
            </label>
          }
          @if (s.notes?.length) {
            <div class="wide muted small-text" data-testid="account-help">
              @for (note of s.notes; track note) {
                <p>{{ note }}</p>
              }
            </div>
          }
        } @else {
          <label class="wide"
            >Settings, one name=value a line
            <textarea name="settings" rows="3" [(ngModel)]="draft.settings" placeholder="environment=demo"></textarea>
          </label>
          <label class="wide"
            >Secrets, one name=value a line (stored encrypted, never shown again)
            <textarea name="secrets" rows="2" [(ngModel)]="draft.secrets" autocomplete="off" placeholder="password=…"></textarea>
          </label>
        }
        <div class="actions"><button type="submit" data-testid="account-add">Add account</button></div>
      </form>
    </details>
  `,
})
export class AccountSettingsPanel {
  private readonly api = inject(ApiService);
  /** The broker plugins that are running, each with the account fields its manifest gives. */
  readonly brokers = input<PluginInfo[]>([]);
  /** What the broker list offers: the running brokers, or the paper broker while health has not answered. */
  protected readonly choices = computed(() => (this.brokers().length ? this.brokers() : [PAPER]));
  private readonly state = liveState({ load: () => this.api.accounts() });
  protected readonly accounts = computed(() => this.state.value() ?? []);
  private readonly actionError = signal<string | null>(null);
  /** Why the last change, else the last load, failed. */
  protected readonly error = computed(() => this.actionError() ?? this.state.error());
  protected draft = emptyAccount();
  private readonly broker = signal('paper-broker');
  /** The chosen broker's account schema, or null (then two name=value boxes). */
  protected readonly schema = computed(() => this.choices().find((b) => b.name === this.broker())?.accountSettings ?? null);
  /** The field values; secrets among them live only here until sent, and are cleared after. */
  protected readonly values = signal<FieldValues>({});
  protected readonly fields = computed(() => {
    const schema = this.schema();
    return schema ? visibleFields(schema, this.values()) : [];
  });

  protected settingsText(settings: AccountSettings): string {
    const entries = Object.entries(settings);
    return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : '—';
  }

  protected chooseBroker(broker: string): void {
    this.broker.set(broker);
    this.values.set(defaultValues(this.schema()));
  }

  protected set(name: string, value: string | number | boolean | null): void {
    this.values.update((values) => ({ ...values, [name]: value }));
  }

  protected add(): void {
    this.actionError.set(null);
    const schema = this.schema();
    let settings: AccountSettings;
    let secrets: Record<string, string>;
    if (schema) {
      const split = splitFields(schema, this.values());
      if (split.problems.length) {
        this.actionError.set(split.problems.join('; '));
        return;
      }
      ({ settings, secrets } = split);
    } else {
      settings = parsePairs(this.draft.settings, true);
      secrets = parsePairs(this.draft.secrets, false) as Record<string, string>;
    }
    this.api
      .createAccount({
        name: this.draft.name,
        broker: this.draft.broker,
        brokerAccountId: this.draft.brokerAccountId,
        startingBalance: Number(this.draft.startingBalance) || 0,
        settings,
        ...(Object.keys(secrets).length ? { secrets } : {}),
      })
      .subscribe({
        next: () => {
          this.draft = emptyAccount(this.draft.broker);
          this.values.set(defaultValues(schema));
          this.state.reload();
        },
        error: (e: unknown) => this.actionError.set(describeError(e)),
      });
  }
}
