import { describe, expect, it } from '@jest/globals';
import { backoffDelay, decide, fullBucket, parseRetryAfter, takeToken, type RetryPolicy } from './delivery-policy.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };

describe('backoff', () => {
  it.each([
    // attempt, random, delay: half of min(max, base·2^(attempt−1)) fixed, the other half times random
    [1, 0, 500],
    [1, 0.999, 1000],
    [2, 0.5, 1500],
    [3, 0, 2000],
    [4, 1, 8000],
    [5, 0, 5000], // 16 s capped at 10 s
    [40, 0.5, 7500],
  ])('after %d failures with random %d waits %d ms', (attempt, random, delay) => {
    expect(backoffDelay(attempt, policy, random)).toBe(delay);
  });
});

describe('decide', () => {
  const now = 1_000_000;

  it('is done when sent', () => {
    expect(decide({ ok: true }, 1, policy, now, 0)).toEqual({ action: 'sent' });
  });

  it('backs off on a failure retrying can fix', () => {
    expect(decide({ ok: false, retry: true, reason: 'HTTP 503' }, 2, policy, now, 0)).toEqual({
      action: 'retry',
      at: now + 1000,
      reason: 'HTTP 503',
      holdChannelUntil: null,
    });
  });

  it("honours the service's own retry-after, and holds the whole channel till then", () => {
    expect(decide({ ok: false, retry: true, retryAfterMs: 64_570, reason: '429' }, 1, policy, now, 0.9)).toEqual({
      action: 'retry',
      at: now + 64_570,
      reason: '429',
      holdChannelUntil: now + 64_570,
    });
  });

  it('gives up at once on what retrying cannot fix, and after the last attempt with the reason', () => {
    expect(decide({ ok: false, retry: false, reason: 'webhook deleted' }, 1, policy, now, 0)).toEqual({
      action: 'give-up',
      reason: 'webhook deleted',
    });
    expect(decide({ ok: false, retry: true, reason: 'timeout' }, 5, policy, now, 0)).toEqual({
      action: 'give-up',
      reason: 'gave up after 5 attempts: timeout',
    });
  });
});

describe('token bucket', () => {
  const limit = { perMinute: 60, burst: 3 };

  it('lets a burst go, then one a second', () => {
    let bucket = fullBucket(limit, 0);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const taken = takeToken(bucket, limit, 0);
      bucket = taken.bucket;
      waits.push(taken.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 1000]);
    expect(takeToken(bucket, limit, 999).waitMs).toBe(1);
    expect(takeToken(bucket, limit, 1000).waitMs).toBe(0);
  });

  it('takes a token that is due though the fractions summed fall a hair short of one', () => {
    // 600 a minute, two at once: sends at 0 and 13 ms leave 1 + 0.13 - 1 = 0.1299999999999999
    // tokens; at 100 ms the bucket holds 0.9999999999999999. That token is due and is taken; the
    // next one is 100 ms away, not 0 (a 0 wait once let a message go without a token).
    const fast = { perMinute: 600, burst: 2 };
    let bucket = fullBucket(fast, 0);
    for (const at of [0, 13]) bucket = takeToken(bucket, fast, at).bucket;
    const due = takeToken(bucket, fast, 100);
    expect(due.waitMs).toBe(0);
    expect(due.bucket.tokens).toBeCloseTo(0, 12);
    expect(due.bucket.tokens).toBeGreaterThanOrEqual(0);
    expect(takeToken(due.bucket, fast, 100).waitMs).toBe(100);
    expect(takeToken(due.bucket, fast, 101).waitMs).toBe(99);
  });

  it('never lets more go than the burst plus one a token, whenever the sender asks', () => {
    // A sender that asks at every millisecond it likes, sending whenever the wait is 0: over a
    // minute of asks at uneven steps, the count sent by any instant stays within the limit.
    for (const fast of [
      { perMinute: 600, burst: 2 },
      { perMinute: 30, burst: 5 },
      { perMinute: 7, burst: 1 },
    ]) {
      const msPerToken = 60_000 / fast.perMinute;
      let bucket = fullBucket(fast, 0);
      let sent = 0;
      const overLimit: string[] = [];
      let step = 1;
      for (let now = 0; now <= 60_000; now += step) {
        const taken = takeToken(bucket, fast, now);
        bucket = taken.bucket;
        if (taken.waitMs === 0) sent++;
        if (taken.waitMs < 0 || (taken.waitMs > 0 && taken.waitMs < 1)) overLimit.push(`a wait of ${taken.waitMs} ms at ${now}`);
        if (sent > fast.burst + Math.floor(now / msPerToken + 1e-9)) overLimit.push(`${sent} sent by ${now} ms`);
        step = (step * 7 + 3) % 23 || 1; // uneven steps, 1 to 22 ms
      }
      expect(overLimit).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(fast.burst + Math.floor(60_000 / msPerToken) - 1);
    }
  });

  it('refills no further than the burst after a quiet hour', () => {
    const taken = takeToken({ tokens: 0, updatedAt: 0 }, limit, 3_600_000);
    expect(taken).toEqual({ bucket: { tokens: 2, updatedAt: 3_600_000 }, waitMs: 0 });
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-03-17T14:00:00Z');

  it('reads seconds and HTTP dates, caps at a day, ignores junk', () => {
    expect(parseRetryAfter('65', now)).toBe(65_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Tue, 17 Mar 2026 14:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('999999999', now)).toBe(86_400_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
