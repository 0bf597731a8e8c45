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
  const lock = (ttlMs: number, run: number) => {
    const l = new RedisLeaderLock(REDIS_URL, `${key}-${run}`, ttlMs);
    locks.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of locks) await l.release();
  });

  it('is held by one process at a time, renewed by its holder, taken over when the holder stops renewing', async () => {
    // A lease runs on Redis's clock, which the test can only bound: one set by a call made at t stands
    // until t + LEASE_MS at least, one set by a call answered at t is gone by t + LEASE_MS. A refusal
    // is owed only when it was answered while the lease refusing it surely stood; a busy machine that
    // answers later may rightly find that lease gone, and the scene is played again on a new key.
    const LEASE_MS = 1000;
    const scene = async (run: number): Promise<boolean> => {
      const a = lock(LEASE_MS, run);
      const b = lock(LEASE_MS, run);
      const taking = Date.now();
      expect(await a.hold()).toBe(true);
      const taken = Date.now();
      let held = await b.hold();
      if (Date.now() >= taking + LEASE_MS) return false;
      expect(held).toBe(false);
      await sleep(600);
      const renewing = Date.now();
      expect(await a.hold()).toBe(true); // renewed: LEASE_MS from now
      const renewed = Date.now();
      // Answered after the first lease may have gone, the call may have taken a new one instead.
      if (renewed >= taking + LEASE_MS) return false;
      // Past the first lease (10 ms for the two clocks' rounding): only the renewal still stands.
      await sleep(Math.max(0, taken + LEASE_MS - Date.now()) + 10);
      held = await b.hold();
      if (Date.now() >= renewing + LEASE_MS) return false;
      expect(held).toBe(false); // would have expired without the renewal
      await sleep(Math.max(0, renewed + LEASE_MS - Date.now()) + 10); // a stalls past its lease
      const takingOver = Date.now();
      expect(await b.hold()).toBe(true);
      held = await a.hold();
      if (Date.now() >= takingOver + LEASE_MS) return false;
      expect(held).toBe(false); // never extends or deletes b's lease
      await b.release();
      const c = lock(LEASE_MS, run);
      expect(await c.hold()).toBe(true); // released: free at once
      return true;
    };
    let played = false;
    for (let run = 0; run < 5 && !played; run++) played = await scene(run);
    expect(played).toBe(true);
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
    // Three passes of the one that leads, however long a busy machine takes over them; none of the other's meanwhile.
    const [leader, follower] = await eventually(
      async () => (passes(first) >= 3 ? [first, second] : passes(second) >= 3 ? [second, first] : undefined),
      15_000,
      'three passes of the leader',
    );
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
