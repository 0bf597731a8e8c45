import { describe, expect, it } from '@jest/globals';
import { nextDue } from './script-triggers.service.js';

describe('nextDue (when a script timer runs next)', () => {
  it('is the next whole multiple of the period after now', () => {
    expect(nextDue(1_000, 1_000)).toBe(2_000);
    expect(nextDue(1_001, 1_000)).toBe(2_000);
    expect(nextDue(1_999, 1_000)).toBe(2_000);
    expect(nextDue(61_000, 60_000)).toBe(120_000);
  });

  it('never names the run before again when the timer fired a millisecond early by the wall clock', () => {
    // Scheduled for 2,000; the clock read 1,999 when it fired.
    expect(nextDue(1_999, 1_000, 2_000)).toBe(3_000);
    expect(nextDue(1_500, 1_000, 2_000)).toBe(3_000);
  });

  it('skips runs a late timer missed rather than running them in a burst', () => {
    expect(nextDue(5_250, 1_000, 2_000)).toBe(6_000);
  });
});
