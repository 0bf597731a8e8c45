/**
 * Delivery: notifications go into an outbox first and are sent from there, one channel at a time
 * and in order, so a slow or dead channel never holds up trading or another channel. A worker
 * per channel takes the oldest pending notification when the channel's rate limit and any
 * "retry after" allow, and records the outcome: sent, retry at a later time, or given up with the
 * reason.
 *
 * `Outbox` is the storage seam: `MemoryOutbox` here; a table behind the same interface makes a
 * restart lose nothing (the worker resumes from the oldest pending row).
 */
import { randomUUID } from 'node:crypto';
import type { ChannelConfig } from './channel-config.js';
import { rateLimitOf } from './channel-config.js';
import {
  decide,
  DEFAULT_RETRY,
  fullBucket,
  takeToken,
  type Bucket,
  type Decision,
  type RateLimit,
  type RetryPolicy,
} from './delivery-policy.js';
import { formatNotification } from './format.js';
import type { NotificationEvent } from './notification-events.js';
import { DiscordSender } from './senders/discord.js';
import { EmailSender } from './senders/email.js';
import type { ChannelSender, SendInput } from './senders/http.js';
import { TelegramSender } from './senders/telegram.js';
import { WebhookSender } from './senders/webhook.js';

export interface Delivery {
  id: string;
  channelId: string;
  input: SendInput;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  status: 'pending' | 'sent' | 'given-up';
  lastError: string | null;
  finishedAt: number | null;
}

export interface Outbox {
  add(delivery: Delivery): Promise<void>;
  /** The channel's oldest pending delivery. */
  head(channelId: string): Promise<Delivery | null>;
  update(delivery: Delivery): Promise<void>;
}

export class MemoryOutbox implements Outbox {
  readonly deliveries: Delivery[] = [];

  add(delivery: Delivery): Promise<void> {
    this.deliveries.push(delivery);
    return Promise.resolve();
  }

  head(channelId: string): Promise<Delivery | null> {
    return Promise.resolve(this.deliveries.find((d) => d.channelId === channelId && d.status === 'pending') ?? null);
  }

  update(delivery: Delivery): Promise<void> {
    const index = this.deliveries.findIndex((d) => d.id === delivery.id);
    if (index >= 0) this.deliveries[index] = delivery;
    return Promise.resolve();
  }
}

export interface WorkerOptions {
  policy?: RetryPolicy;
  limit: RateLimit;
  now?: () => number;
  random?: () => number;
  /** Told of every attempt's result (to log it, rate-limited, or to show it). */
  onAttempt?: (delivery: Delivery, decision: Decision) => void;
}

