import { Inject, Injectable } from '@nestjs/common';
import type { EngineEvent, EventQueue } from './event-queue.js';
import { EVENT_QUEUE } from './queue.tokens.js';

type EventType = EngineEvent['type'];
type Consumer<T extends EventType> = (event: Extract<EngineEvent, { type: T }>) => Promise<void>;

/**
 * The queue has one handler; each kind of event has one consumer, registered here by the module
 * that owns it: the engine takes webhooks, ticks, fills and timers, trading takes the trader's
 * commands. A worker starts consuming once its consumers are registered (modules register theirs
 * in `onModuleInit`; the engine starts the queue at bootstrap).
 */
@Injectable()
export class QueueConsumers {
  private readonly consumers = new Map<EventType, (event: EngineEvent) => Promise<void>>();
  private started = false;

  constructor(@Inject(EVENT_QUEUE) private readonly queue: EventQueue) {}

  consume<T extends EventType>(type: T, consumer: Consumer<T>): void {
    if (this.consumers.has(type)) throw new Error(`${type} events already have a consumer`);
    this.consumers.set(type, consumer as (event: EngineEvent) => Promise<void>);
  }

  /** Starts consuming the queue (once). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.queue.process((event) => this.dispatch(event));
  }

  /** Hands one event to its consumer: how tests and replays drive the queue's handler directly. */
  dispatch(event: EngineEvent): Promise<void> {
    const consumer = this.consumers.get(event.type);
    if (!consumer) return Promise.reject(new Error(`no consumer for ${event.type} events in this process`));
    return consumer(event);
  }
}
