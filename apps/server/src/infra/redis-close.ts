import type { Redis } from 'ioredis';

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
