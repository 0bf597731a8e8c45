import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { BullMqEventQueue } from './bullmq-event-queue.js';
import type { EngineEvent, EventQueue } from './event-queue.js';
import { MemoryEventQueue } from './memory-event-queue.js';

export const EVENT_QUEUE = Symbol('EVENT_QUEUE');

/** Events that failed every attempt are reported here; the engine marks them failed. */
@Injectable()
export class QueueFailures {
  private listener?: (event: EngineEvent, error: unknown) => void;
  set(listener: (event: EngineEvent, error: unknown) => void) {
    this.listener = listener;
  }
  report = (event: EngineEvent, error: unknown) => this.listener?.(event, error);
}

@Injectable()
class QueueCloser implements OnModuleDestroy {
  constructor(@Inject(EVENT_QUEUE) private readonly queue: EventQueue) {}
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
              onFailed: failures.report,
            })
          : new MemoryEventQueue({ onFailed: failures.report }),
    },
    QueueCloser,
  ],
  exports: [EVENT_QUEUE, QueueFailures],
})
export class QueueModule {}
