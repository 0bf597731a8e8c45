import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  NOTIFICATION_KIND_NAMES,
  type NotificationChannelInput,
  type NotificationChannelType,
  type NotificationChannelView,
  type NotificationKindName,
} from '@tradeloop/contracts';
import { ApiService, describeError } from '../core/api.service';
import { liveState } from '../core/live-state';

/** The fields each kind of channel asks for, in the order the form shows them. */
const FIELDS: Record<
  NotificationChannelType,
  { key: string; label: string; secret?: boolean; optional?: boolean; placeholder?: string }[]
> = {
  discord: [
    { key: 'webhookUrl', label: 'Webhook URL', secret: true, placeholder: 'https://discord.com/api/webhooks/…' },
    { key: 'username', label: 'Post as (name)', optional: true },
  ],
  telegram: [
    { key: 'botToken', label: 'Bot token (from @BotFather)', secret: true, placeholder: '123456789:AAE…' },
    { key: 'chatId', label: 'Chat id or @channel', placeholder: '987654321' },
    { key: 'messageThreadId', label: 'Forum topic id', optional: true },
  ],
  webhook: [
    { key: 'url', label: 'URL', placeholder: 'https://…' },
    { key: 'authorization', label: 'Authorization header', secret: true, optional: true },
    { key: 'signingSecret', label: 'Signing secret (16+ characters)', secret: true, optional: true },
  ],
  email: [
    { key: 'host', label: 'SMTP host', placeholder: 'smtp.gmail.com' },
    { key: 'port', label: 'Port', placeholder: '587' },
    { key: 'security', label: 'Security: starttls, tls or none', placeholder: 'starttls' },
    { key: 'username', label: 'User name', optional: true },
    { key: 'password', label: 'Password (an app password)', secret: true, optional: true },
    { key: 'from', label: 'From', placeholder: 'me@example.com' },
    { key: 'to', label: 'To (comma-separated)', placeholder: 'me@example.com' },
  ],
};

/** Numbers and lists where the server wants them; empty optional fields left out. */
function channelInput(type: NotificationChannelType, name: string, values: Record<string, string>, events: NotificationKindName[]) {
  const input: NotificationChannelInput = { type, name: name.trim(), events };
  for (const field of FIELDS[type]) {
    const raw = (values[field.key] ?? '').trim();
    if (!raw) continue;
    if (field.key === 'port' || field.key === 'messageThreadId') input[field.key] = Number(raw);
    else if (field.key === 'chatId') input[field.key] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else if (field.key === 'to')
      input[field.key] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else input[field.key] = raw;
  }
  return input;
}

