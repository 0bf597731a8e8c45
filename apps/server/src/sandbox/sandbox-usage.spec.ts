import { describe, expect, it } from '@jest/globals';
import { SandboxUsage } from './sandbox-usage.js';

describe('SandboxUsage', () => {
  it('fades recent sandbox time by half every 2 s', () => {
    let now = 0;
    const usage = new SandboxUsage(() => now);
    usage.record('a', 40, 'call');
    expect(usage.recent('a')).toBe(40);
    now = 2000;
    expect(usage.recent('a')).toBeCloseTo(20, 9);
    usage.record('a', 10, 'call');
    now = 4000;
    expect(usage.recent('a')).toBeCloseTo(15, 9);
    expect(usage.recent('never seen')).toBe(0);
    expect(usage.recent(null)).toBe(0);
  });

  it('averages handler calls, a fifth of the newest each time; loads count as time only', () => {
    const usage = new SandboxUsage(() => 0);
    usage.record('a', 40, 'call'); // 0 + (40 − 0) / 5 = 8
    expect(usage.averageMs('a')).toBeCloseTo(8, 9);
    usage.record('a', 40, 'call'); // 8 + (40 − 8) / 5 = 14.4
    expect(usage.averageMs('a')).toBeCloseTo(14.4, 9);
    usage.record('a', 500, 'other');
    expect(usage.averageMs('a')).toBeCloseTo(14.4, 9);
    expect(usage.recent('a')).toBe(580);
    usage.forget('a');
    expect(usage.averageMs('a')).toBe(0);
    expect(usage.size).toBe(0);
  });
});
