import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  const at = (start = 0) => {
    const clock = { now: start };
    return { clock, tick: (ms: number) => (clock.now += ms), now: () => clock.now };
  };

  it('allows the capacity at once, then refuses with the seconds until one attempt refills', () => {
    const time = at();
    const limiter = new RateLimiter(3, 60_000, time.now);
    expect([1, 2, 3].map(() => limiter.take('ip').allowed)).toEqual([true, true, true]);
    // One attempt refills every 20 s.
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    time.tick(15_000);
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    time.tick(5_000);
    expect(limiter.take('ip').allowed).toBe(true);
    expect(limiter.take('ip').allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter(1, 1000, at().now);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('peek does not spend an attempt; reset forgets the key', () => {
    const limiter = new RateLimiter(1, 1000, at().now);
    expect(limiter.peek('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.peek('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    limiter.reset('a');
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('drops full buckets on its sweep, so memory does not grow with distinct keys', () => {
    const time = at();
    const limiter = new RateLimiter(2, 1000, time.now);
    for (let i = 0; i < 1000; i++) limiter.take(`ip-${i}`);
    expect(limiter.size).toBe(1000);
    time.tick(1000);
    limiter.take('fresh');
    expect(limiter.size).toBe(1);
  });
});

describe('RateLimiter table', () => {
  it('remembers nothing for a key it was only asked about', () => {
    const limiter = new RateLimiter(5, 60_000, () => 0);
    for (let i = 0; i < 80_000; i++) limiter.peek(`name-${i}`);
    expect(limiter.size).toBe(0);
  });

  it('holds at most maxKeys buckets, letting the one unused longest go', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 60_000, () => now, 1000);
    limiter.take('kept');
    for (let i = 0; i < 80_000; i++) {
      now++;
      limiter.take(`name-${i}`);
      if (i % 100 === 0) limiter.take('kept');
    }
    expect(limiter.size).toBe(1000);
    // Used all along: still empty, still refused.
    expect(limiter.take('kept').allowed).toBe(false);
    // Unused longest: forgotten, so allowed again.
    expect(limiter.take('name-0').allowed).toBe(true);
  });

  it('refunds an attempt, forgetting a bucket that is full again', () => {
    const limiter = new RateLimiter(2, 60_000, () => 0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.peek('a').allowed).toBe(false);
    limiter.refund('a');
    expect(limiter.peek('a').allowed).toBe(true);
    limiter.refund('a');
    expect(limiter.size).toBe(0);
    limiter.refund('never-seen');
    expect(limiter.size).toBe(0);
  });
});
