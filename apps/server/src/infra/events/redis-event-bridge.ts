import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ServerMessage } from '@tradeloop/contracts';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { EventBus } from './event-bus.js';
import { ProcessNotes, type ProcessNote } from './process-notes.js';

/** A `/ws` message or a note between processes. */
type Envelope = {
  /** The process that published it, so nobody hears its own messages twice. */
  origin: string;
} & ({ message: ServerMessage; note?: never } | { note: ProcessNote; message?: never });

/**
 * With REDIS_URL, every process's events and notes reach every other process over one pub/sub
 * channel, so a `/ws` client sees the same stream whichever process it is connected to. Without
 * Redis it is idle.
 */
@Injectable()
export class RedisEventBridge implements OnModuleInit, OnModuleDestroy {
  private readonly processId = randomUUID();
  private readonly channel: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly console = new Logger('EventRelay');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly notes: ProcessNotes,
  ) {
    this.channel = `${config.queue.prefix}:events`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redis.url) return;
    this.publisher = new Redis(this.config.redis.url, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(this.config.redis.url);
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error) => this.console.warn(`redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, raw: string) => {
      let envelope: Envelope;
      try {
        envelope = JSON.parse(raw) as Envelope;
      } catch {
        return;
      }
      if (envelope.origin === this.processId) return;
      if (envelope.note) this.notes.deliver(envelope.note, 'remote');
      else if (envelope.message) this.bus.deliver(envelope.message, 'remote');
    });
    await this.subscriber.subscribe(this.channel);
    const send = (envelope: Envelope) => void this.publisher!.publish(this.channel, JSON.stringify(envelope)).catch(() => undefined);
    this.unsubscribe.push(
      this.bus.subscribe((message, origin) => {
        if (origin === 'local' && this.bus.relayable(message)) send({ origin: this.processId, message });
      }),
      this.notes.subscribe((note, origin) => {
        if (origin === 'local') send({ origin: this.processId, note });
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe.forEach((stop) => stop());
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }
}
