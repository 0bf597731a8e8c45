import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { StrategyCache } from './strategy-cache.js';

interface Notice {
  /** The process that made the change: it has already told its own modules. */
  origin: string;
  strategyId: string;
}

/**
 * StrategyChanged between processes. With Redis (api and worker roles, several servers) a
 * strategy changed in one process — through the API, or halted or errored by a worker — must not
 * be served from another's memory: each change is published on one pub/sub channel, and every
 * other process drops its copy and publishes StrategyChanged to its own modules (the engine
 * releases the old script, the risk monitor reloads, ...).
 *
 * Pub/sub keeps nothing for a process that is not listening, so while the subscription is down
 * the strategy cache serves nothing from memory, and starts empty once it is back.
 */
@Injectable()
export class StrategyChangeRelay implements OnModuleInit, OnModuleDestroy {
  private readonly processId = randomUUID();
  private readonly channel: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private stop?: () => void;
  /** Set while a notice from another process is handed to this one's modules: not sent back out. */
  private relaying = false;
  private closing = false;
  private readonly console = new Logger('StrategyRelay');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: DomainEvents,
    private readonly cache: StrategyCache,
  ) {
    this.channel = `${config.queue.prefix}:strategy-changes`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redis.url) return;
    this.publisher = new Redis(this.config.redis.url, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(this.config.redis.url, { autoResubscribe: false });
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error) => this.console.warn(`redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, raw: string) => this.received(raw));
    // Lost: anything published from now on may be missed, so memory is not trusted until subscribed again.
    this.subscriber.on('close', () => this.cache.suspend());
    this.subscriber.on('ready', () => void this.subscribe());
    this.stop = this.events.on('StrategyChanged', ({ strategyId }) => {
      if (this.relaying || !this.publisher) return;
      const notice: Notice = { origin: this.processId, strategyId };
      this.publisher.publish(this.channel, JSON.stringify(notice)).catch((error: unknown) => {
        this.console.warn(`could not tell other processes that strategy ${strategyId} changed: ${(error as Error).message}`);
      });
    });
    await this.subscribe();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.stop?.();
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }

  private async subscribe(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber || this.closing) return;
    try {
      await subscriber.subscribe(this.channel);
    } catch (error) {
      this.console.warn(`could not subscribe to strategy changes: ${(error as Error).message}`);
      return;
    }
    // Subscribed: every change from now on arrives, so what is read from now on may be kept.
    if (subscriber.status === 'ready') this.cache.resume();
  }

  private received(raw: string): void {
    let notice: Notice;
    try {
      notice = JSON.parse(raw) as Notice;
    } catch {
      return;
    }
    if (typeof notice.strategyId !== 'string' || notice.origin === this.processId) return;
    this.cache.forget(notice.strategyId);
    this.relaying = true;
    try {
      this.events.publish('StrategyChanged', { strategyId: notice.strategyId });
    } finally {
      this.relaying = false;
    }
  }
}