/** Sends one channel's outbox, oldest first; a notification that cannot go yet holds the ones behind it. */
export class ChannelWorker {
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private bucket: Bucket;
  private holdUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    readonly channelId: string,
    private readonly sender: ChannelSender,
    private readonly outbox: Outbox,
    private readonly options: WorkerOptions,
  ) {
    this.policy = options.policy ?? DEFAULT_RETRY;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.bucket = fullBucket(options.limit, this.now());
  }

  /** Something was queued, or a wait ended: send what can go. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.sender.close?.();
  }

  private wakeIn(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, ms);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        const delivery = await this.outbox.head(this.channelId);
        if (!delivery) return;
        const now = this.now();
        const due = Math.max(delivery.nextAttemptAt, this.holdUntil);
        if (due > now) return this.wakeIn(due - now);
        const token = takeToken(this.bucket, this.options.limit, now);
        this.bucket = token.bucket;
        if (token.waitMs > 0) return this.wakeIn(token.waitMs);
        await this.attempt(delivery);
      }
    } catch {
      // The outbox itself failed (a database hiccup): try again shortly rather than stall the channel.
      this.wakeIn(1000);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const outcome = await this.sender.send(delivery.input).catch((error: unknown) => ({
      ok: false as const,
      retry: true,
      reason: `sending failed: ${(error as Error).message}`,
    }));
    const at = this.now();
    const attempts = delivery.attempts + 1;
    const decision = decide(outcome, attempts, this.policy, at, this.random());
    let next: Delivery;
    switch (decision.action) {
      case 'sent':
        next = { ...delivery, attempts, status: 'sent', lastError: null, finishedAt: at };
        break;
      case 'retry':
        next = { ...delivery, attempts, nextAttemptAt: decision.at, lastError: decision.reason };
        if (decision.holdChannelUntil !== null) this.holdUntil = Math.max(this.holdUntil, decision.holdChannelUntil);
        break;
      case 'give-up':
        next = { ...delivery, attempts, status: 'given-up', lastError: decision.reason, finishedAt: at };
        break;
    }
    await this.outbox.update(next);
    this.options.onAttempt?.(next, decision);
  }
}

/** The sender a channel's configuration calls for. */
export function createSender(config: ChannelConfig): ChannelSender {
  switch (config.type) {
    case 'discord':
      return new DiscordSender({ webhookUrl: config.webhookUrl, username: config.username });
    case 'telegram':
      return new TelegramSender({
        botToken: config.botToken,
        chatId: config.chatId,
        messageThreadId: config.messageThreadId,
        apiBaseUrl: config.apiBaseUrl,
      });
    case 'webhook':
      return new WebhookSender({ url: config.url, authorization: config.authorization, signingSecret: config.signingSecret });
    case 'email':
      return new EmailSender(config);
  }
}

export interface NotifierChannel {
  id: string;
  config: ChannelConfig;
  /** Built from the config when absent. */
  sender?: ChannelSender;
}

export interface NotifierOptions {
  timeZone: string;
  policy?: RetryPolicy;
  now?: () => number;
  random?: () => number;
  onAttempt?: WorkerOptions['onAttempt'];
}

/** Routes each event to the enabled channels subscribed to its kind. Queuing is all `notify` waits for. */
export class Notifier {
  private readonly workers = new Map<string, { worker: ChannelWorker; config: ChannelConfig }>();
  private readonly now: () => number;

  constructor(
    channels: NotifierChannel[],
    private readonly outbox: Outbox,
    private readonly options: NotifierOptions,
  ) {
    this.now = options.now ?? Date.now;
    for (const channel of channels) {
      const worker = new ChannelWorker(channel.id, channel.sender ?? createSender(channel.config), outbox, {
        policy: options.policy,
        limit: rateLimitOf(channel.config),
        now: options.now,
        random: options.random,
        onAttempt: options.onAttempt,
      });
      this.workers.set(channel.id, { worker, config: channel.config });
      // Whatever was left pending (before a restart) goes first.
      worker.kick();
    }
  }

  /** Queues the event for every channel that wants it; returns how many channels it was queued for. */
  async notify(event: NotificationEvent): Promise<number> {
    const message = formatNotification(event, { timeZone: this.options.timeZone });
    let queued = 0;
    for (const [channelId, { worker, config }] of this.workers) {
      if (!config.enabled || event.kind === 'test' || !config.events.includes(event.kind)) continue;
      const now = this.now();
      await this.outbox.add({
        id: randomUUID(),
        channelId,
        input: { message, event },
        createdAt: now,
        attempts: 0,
        nextAttemptAt: now,
        status: 'pending',
        lastError: null,
        finishedAt: null,
      });
      worker.kick();
      queued++;
    }
    return queued;
  }

  stop(): void {
    for (const { worker } of this.workers.values()) worker.stop();
  }
}

/** "Send test message": one attempt, straight to the channel, answered with what the service said. */
export function sendTestMessage(sender: ChannelSender, timeZone: string, now = Date.now()) {
  const event: NotificationEvent = { kind: 'test', at: now };
  return sender.send({ message: formatNotification(event, { timeZone }), event });
}
