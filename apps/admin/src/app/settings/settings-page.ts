import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { forkJoin } from 'rxjs';
import { SessionService } from '../auth/session.service';
import { ApiService, describeError, type Account, type ApiToken, type Health, type KillSwitchState } from '../core/api.service';
import { TimeZoneService } from '../core/time-zone.service';
import { Money } from '../shared/money';
import { accountHelp } from './broker-help';
import { SimulatedFeedSetting } from './simulated-feed-setting';

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

/** `a=1\nb=x` → `{a: 1, b: 'x'}` (numbers and true/false as such). */
function parsePairs(text: string, typed: boolean): Record<string, string | number | boolean> {
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

@Component({
  selector: 'tl-settings-page',
  imports: [FormsModule, Money, SimulatedFeedSetting],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <h1>Settings</h1>
    </div>
    @if (error(); as message) {
      <p class="error" role="alert" data-testid="settings-error">{{ message }}</p>
    }

    <h2>Kill switch</h2>
    <section class="panel kill-switch" [class.engaged]="killSwitch()?.engaged" data-testid="kill-switch">
      @if (killSwitch(); as k) {
        @if (k.engaged) {
          <p>
            <span class="badge bad loud" data-testid="kill-switch-state">engaged</span>
            since {{ zone.format(k.since) }}: {{ k.reason ?? 'no reason given' }}. Every strategy was disabled, every working order
            cancelled and every position closed; until it is released only orders that reduce a position pass.
          </p>
          <button type="button" [disabled]="killBusy()" (click)="releaseKillSwitch()" data-testid="release-kill-switch">
            Release kill switch
          </button>
          <span class="muted small-text"> Strategies stay disabled after a release until each is enabled again.</span>
        } @else {
          <p>
            <span class="badge good" data-testid="kill-switch-state">released</span>
            Engaging it disables every strategy, cancels every working order and closes every position at market.
          </p>
          @if (confirmingKill()) {
            <form class="inline-form" (ngSubmit)="engageKillSwitch()">
              <input name="killReason" [(ngModel)]="killReason" placeholder="Why (optional)" maxlength="200" data-testid="kill-reason" />
              <button type="submit" class="danger" [disabled]="killBusy()" data-testid="confirm-kill-switch">
                Yes: stop everything now
              </button>
              <button type="button" (click)="confirmingKill.set(false)" data-testid="cancel-kill-switch">Cancel</button>
            </form>
          } @else {
            <button type="button" class="danger" (click)="confirmingKill.set(true)" data-testid="engage-kill-switch">
              Engage kill switch
            </button>
          }
        }
      } @else if (!killError()) {
        <p class="muted">Loading…</p>
      }
      @if (killNotice(); as n) {
        <p class="good" role="status" data-testid="kill-switch-notice">{{ n }}</p>
      }
      @if (killError(); as message) {
        <p class="error" role="alert" data-testid="kill-switch-error">{{ message }}</p>
      }
    </section>

    @if (health(); as h) {
      <h2>Server</h2>
      <section class="cards">
        <div class="card">
          <span class="label">Server</span>
          <span class="value badge" [class]="tone(h.status)" data-testid="server-status">{{ h.status }}</span>
          <span class="muted">v{{ h.version }} · up {{ uptime(h.uptimeSeconds) }}</span>
        </div>
        <div class="card">
          <span class="label">Database</span>
          <span class="value" data-testid="database-type">{{ h.database.type }}</span>
          <span [class]="h.database.ok ? 'good' : 'bad'">{{ h.database.ok ? 'reachable' : 'not reachable' }}</span>
        </div>
        <div class="card">
          <span class="label">Queue</span>
          <span class="value" data-testid="queue-driver">{{ h.queue.driver }}</span>
        </div>
      </section>
      <h2>Plugins</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            @for (plugin of h.plugins; track plugin.name) {
              <tr data-testid="plugin-row">
                <td class="mono">
                  {{ plugin.name }}
                  @if (plugin.displayName) {
                    <span class="muted small-text">{{ plugin.displayName }}</span>
                  }
                </td>
                <td>{{ kinds(plugin.kind) }}</td>
                <td>
                  <span class="badge" [class]="tone(plugin.status)">{{ plugin.status }}</span>
                </td>
                <td class="bad">{{ plugin.error ?? '' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    }

    <tl-simulated-feed-setting />

    <h2>Accounts</h2>
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
              <td class="mono small-text">{{ settingsText(a) }}</td>
              <td class="mono small-text">{{ a.secrets.length ? a.secrets.join(', ') + ' set' : 'none' }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    <details class="panel">
      <summary>Add a broker account</summary>
      <form class="form-grid" (ngSubmit)="addAccount()">
        <label>Name <input name="name" [(ngModel)]="account.name" required /></label>
        <label
          >Broker
          <select name="broker" [(ngModel)]="account.broker">
            @for (b of brokers(); track b) {
              <option [value]="b">{{ b }}</option>
            }
          </select>
        </label>
        <label>Account at the broker <input name="brokerAccountId" [(ngModel)]="account.brokerAccountId" required /></label>
        <label>Starting balance <input name="startingBalance" type="number" min="0" [(ngModel)]="account.startingBalance" /></label>
        <label class="wide"
          >Settings, one name=value a line
          <textarea
            name="settings"
            rows="3"
            [(ngModel)]="account.settings"
            [placeholder]="help(account.broker)?.settings ?? 'environment=demo'"
          ></textarea>
        </label>
        <label class="wide"
          >Secrets, one name=value a line (stored encrypted, never shown again)
          <textarea
            name="secrets"
            rows="2"
            [(ngModel)]="account.secrets"
            autocomplete="off"
            [placeholder]="help(account.broker)?.secrets ?? 'password=…'"
          ></textarea>
        </label>
        @if (help(account.broker); as h) {
          <div class="wide muted small-text" data-testid="account-help">
            @for (note of h.notes; track note) {
              <p>{{ note }}</p>
            }
          </div>
        }
        <div class="actions"><button type="submit">Add account</button></div>
      </form>
    </details>

    <h2>API tokens</h2>
    @if (newToken(); as t) {
      <p class="panel" role="status" data-testid="new-token">
        Copy the token now, it is not shown again: <code class="mono">{{ t }}</code>
      </p>
    }
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Token</th>
            <th>Last used</th>
            <th>Expires</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (t of tokens(); track t.id) {
            <tr data-testid="token-row">
              <td>{{ t.name }}</td>
              <td>
                <span class="badge">{{ t.scope }}</span>
              </td>
              <td class="mono">{{ t.prefix }}…</td>
              <td class="muted mono">{{ t.lastUsedAt ? zone.format(t.lastUsedAt) : 'never' }}</td>
              <td class="muted mono">{{ t.expiresAt ? zone.format(t.expiresAt) : 'never' }}</td>
              <td><button type="button" class="small danger" (click)="revoke(t)">Revoke</button></td>
            </tr>
          } @empty {
            <tr>
              <td colspan="6" class="muted">No API tokens.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    <form class="inline-form" (ngSubmit)="createToken()">
      <input name="tokenName" [(ngModel)]="tokenName" placeholder="What it is for" required maxlength="100" />
      <select name="tokenScope" [(ngModel)]="tokenScope">
        <option value="read">read: GET only</option>
        <option value="trading">trading: read and trade</option>
      </select>
      <button type="submit" [disabled]="!tokenName.trim()">Create token</button>
    </form>

    <h2>Sessions</h2>
    <div class="scroll">
      <table data-testid="sessions">
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last used</th>
            <th>Expires</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (t of sessions(); track t.id) {
            <tr data-testid="session-row">
              <td class="mono">
                {{ zone.format(t.createdAt) }}
                @if (t.current) {
                  <span class="badge good">this browser</span>
                }
              </td>
              <td class="muted mono">{{ t.lastUsedAt ? zone.format(t.lastUsedAt) : 'never' }}</td>
              <td class="muted mono">{{ t.expiresAt ? zone.format(t.expiresAt) : 'never' }}</td>
              <td>
                <button type="button" class="small danger" (click)="revokeSession(t)" data-testid="revoke-session">
                  {{ t.current ? 'Sign out' : 'Revoke' }}
                </button>
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>

    <h2>Password</h2>
    <form class="inline-form" (ngSubmit)="changePassword()">
      <input name="current" type="password" [(ngModel)]="currentPassword" placeholder="Current password" autocomplete="current-password" />
      <input
        name="next"
        type="password"
        [(ngModel)]="nextPassword"
        placeholder="New password (12+ characters)"
        autocomplete="new-password"
      />
      <button type="submit" [disabled]="nextPassword.length < 12">Change password</button>
    </form>
    @if (notice(); as n) {
      <p class="good" role="status">{{ n }}</p>
    }
  `,
})
export class SettingsPage {
  private readonly api = inject(ApiService);
  protected readonly zone = inject(TimeZoneService);
  protected readonly health = signal<Health | null>(null);
  protected readonly accounts = signal<Account[]>([]);
  protected readonly tokens = signal<ApiToken[]>([]);
  protected readonly sessions = signal<ApiToken[]>([]);
  private readonly session = inject(SessionService);
  protected readonly brokers = signal<string[]>(['paper-broker']);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly newToken = signal<string | null>(null);
  protected readonly killSwitch = signal<KillSwitchState | null>(null);
  protected readonly confirmingKill = signal(false);
  protected readonly killBusy = signal(false);
  protected readonly killNotice = signal<string | null>(null);
  protected readonly killError = signal<string | null>(null);
  protected killReason = '';
  protected account = emptyAccount();
  protected tokenName = '';
  protected tokenScope: 'read' | 'trading' = 'read';
  protected currentPassword = '';
  protected nextPassword = '';

  constructor() {
    this.load();
    this.api.killSwitch().subscribe({
      next: (state) => this.killSwitch.set(state),
      error: (e: unknown) => this.killError.set(describeError(e)),
    });
  }

  protected engageKillSwitch(): void {
    this.killBusy.set(true);
    this.killNotice.set(null);
    this.killError.set(null);
    this.api.engageKillSwitch(this.killReason.trim() || undefined).subscribe({
      next: (result) => {
        this.killBusy.set(false);
        this.confirmingKill.set(false);
        this.killReason = '';
        this.killSwitch.set({ engaged: result.engaged, since: result.since, reason: result.reason });
        const refused = result.orders.filter((o) => o.status === 'rejected');
        this.killNotice.set(
          `Kill switch engaged: ${result.strategiesDisabled} strateg${result.strategiesDisabled === 1 ? 'y' : 'ies'} disabled, ` +
            `${result.cancelled} working order${result.cancelled === 1 ? '' : 's'} cancelled, ` +
            `${result.orders.length} closing order${result.orders.length === 1 ? '' : 's'} sent.`,
        );
        if (refused.length) {
          this.killError.set(
            `Not closed: ${refused.map((o) => `${o.side} ${o.quantity} ${o.ticker} (${o.reason ?? 'no reason given'})`).join('; ')}`,
          );
        }
      },
      error: (e: unknown) => {
        this.killBusy.set(false);
        this.killError.set(describeError(e));
      },
    });
  }

  protected releaseKillSwitch(): void {
    this.killBusy.set(true);
    this.killNotice.set(null);
    this.killError.set(null);
    this.api.releaseKillSwitch().subscribe({
      next: (state) => {
        this.killBusy.set(false);
        this.killSwitch.set(state);
        this.killNotice.set('Kill switch released. Strategies stay disabled until you enable them.');
      },
      error: (e: unknown) => {
        this.killBusy.set(false);
        this.killError.set(describeError(e));
      },
    });
  }

  protected kinds(kind: string | string[] | null): string {
    return kind === null ? '—' : Array.isArray(kind) ? kind.join(' + ') : kind;
  }

  protected tone(status: string): string {
    return status === 'ok' || status === 'started' ? 'good' : status === 'degraded' || status === 'loaded' ? 'warn' : 'bad';
  }

  protected uptime(seconds: number): string {
    if (seconds < 60) return `${seconds}s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
    return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  }

  protected readonly help = accountHelp;

  protected settingsText(a: Account): string {
    const entries = Object.entries(a.settings);
    return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : '—';
  }

  protected addAccount(): void {
    const secrets = parsePairs(this.account.secrets, false) as Record<string, string>;
    this.api
      .createAccount({
        name: this.account.name,
        broker: this.account.broker,
        brokerAccountId: this.account.brokerAccountId,
        startingBalance: Number(this.account.startingBalance) || 0,
        settings: parsePairs(this.account.settings, true),
        ...(Object.keys(secrets).length ? { secrets } : {}),
      })
      .subscribe({
        next: () => {
          this.account = emptyAccount();
          this.load();
        },
        error: (e: unknown) => this.error.set(describeError(e)),
      });
  }

  protected createToken(): void {
    this.api.createApiToken({ name: this.tokenName.trim(), scope: this.tokenScope }).subscribe({
      next: (t) => {
        this.newToken.set(t.token ?? null);
        this.tokenName = '';
        this.load();
      },
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  protected revoke(token: ApiToken): void {
    if (!confirm(`Revoke "${token.name}"? Anything using it stops working at once.`)) return;
    this.api.revokeApiToken(token.id).subscribe({ next: () => this.load(), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected revokeSession(session: ApiToken): void {
    if (session.current) {
      if (confirm('Sign this browser out?')) this.session.logout();
      return;
    }
    if (!confirm('Revoke this session? That browser is signed out at once.')) return;
    this.api.revokeSession(session.id).subscribe({ next: () => this.load(), error: (e: unknown) => this.error.set(describeError(e)) });
  }

  protected changePassword(): void {
    this.api.changePassword(this.currentPassword, this.nextPassword).subscribe({
      next: () => {
        this.currentPassword = '';
        this.nextPassword = '';
        this.notice.set('Password changed; every other session has ended.');
      },
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }

  private load(): void {
    forkJoin({
      health: this.api.health(),
      accounts: this.api.accounts(),
      tokens: this.api.apiTokens(),
      sessions: this.api.sessions(),
    }).subscribe({
      next: ({ health, accounts, tokens, sessions }) => {
        this.health.set(health);
        this.accounts.set(accounts);
        this.tokens.set(tokens);
        this.sessions.set(sessions);
        this.brokers.set(health.plugins.filter((p) => [p.kind].flat().includes('broker') && p.status === 'started').map((p) => p.name));
        this.error.set(null);
      },
      error: (e: unknown) => this.error.set(describeError(e)),
    });
  }
}
