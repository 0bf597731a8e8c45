import { describe, expect, it } from '@jest/globals';
import { describeDropped, MinuteAllowance, OTHER_KEYS } from './minute-allowance.js';

const clock = (start = 1_000_000) => {
  const time = { now: start };
  return { now: () => time.now, tick: (ms: number) => (time.now += ms) };
};

describe('MinuteAllowance', () => {
  it('lets perMinute through per key, counts the rest by tag, and hands the count over when the minute is over', () => {
    const time = clock();
    const allowance = new MinuteAllowance(2, 100, time.now);
    expect([1, 2, 3, 4].map(() => allowance.take('a', '413').allowed)).toEqual([true, true, false, false]);
    allowance.take('a', '401');
    expect(allowance.take('b').allowed).toBe(true);
    time.tick(59_999);
    expect(allowance.take('a').allowed).toBe(false);
    time.tick(1);
    const next = allowance.take('a', '413');
    expect(next.allowed).toBe(true);
    expect(next.closed).toEqual(expect.objectContaining({ key: 'a', start: 1_000_000, end: 1_060_000, taken: 2, dropped: 4 }));
    expect(describeDropped(next.closed!)).toBe('413 ×2, 401 ×1, ×1');
    // a's new minute and b's let everything through: nothing to report.
    expect(allowance.close(time.now() + 60_000)).toEqual([]);
  });

  it('closes minutes that are over on demand, only those that held something back', () => {
    const time = clock();
    const allowance = new MinuteAllowance(1, 100, time.now);
    allowance.take('quiet');
    allowance.take('loud');
    allowance.take('loud');
    expect(allowance.close()).toEqual([]);
    time.tick(60_000);
    expect(allowance.close().map((c) => [c.key, c.dropped])).toEqual([['loud', 1]]);
    expect(allowance.size).toBe(0);
  });

  it('keeps its table at maxKeys: beyond it, new keys share one window', () => {
    const time = clock();
    const allowance = new MinuteAllowance(1, 1000, time.now);
    let allowed = 0;
    for (let i = 0; i < 80_000; i++) if (allowance.take(`name-${i}`).allowed) allowed++;
    expect(allowance.size).toBeLessThanOrEqual(1001);
    // 1000 keys of their own, then one for all the others.
    expect(allowed).toBe(1001);
    time.tick(60_000);
    const closed = allowance.close();
    expect(closed.map((c) => [c.key, c.dropped])).toEqual([[OTHER_KEYS, 78_999]]);
  });
});
