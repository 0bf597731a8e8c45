import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { WebhookEventsService } from './webhook-events.service.js';

/**
 * With BullMQ, an accepted event can miss the queue (Redis went away between the commit and the
 * enqueue) while every process stays up, so no restart would replay it. Every `queue.sweepSeconds`
 * such events are queued again; job ids keyed by event drop the ones that were in fact queued.
 * The in-process queue cannot lose an event without losing the process, and replays at start.
 */
@Injectable()
export class StaleEventSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly console = new Logger('Events');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly events: WebhookEventsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.queue.driver !== 'bullmq') return;
    const everyMs = this.config.queue.sweepSeconds * 1000;
    this.timer = setInterval(() => void this.sweep(everyMs), everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(olderThanMs: number): Promise<number> {
    if (this.running || !this.queue.accepting()) return 0;
    this.running = true;
    try {
      const count = await this.events.requeueStale(olderThanMs);
      if (count) this.console.warn(`queued ${count} accepted event(s) again that had not reached a worker`);
      return count;
    } catch (error) {
      this.console.warn(`stale event sweep failed: ${(error as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
