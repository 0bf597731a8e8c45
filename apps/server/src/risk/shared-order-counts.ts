import type { Redis } from 'ioredis';
import { closeRedis, orderPathRedis } from '../infra/redis-connections.js';

/** One orders-a-minute limit an order counts toward: `account:<id>` or `strategy:<id>`. */
export interface CountedLimit {
  key: string;
  limit: number;
}

/**
 * Orders a minute counted where every process sees them (Redis). Each process also counts its own
 * orders in memory, with no await between a check and its count; that holds one process to a
 * limit, not two workers that take one strategy's or one account's orders side by side.
 */
export interface SharedOrderCounts {
  /**
   * Counts the order toward every limit, or toward none when one of them has `limit` orders in
   * the last `windowMs` already: the index of that limit, or -1 when counted. Atomic across
   * processes: of a burst sent to several at once, exactly the room left is let through. An
   * order counted already (the same id) is let through again without counting twice.
   */
  take(limits: readonly CountedLimit[], orderId: string, now: number, windowMs: number): Promise<number>;
  /** The order never reached a broker: it stops counting. */
  giveBack(keys: readonly string[], orderId: string): Promise<void>;
  close(): Promise<void>;
}

export const SHARED_ORDER_COUNTS = Symbol('SHARED_ORDER_COUNTS');

// KEYS: one sorted set a limit (order ids scored by when they were counted).
// ARGV: now, the window, the order id, then each key's limit.
// An order counted already (its event handled again) needs no room, and keeps its time.
const TAKE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if not redis.call('ZSCORE', KEYS[i], ARGV[3]) and redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + i]) then return i end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'NX', now, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0`;

type CountingRedis = Redis & {
  takeOrderCount(...args: (string | number)[]): Promise<number>;
};

/**
 * Orders a minute in sorted sets on Redis, checked and counted by one script (a script runs alone
 * on the server: no other process's count can come between the check and the count). The same
 * sliding minute as the count in memory. Keys carry one hash tag, so a script's keys share a slot.
 */
export class RedisOrderCounts implements SharedOrderCounts {
  private readonly redis: CountingRedis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    this.redis = orderPathRedis(redisUrl) as CountingRedis;
    this.redis.defineCommand('takeOrderCount', { lua: TAKE });
  }

  private keyOf(key: string): string {
    return `${this.prefix}:{orders-a-minute}:${key}`;
  }

  async take(limits: readonly CountedLimit[], orderId: string, now: number, windowMs: number): Promise<number> {
    const at = await this.redis.takeOrderCount(
      limits.length,
      ...limits.map((l) => this.keyOf(l.key)),
      now,
      windowMs,
      orderId,
      ...limits.map((l) => l.limit),
    );
    return at - 1;
  }

  async giveBack(keys: readonly string[], orderId: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.zrem(this.keyOf(key), orderId);
    await pipeline.exec();
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}
