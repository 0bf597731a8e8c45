import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createPostgresDatabase, dropRedisKeys, eventually, REDIS_URL, startServer } from '../../support/app.js';

afterAll(() => dropRedisKeys(REDIS_URL, `redis-connections-${process.pid}-`));

/**
 * Every connection to Redis a server opens — its queues, relays and leases — is closed when the
 * server is, in the process that leads a once-per-cluster job and in the ones that do not (a
 * connection left open keeps an embedding process, or a test run, from exiting).
 */
describe('Redis connections when a server closes', () => {
  // Two processes' worth of apps on one Redis. Of two full servers the first to start leads
  // notifications, P&L and feeds and the other waits; an api process never leads. Split roles
  // share a database, as they would in production: PostgreSQL.
  it.each([
    ['two servers of every role', ['all', 'all'], 'sqlite'],
    ['an api process and a worker', ['api', 'worker'], 'postgres'],
  ] as const)('closes every one: %s', async (_shape, roles, kind) => {
    const database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    // Each client is counted when it connects (ioredis connects through this method, lazily or at once).
    const opened: { client: Redis; where: string }[] = [];
    const connect = Redis.prototype.connect;
    Redis.prototype.connect = function (this: Redis, ...args: Parameters<Redis['connect']>) {
      if (!opened.some((o) => o.client === this))
        opened.push({ client: this, where: (new Error().stack ?? '').split('\n').slice(2, 8).join('\n') });
      return connect.apply(this, args);
    };
    try {
      const prefix = `redis-connections-${process.pid}-${Date.now()}`;
      const servers = [];
      for (const role of roles)
        servers.push(
          await startServer({
            redisUrl: REDIS_URL,
            databaseUrl: database?.url,
            overrides: { role, plugins: { disabled: ['sim-feed'] }, queue: { prefix } },
          }),
        );
      // Last started, first closed: of two full servers the one that does not lead closes first.
      for (const server of servers.reverse()) await server.close();
    } finally {
      Redis.prototype.connect = connect;
      await database?.drop();
    }
    // Both servers' relays, queues and leases made connections: the count is not vacuous.
    expect(opened.length).toBeGreaterThanOrEqual(6);
    // A socket may take a moment past `quit()`'s answer to end; one still open two seconds on is left open.
    await eventually(async () => opened.every((o) => o.client.status === 'end'), 2000, 'every connection ended').catch(() => undefined);
    const left = opened.filter((o) => o.client.status !== 'end');
    expect(left.map((o) => `${o.client.status}\n${o.where}`)).toEqual([]);
  });
});
