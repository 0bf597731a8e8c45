import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { closeRedis } from '../redis-connections.js';

/** Whether this process may do a once-per-cluster job right now. */
export interface LeaderLock {
  /** Takes or renews the lead; false while another process holds it (or Redis is unreachable). */
  hold(): Promise<boolean>;
  /**
   * Gives the lead up so another process takes over at once, and closes what the lock holds (its
   * connection): call it at shutdown whether or not this process leads.
   */
  release(): Promise<void>;
}

/** One process, no Redis: always the leader. */
export class LocalLeaderLock implements LeaderLock {
  hold(): Promise<boolean> {
    return Promise.resolve(true);
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

// Renew or release only while the key still holds our token: a lock that expired and was taken
// by another process is never extended or deleted by the old holder.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A Redis lease: `SET key token NX PX ttl` to take it, a compare-and-`PEXPIRE` to renew it on each
 * `hold()`. A holder that stops renewing (crash, stalled event loop) loses the lead after `ttlMs`.
 */
export class RedisLeaderLock implements LeaderLock {
  private readonly redis: Redis;
  private readonly token = randomUUID();
  private leading = false;
  private unreachable = false;
  private readonly console = new Logger('LeaderLock');

  constructor(
    redisUrl: string,
    readonly key: string,
    private readonly ttlMs = 5000,
  ) {
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    this.redis.on('error', () => undefined); // reported by hold()
  }

  async hold(): Promise<boolean> {
    try {
      if (this.leading) {
        this.leading = (await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs))) === 1;
        if (!this.leading) this.console.warn(`lost ${this.key}: another process leads now`);
      }
      if (!this.leading) this.leading = (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
      if (this.unreachable) this.console.log(`Redis reachable again for ${this.key}`);
      this.unreachable = false;
    } catch (error) {
      if (!this.unreachable) this.console.warn(`cannot reach Redis for ${this.key}: ${(error as Error).message}`);
      this.unreachable = true;
      this.leading = false;
    }
    return this.leading;
  }

  async release(): Promise<void> {
    try {
      if (this.leading) await this.redis.eval(RELEASE, 1, this.key, this.token);
    } catch {
      /* it expires on its own */
    } finally {
      this.leading = false;
      await closeRedis(this.redis);
    }
  }
}
