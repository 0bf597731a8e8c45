import { Redis } from 'ioredis';

/**
 * A connection for a check on an order's path (the risk limits' counts): it connects on first
 * use, and a Redis that does not answer fails the command within a second, so the order is
 * refused with the reason rather than held while ioredis reconnects. Errors are reported by the
 * command that meets them, not by the connection.
 */
export function orderPathRedis(redisUrl: string): Redis {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Closes a connection and waits until its socket is gone (at most a second): a connection left
 * open keeps an embedding process, or a test run, from exiting. One that never connected (lazy)
 * is only dropped.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'wait') return redis.disconnect();
  const ended = new Promise<void>((resolve) => {
    redis.once('end', resolve);
    setTimeout(resolve, 1000).unref();
  });
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
  await ended;
}
