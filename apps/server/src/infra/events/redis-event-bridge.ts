import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ServerMessage } from '@tradeloop/contracts';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { EventBus } from './event-bus.js';
import { ProcessNotes, type ProcessNote } from './process-notes.js';

/** A `/ws` message or a note between processes. */
type Item = { message: ServerMessage; note?: never } | { note: ProcessNote; message?: never };

/**
 * What one publish carries: the items a process produced in one turn of its event loop, in order.
 * `origin` comes first, so a process can tell its own envelopes (every subscriber hears them too)
 * from the first characters, without parsing them. A single item without `batch` is what earlier
 * versions sent, and is still read.
 */
type Envelope = {
  /** The process that published it, so nobody hears its own messages twice. */
  origin: string;
} & ({ batch: Item[] } | Item);

/** At most this many items in one publish; more in a turn go out in several. */
export const MAX_RELAY_BATCH = 256;

/**
 * With REDIS_URL, every process's events and notes reach every other process over one pub/sub
 * channel, so a `/ws` client sees the same stream whichever process it is connected to. Without
 * Redis it is idle. An alert makes a dozen messages (its order, fill, position, trade, log lines
 * and P&L) within a turn or two of the event loop; they go out together, one publish a turn, not
 * one socket write and one message to parse in every process each.
 */
@Injectable()
export class RedisEventBridge implements OnModuleInit, OnModuleDestroy {
  private readonly processId = randomUUID();
  private readonly channel: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly unsubscribe: (() => void)[] = [];
  /** Items of this turn, not published yet: as JSON, written when they were sent. */
  private pending: string[] = [];
  private flushing?: NodeJS.Immediate;
  /** How this process's own envelopes begin (see Envelope). */
  private readonly ownPrefix: string;
  private readonly console = new Logger('EventRelay');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly notes: ProcessNotes,
  ) {
    this.channel = `${config.queue.prefix}:events`;
    this.ownPrefix = `{"origin":${JSON.stringify(this.processId)}`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redis.url) return;
    this.publisher = new Redis(this.config.redis.url, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(this.config.redis.url);
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error) => this.console.warn(`redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    await this.subscriber.subscribe(this.channel);
    this.unsubscribe.push(
      this.bus.subscribe((message, origin) => {
        if (origin === 'local' && this.bus.relayable(message)) this.send({ message });
      }),
      this.notes.subscribe((note, origin) => {
        if (origin === 'local') this.send({ note });
      }),
    );
  }

  private send(item: Item): void {
    this.pending.push(JSON.stringify(item));
    if (this.pending.length >= MAX_RELAY_BATCH) this.flush();
    else this.flushing ??= setImmediate(() => this.flush());
  }

  /** Publishes this turn's items as one envelope. */
  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (!this.pending.length || !this.publisher) return;
    const envelope = `${this.ownPrefix},"batch":[${this.pending.join(',')}]}`;
    this.pending = [];
    void this.publisher.publish(this.channel, envelope).catch(() => undefined);
  }

  private receive(raw: string): void {
    if (raw.startsWith(this.ownPrefix)) return;
    let envelope: Envelope | null;
    try {
      envelope = JSON.parse(raw) as Envelope | null;
    } catch {
      return;
    }
    // Anything on the channel reaches here: what is not an envelope is passed over, never thrown on.
    if (typeof envelope !== 'object' || envelope === null || envelope.origin === this.processId) return;
    for (const item of 'batch' in envelope && Array.isArray(envelope.batch) ? envelope.batch : [envelope as Item]) {
      if (typeof item !== 'object' || item === null) continue;
      if (item.note) this.notes.deliver(item.note, 'remote');
      else if (item.message) this.bus.deliver(item.message, 'remote');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe.forEach((stop) => stop());
    this.flush();
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }
}
