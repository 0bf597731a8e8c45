import { Global, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { BullMqEventQueue } from './bullmq-event-queue.js';
import type { EngineEvent, EventQueue } from './event-queue.js';
import { MemoryEventQueue } from './memory-event-queue.js';
import { QueueConsumers } from './queue-consumers.js';
import { EVENT_QUEUE } from './queue.tokens.js';
import { DomainEvents } from '../events/domain-events.js';

export { EVENT_QUEUE };

/** Events that failed every attempt are reported here, as QueueEventFailed (the engine marks them failed). */
@Injectable()
export class QueueFailures {
  constructor(private readonly events: DomainEvents) {}
  report = (event: EngineEvent, error: unknown) => this.events.publish('QueueEventFailed', { event, error });
}

@Injectable()
class QueueCloser implements OnModuleDestroy, OnApplicationBootstrap {
  constructor(@Inject(EVENT_QUEUE) private readonly queue: EventQueue) {}

  /** Warns when Redis would lose queued events on its own restart or under memory pressure. */
  async onApplicationBootstrap(): Promise<void> {
    if (!(this.queue instanceof BullMqEventQueue)) return;
    const settings = await this.queue.redisSettings();
    const console = new Logger('Queue');
    if (!settings)
      return console.warn(
        'could not read the Redis settings (CONFIG GET refused): make sure it runs with appendonly yes and maxmemory-policy noeviction',
      );
    if (settings.appendonly !== 'yes')
      console.warn(
        'Redis runs without an append-only file: queued events do not survive a Redis restart (they are re-queued from the database). Run it with appendonly yes, appendfsync everysec.',
      );
    if (settings.maxmemoryPolicy !== 'noeviction')
      console.warn(`Redis maxmemory-policy is ${settings.maxmemoryPolicy}: it may evict queued jobs. Set maxmemory-policy noeviction.`);
  }

  onModuleDestroy() {
    return this.queue.close();
  }
}

/** REDIS_URL set: BullMQ partition queues; otherwise the in-process queue. */
@Global()
@Module({
  providers: [
    QueueFailures,
    {
      provide: EVENT_QUEUE,
      inject: [APP_CONFIG, QueueFailures],
      useFactory: (config: AppConfig, failures: QueueFailures): EventQueue =>
        config.redis.url
          ? new BullMqEventQueue({
              redisUrl: config.redis.url,
              partitions: config.queue.partitions,
              prefix: config.queue.prefix,
              lockMs: config.queue.lockSeconds * 1000,
              stalledMs: config.queue.stalledSeconds * 1000,
              onFailed: failures.report,
              onNotice: (message) => new Logger('Queue').warn(message),
            })
          : new MemoryEventQueue({ onFailed: failures.report }),
    },
    QueueCloser,
    QueueConsumers,
  ],
  exports: [EVENT_QUEUE, QueueFailures, QueueConsumers],
})
export class QueueModule {}
