import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { RedisLeaderLock } from '../infra/leader/leader-lock.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from './market.service.js';

/** How often the lead is renewed (the lease lasts three times as long). */
const HOLD_EVERY_MS = 2000;

/**
 * With Redis, feeds run in one process at a time: a feed connection per broker login and one
 * stream of quotes, relayed to the others. Processes with feeds compete for a Redis lease; the
 * holder subscribes what every process watches, and when it stops renewing another takes over.
 */
@Injectable()
export class FeedLeader implements OnApplicationBootstrap, OnModuleDestroy {
  private lock?: RedisLeaderLock;
  private timer?: NodeJS.Timeout;
  private readonly console = new Logger('Feeds');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly market: MarketService,
    private readonly logs: LogsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.redis.url || !this.market.hasFeeds) return;
    this.lock = new RedisLeaderLock(this.config.redis.url, `${this.config.queue.prefix}:feeds`, HOLD_EVERY_MS * 3);
    await this.step();
    this.timer = setInterval(() => void this.step(), HOLD_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.lock?.release();
  }

  private async step(): Promise<void> {
    const leading = (await this.lock?.hold()) ?? false;
    if (leading !== this.market.isLeading) {
      this.console.log(leading ? 'this process runs the feeds now' : 'another process runs the feeds');
      if (leading) {
        await this.logs
          .write({
            level: 'info',
            category: 'system',
            message: `feeds: this process runs them now (${this.config.role}, pid ${process.pid})`,
          })
          .catch(() => undefined);
      }
    }
    await this.market.setLeading(leading);
  }
}
