import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { NotificationKindName } from '@tradeloop/contracts';
import { Repository } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { LeaderLock } from '../infra/leader/leader-lock.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { LogsService } from '../logs/logs.service.js';
import { joinSecrets, rateLimitOf, type ChannelConfig } from './channel-config.js';
import { ChannelWorker, createSender, sendTestMessage, type Delivery } from './delivery.js';
import type { Decision, RetryPolicy, SendOutcome } from './delivery-policy.js';
import { formatNotification } from './format.js';
import { NotificationChannel } from './notification-channel.entity.js';
import type { NotificationEvent } from './notification-events.js';
import { NotificationOutbox } from './notification-outbox.js';
import { DiscordSender } from './senders/discord.js';
import type { ChannelSender } from './senders/http.js';

export const NOTIFICATIONS_LEADER_LOCK = Symbol('NOTIFICATIONS_LEADER_LOCK');

/** How often the delivering process renews its lead and looks for rows other processes queued. */
const BEAT_MS = 2000;
const PRUNE_EVERY_BEATS = 1800;

/**
 * Routes notifications to channels and delivers them. `notify` only writes outbox rows (one per
 * subscribed channel) and returns: trading never waits for Discord or a mail server. One process
 * in the cluster delivers (a Redis lease when there are several; never an api-only process): a
 * worker per channel sends its rows oldest first, with backoff and the channel's rate limit.
 */
@Injectable()
export class NotificationHub implements OnApplicationBootstrap, OnModuleDestroy {
  private channels = new Map<string, ChannelConfig>();
  private readonly workers = new Map<string, ChannelWorker>();
  private leading = false;
  private beats = 0;
  private timer?: NodeJS.Timeout;
  private readonly console = new Logger('Notifications');
  private readonly policy: RetryPolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(NotificationChannel) private readonly rows: Repository<NotificationChannel>,
    @Inject(NOTIFICATIONS_LEADER_LOCK) private readonly lock: LeaderLock,
    private readonly outbox: NotificationOutbox,
    private readonly secrets: SecretBox,
    private readonly logs: LogsService,
  ) {
    this.policy = { maxAttempts: config.notifications.maxAttempts, baseDelayMs: config.notifications.retryBaseMs, maxDelayMs: 600_000 };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    await this.beat();
    this.timer = setInterval(() => void this.beat(), BEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.stopWorkers();
    // Whether or not it leads: a process that never led still holds the lock's connection.
    await this.lock.release().catch(() => undefined);
  }

  /** Reads the channels again (after one was added, changed or removed); the delivering process rebuilds its workers. */
  async reload(): Promise<void> {
    const next = new Map<string, ChannelConfig>();
    for (const row of await this.rows.find({ order: { createdAt: 'ASC' } })) {
      try {
        next.set(row.id, joinSecrets(JSON.parse(row.settings) as Record<string, unknown>, this.secrets.openJson(row.secrets)));
      } catch (error) {
        this.console.error(`notification channel "${row.name}" cannot be read and is skipped: ${(error as Error).message.slice(0, 300)}`);
      }
    }
    this.channels = next;
    if (this.leading) {
      this.stopWorkers();
      this.startWorkers();
    }
  }

  /** Whether any enabled channel subscribes to this kind (else its event is not even looked up). */
  wants(kind: NotificationKindName): boolean {
    for (const config of this.channels.values()) if (config.enabled && config.events.includes(kind)) return true;
    return false;
  }

  /**
   * Queues the event for every enabled channel subscribed to its kind. `key` names what caused it
   * (a fill's id): the same key twice is queued once. Returns how many channels it was queued for.
   */
  async notify(event: Exclude<NotificationEvent, { kind: 'test' }>, key: string): Promise<number> {
    const message = formatNotification(event, { timeZone: this.config.pnl.timeZone });
    let queued = 0;
    for (const [channelId, config] of this.channels) {
      if (!config.enabled || !config.events.includes(event.kind)) continue;
      const now = Date.now();
      const delivery: Delivery = {
        id: randomUUID(),
        channelId,
        input: { message, event },
        createdAt: now,
        attempts: 0,
        nextAttemptAt: now,
        status: 'pending',
        lastError: null,
        finishedAt: null,
      };
      if (await this.outbox.insert(delivery, `${event.kind}:${key}`)) {
        queued++;
        this.workers.get(channelId)?.kick();
      }
    }
    return queued;
  }

  /** "Send test message": one attempt, now, answered with what the service said. */
  test(config: ChannelConfig): Promise<SendOutcome> {
    const sender = this.sender(config);
    return sendTestMessage(sender, this.config.pnl.timeZone).finally(() => sender.close?.());
  }

  /** The sender a channel calls for; Discord URLs go to the configured Discord base (the path kept). */
  sender(config: ChannelConfig): ChannelSender {
    if (config.type !== 'discord') return createSender(config);
    const base = this.config.notifications.discordBaseUrl.replace(/\/+$/, '');
    return new DiscordSender({ webhookUrl: `${base}${new URL(config.webhookUrl).pathname}`, username: config.username });
  }

  private async beat(): Promise<void> {
    try {
      const lead = this.config.role !== 'api' && (await this.lock.hold());
      if (lead && !this.leading) {
        this.leading = true;
        this.startWorkers();
      } else if (!lead && this.leading) {
        this.leading = false;
        this.stopWorkers();
      }
      if (!this.leading) return;
      // Rows queued by other processes, or left by a restart: each worker looks at its head.
      for (const worker of this.workers.values()) worker.kick();
      if (++this.beats % PRUNE_EVERY_BEATS === 1) await this.outbox.prune();
    } catch (error) {
      this.console.error(`notification delivery: ${(error as Error).message}`);
    }
  }

  private startWorkers(): void {
    for (const [channelId, config] of this.channels) {
      const worker = new ChannelWorker(channelId, this.sender(config), this.outbox, {
        policy: this.policy,
        limit: rateLimitOf(config),
        onAttempt: (delivery, decision) => this.noteAttempt(config, delivery, decision),
      });
      this.workers.set(channelId, worker);
      worker.kick();
    }
  }

  private stopWorkers(): void {
    for (const worker of this.workers.values()) worker.stop();
    this.workers.clear();
  }

  /** The first failure of a notification, a give-up, and a success after failures are logged; not every retry. */
  private noteAttempt(config: ChannelConfig, delivery: Delivery, decision: Decision): void {
    const what = `notification "${delivery.input.message.title.slice(0, 120)}" to ${config.type} channel "${config.name}"`;
    let line: { level: 'info' | 'warn' | 'error'; message: string } | null = null;
    if (decision.action === 'give-up') line = { level: 'error', message: `${what} given up: ${decision.reason}` };
    else if (decision.action === 'retry' && delivery.attempts === 1)
      line = { level: 'warn', message: `${what} failed, will retry: ${decision.reason}` };
    else if (decision.action === 'sent' && delivery.attempts > 1)
      line = { level: 'info', message: `${what} sent after ${delivery.attempts} attempts` };
    if (line) void this.logs.write({ ...line, category: 'notifications' }).catch(() => undefined);
  }
}
