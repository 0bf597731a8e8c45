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