/** Notification channels: listed (secrets only as a hint), made per kind, switched on and off, tested, removed. */
@Component({
  selector: 'tl-notification-channels',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Notifications</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (tested(); as t) {
      <p [class.error]="!t.ok" class="panel" role="status" data-testid="channel-test-result">
        {{ t.name }}: {{ t.ok ? 'test message sent' : t.reason }}
      </p>
    }
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Channel</th>
            <th>Kind</th>
            <th>Events</th>
            <th>Waiting</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (c of channels(); track c.id) {
            <tr data-testid="channel-row">
              <td>
                {{ c.name }}
                @for (s of secretHints(c); track s) {
                  <span class="muted mono">{{ s }}</span>
                }
              </td>
              <td>
                <span class="badge">{{ c.type }}</span>
              </td>
              <td class="muted">{{ c.events.length === kinds.length ? 'all' : c.events.join(', ') }}</td>
              <td>
                {{ c.pending }}
                @if (c.lastError) {
                  <span class="error">{{ c.lastError }}</span>
                }
              </td>
              <td>
                <button type="button" class="small" (click)="test(c)" data-testid="channel-test">Send test message</button>
                <button type="button" class="small" (click)="toggle(c)">{{ c.enabled ? 'Switch off' : 'Switch on' }}</button>
                <button type="button" class="small danger" (click)="remove(c)">Remove</button>
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="5" class="muted">No channels: add Discord, Telegram, a JSON webhook or email below.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    <form class="inline-form" (ngSubmit)="create()" data-testid="channel-form">
      <select name="channelType" [(ngModel)]="type">
        <option value="discord">Discord webhook</option>
        <option value="telegram">Telegram bot</option>
        <option value="webhook">JSON webhook</option>
        <option value="email">Email (SMTP)</option>
      </select>
      <input name="channelName" [(ngModel)]="name" placeholder="Name" required maxlength="100" />
      @for (f of fields(); track f.key) {
        <label>
          {{ f.label }}{{ f.optional ? ' (optional)' : '' }}
          <input
            [name]="'field-' + f.key"
            [attr.data-testid]="'channel-field-' + f.key"
            [type]="f.secret ? 'password' : 'text'"
            [(ngModel)]="values[f.key]"
            [placeholder]="f.placeholder ?? ''"
            autocomplete="off"
          />
        </label>
      }
      <fieldset>
        <legend>Tell me about</legend>
        @for (k of kinds; track k) {
          <label class="inline"><input type="checkbox" [name]="'kind-' + k" [(ngModel)]="wanted[k]" /> {{ k }}</label>
        }
      </fieldset>
      <button type="submit" [disabled]="!name.trim()">Add channel</button>
    </form>
  `,
})
export class NotificationChannels {
  private readonly api = inject(ApiService);
  private readonly state = liveState({ load: () => this.api.notificationChannels() });
  protected readonly channels = computed(() => this.state.value() ?? []);
  private readonly actionError = signal<string | null>(null);
  protected readonly error = computed(() => this.actionError() ?? this.state.error());
  protected readonly tested = signal<{ name: string; ok: boolean; reason: string | null } | null>(null);
  protected readonly kinds = NOTIFICATION_KIND_NAMES;
  private readonly typeSignal = signal<NotificationChannelType>('discord');
  protected readonly fields = computed(() => FIELDS[this.typeSignal()]);
  protected name = '';
  protected values: Record<string, string> = {};
  protected wanted: Record<string, boolean> = Object.fromEntries(NOTIFICATION_KIND_NAMES.map((k) => [k, true]));

  protected get type(): NotificationChannelType {
    return this.typeSignal();
  }
  protected set type(value: NotificationChannelType) {
    this.typeSignal.set(value);
    this.values = {};
  }

  protected secretHints(channel: NotificationChannelView): string[] {
    return Object.entries(channel.secrets).map(([field, hint]) => `${field} ${hint}`);
  }

  protected create(): void {
    this.actionError.set(null);
    const events = this.kinds.filter((k) => this.wanted[k]);
    this.api.createNotificationChannel(channelInput(this.type, this.name, this.values, events)).subscribe({
      next: () => {
        this.name = '';
        this.values = {};
        this.state.reload();
      },
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }

  protected test(channel: NotificationChannelView): void {
    this.actionError.set(null);
    this.tested.set(null);
    this.api.testNotificationChannel(channel.id).subscribe({
      next: (result) => this.tested.set({ name: channel.name, ...result }),
      error: (e: unknown) => this.actionError.set(describeError(e)),
    });
  }

  protected toggle(channel: NotificationChannelView): void {
    this.actionError.set(null);
    this.api
      .updateNotificationChannel(channel.id, { enabled: !channel.enabled })
      .subscribe({ next: () => this.state.reload(), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }

  protected remove(channel: NotificationChannelView): void {
    this.actionError.set(null);
    if (!confirm(`Remove "${channel.name}"? What it still had to send is dropped.`)) return;
    this.api
      .deleteNotificationChannel(channel.id)
      .subscribe({ next: () => this.state.reload(), error: (e: unknown) => this.actionError.set(describeError(e)) });
  }
}
