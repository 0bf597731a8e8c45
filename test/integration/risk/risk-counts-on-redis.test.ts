import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisOrderCounts } from '../../../apps/server/src/risk/shared-order-counts.js';
import { RedisOrdersInFlight } from '../../../apps/server/src/risk/shared-orders-in-flight.js';
import { dropRedisKeys, REDIS_URL } from '../../support/app.js';

const PREFIX = `risk-counts-on-redis-${process.pid}-${Date.now()}`;
afterAll(() => dropRedisKeys(REDIS_URL, PREFIX));
const MINUTE = 60_000;

/**
 * Orders a minute as several processes count them, on a real Redis: two counters are two
 * processes' connections. Each count is checked and taken in one script, so a burst sent to both
 * at once lets exactly the room left through.
 */
describe('orders a minute counted across processes (Redis)', () => {
  const first = new RedisOrderCounts(REDIS_URL, PREFIX);
  const second = new RedisOrderCounts(REDIS_URL, PREFIX);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
    redis.disconnect();
  });
  const members = (key: string) => redis.zrange(`${PREFIX}:{orders-a-minute}:${key}`, 0, -1);

  it('lets exactly the limit through of a burst sent to two processes at once', async () => {
    const now = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).take([{ key: 'account:burst', limit: 3 }], `order-${i}`, now, MINUTE)),
    );
    expect(answers.filter((a) => a === -1)).toHaveLength(3);
    // A refusal names the limit that refused it: the only one here.
    expect(answers.filter((a) => a === 0)).toHaveLength(7);
    expect(await members('account:burst')).toHaveLength(3);
    // An order counted already, its event handled again: let through, and counted once.
    const counted = answers.indexOf(-1);
    expect(await first.take([{ key: 'account:burst', limit: 3 }], `order-${counted}`, now + 5, MINUTE)).toBe(-1);
    expect(await redis.zscore(`${PREFIX}:{orders-a-minute}:account:burst`, `order-${counted}`)).toBe(String(now));
    expect(await members('account:burst')).toHaveLength(3);
  });

  it('counts toward every limit or toward none, and names the one that is full', async () => {
    const now = Date.now();
    const limits = [
      { key: 'strategy:both', limit: 5 },
      { key: 'account:both', limit: 2 },
    ];
    expect(await first.take(limits, 'a', now, MINUTE)).toBe(-1);
    expect(await second.take(limits, 'b', now, MINUTE)).toBe(-1);
    // The account is full: the strategy's count is left as it was.
    expect(await first.take(limits, 'c', now, MINUTE)).toBe(1);
    expect((await members('strategy:both')).sort()).toEqual(['a', 'b']);
    expect((await members('account:both')).sort()).toEqual(['a', 'b']);
  });

  it('takes an order given back off every count, and lets a count lapse after its minute', async () => {
    const start = Date.now();
    const limits = [{ key: 'account:window', limit: 2 }];
    expect(await first.take(limits, 'x', start, MINUTE)).toBe(-1);
    expect(await second.take(limits, 'y', start + 1000, MINUTE)).toBe(-1);
    expect(await first.take(limits, 'z', start + 2000, MINUTE)).toBe(0);
    // An order that never reached a broker stops counting, in every process.
    await second.giveBack(['account:window'], 'x');
    expect(await first.take(limits, 'z', start + 2000, MINUTE)).toBe(-1);
    expect(await second.take(limits, 'w', start + 3000, MINUTE)).toBe(0);
    // A minute after `y`, it has lapsed: room for one more, not two.
    expect(await second.take(limits, 'w', start + 1000 + MINUTE, MINUTE)).toBe(-1);
    expect(await first.take(limits, 'v', start + 1000 + MINUTE, MINUTE)).toBe(0);
    // The key expires with its last count: nothing is left behind in Redis.
    const ttl = await redis.pttl(`${PREFIX}:{orders-a-minute}:account:window`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MINUTE);
  });

  it('refuses within a second when Redis does not answer, and closes a counter never used', async () => {
    // Nothing listens on this port: the take fails rather than waiting for a connection.
    const unreachable = new RedisOrderCounts('redis://127.0.0.1:1', PREFIX);
    const started = Date.now();
    await expect(unreachable.take([{ key: 'account:gone', limit: 1 }], 'o', started, MINUTE)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    await unreachable.close();
    await new RedisOrderCounts(REDIS_URL, PREFIX).close();
  });
});

/**
 * An account's orders in flight as several processes see them, on a real Redis: each reservation
 * answers the orders there before it, in one script, so of a burst reserved from two connections
 * at once each sees exactly those reserved before it.
 */
describe('orders in flight shared across processes (Redis)', () => {
  const first = new RedisOrdersInFlight(REDIS_URL, PREFIX);
  const second = new RedisOrdersInFlight(REDIS_URL, PREFIX);
  afterAll(() => Promise.all([first.close(), second.close()]));
  const buy = (id: string, quantity = 1) => ({ id, ticker: 'MES1!', positionKey: 's1', signed: quantity, market: true });

  it('answers each reservation of a burst the ones before it, but itself', async () => {
    const now = Date.now();
    const seen = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).reserve('burst', buy(`o${i}`), now, now + 30_000)),
    );
    // Reserved one after another on the server: their answers are 0, 1, … 7 orders long, each
    // the one before it and the order that answer was for.
    const byCount = seen
      .map((answer, i) => ({ id: `o${i}`, before: answer.map((o) => o.id).sort() }))
      .sort((a, b) => a.before.length - b.before.length);
    expect(byCount.map((r) => r.before.length)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (let i = 1; i < 8; i++) expect(byCount[i].before).toEqual([...byCount[i - 1].before, byCount[i - 1].id].sort());
    const last = seen.find((answer) => answer.length === 7)!;
    expect(last[0]).toEqual(buy(last[0].id));
  });

  it('follows what is left to fill, drops an order that ended, and one whose time is over', async () => {
    const now = Date.now();
    await first.reserve('lands', { ...buy('sell', 3), signed: -3 }, now, now + 30_000);
    await first.reserve('lands', buy('short-lived', 2), now, now + 1_000);
    await first.reserve('lands', buy('refused'), now, now + 30_000);
    // Another process books 1 of the sell's 3 and refuses the last order; a land of an order never reserved is nothing.
    await second.land('lands', 'sell', 2);
    await second.land('lands', 'refused', 0);
    await second.land('lands', 'unknown', 0);
    const seen = await second.reserve('lands', buy('next'), now + 500, now + 30_500);
    expect(seen.map((o) => [o.id, o.signed]).sort()).toEqual([
      ['sell', -2],
      ['short-lived', 2],
    ]);
    // A second on, the short-lived one's time is over: dropped, not answered.
    const later = await first.reserve('lands', buy('last'), now + 1_000, now + 31_000);
    expect(later.map((o) => o.id).sort()).toEqual(['next', 'sell']);
  });
});
