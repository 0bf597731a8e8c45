import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { dropRedisKeys, eventually, REDIS_URL, startServer } from '../../support/app.js';

afterAll(() => dropRedisKeys(REDIS_URL, `redis-connections-${process.pid}-`));

/**
 * Every connection to Redis a server opens — its queues, relays and leases — is closed when the
 * server is, in the process that leads a once-per-cluster job and in the ones that do not (a
 * connection left open keeps an embedding process, or a test run, from exiting).
 */
describe('Redis connections when a server closes', () => {
  it('closes every one, in the leading process and in the others', async () => {
    // Each client is counted when it connects (ioredis connects through this method, lazily or at once).
    const opened: { client: Redis; where: string }[] = [];
    const connect = Redis.prototype.connect;
    Redis.prototype.connect = function (this: Redis, ...args: Parameters<Redis['connect']>) {
      if (!opened.some((o) => o.client === this))
        opened.push({ client: this, where: (new Error().stack ?? '').split('\n').slice(2, 8).join('\n') });
      return connect.apply(this, args);
    };
    try {
      const options = {
        redisUrl: REDIS_URL,
        overrides: { plugins: { disabled: ['sim-feed'] }, queue: { prefix: `redis-connections-${process.pid}-${Date.now()}` } },
      };
      // Two processes' worth of apps on one Redis: the first leads notifications, P&L and feeds; the second waits.
      const leader = await startServer(options);
      const follower = await startServer(options);
      await follower.close();
      await leader.close();
    } finally {
      Redis.prototype.connect = connect;
    }
    // Both servers' relays, queues and leases made connections: the count is not vacuous.
    expect(opened.length).toBeGreaterThanOrEqual(6);
    // A socket may take a moment past `quit()`'s answer to end; one still open two seconds on is left open.
    await eventually(async () => opened.every((o) => o.client.status === 'end'), 2000, 'every connection ended').catch(() => undefined);
    const left = opened.filter((o) => o.client.status !== 'end');
    expect(left.map((o) => `${o.client.status}\n${o.where}`)).toEqual([]);
  });
});
