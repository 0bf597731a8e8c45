import { afterAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { RedisLeaderLock } from '../../../apps/server/src/infra/leader/leader-lock.js';
import { PnlJobs } from '../../../apps/server/src/pnl/pnl-jobs.service.js';
import { createPostgresDatabase, dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { fillBooker } from '../../support/pnl.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `tradeloop-test-leader-${process.pid}-`)]));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const passes = (server: TestServer) => server.app.get(PnlJobs).passes;

describe('the Redis leader lock', () => {
  const key = `tradeloop-test-${process.pid}-${Date.now()}:lock`;
  const locks: RedisLeaderLock[] = [];
  const lock = (ttlMs: number) => {
    const l = new RedisLeaderLock(REDIS_URL, key, ttlMs);
    locks.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of locks) await l.release();
  });

  it('is held by one process at a time, renewed by its holder, taken over when the holder stops renewing', async () => {
    const a = lock(400);
    const b = lock(400);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    await sleep(250);
    expect(await a.hold()).toBe(true); // renewed: 400 ms from now
    await sleep(250);
    expect(await b.hold()).toBe(false); // would have expired without the renewal
    await sleep(500); // a stalls past its lease
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false); // never extends or deletes b's lease
    await b.release();
    const c = lock(400);
    expect(await c.hold()).toBe(true); // released: free at once
  });
});

describe('one recorder across processes', () => {
  const servers: TestServer[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const s of servers) await s.close();
    await drop?.();
  });

  it('without Redis, the one process records every second on its own', async () => {
    const server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    servers.push(server);
    await eventually(async () => passes(server) >= 2, 5000, 'two scheduled passes');
  });

  it('two processes on one database and one Redis: only the lock holder records; the other takes over when it stops', async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    const shared = {
      databaseUrl: database.url,
      redisUrl: REDIS_URL,
      overrides: { plugins: { disabled: ['sim-feed'] }, queue: { prefix: `tradeloop-test-leader-${process.pid}-${Date.now()}` } },
    };
    const first = await startServer(shared);
    const second = await startServer(shared);
    servers.push(first, second);
    const strategyId = (await http(first.url, 'POST', '/api/strategies', { name: 'watched' })).body.id;
    const accountId = (await http(first.url, 'GET', '/api/accounts')).body[0].id;
    await fillBooker(first)({ strategyId, accountId, ticker: 'NQ1!', side: 'buy', quantity: 1, price: 25000, time: Date.now() });

    const points = async () =>
      Number((await first.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "pnl_points" WHERE "scopeId" = $1`, [strategyId]))[0].n);
    await eventually(async () => (await points()) > 0, 5000, 'the strategy recorded');
    await sleep(2500);
    const [leader, follower] = passes(first) > 0 ? [first, second] : [second, first];
    expect(passes(leader)).toBeGreaterThanOrEqual(3);
    expect(passes(follower)).toBe(0);
    // Nothing changed after the fill (NQ has no quote: open P&L unknown), so one point only.
    expect(await points()).toBe(1);

    const recordedBefore = passes(leader);
    await leader.close();
    servers.splice(servers.indexOf(leader), 1);
    await eventually(async () => passes(follower) >= 2, 5000, 'the follower to take over');
    expect(passes(leader)).toBe(recordedBefore);
    // It resumed from the recorded state: the unchanged strategy got no second point.
    expect(
      Number((await follower.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "pnl_points" WHERE "scopeId" = $1`, [strategyId]))[0].n),
    ).toBe(1);
  }, 30_000);
});
