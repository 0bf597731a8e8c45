import { describe, expect, it } from '@jest/globals';
import { FailureWindow } from './failure-window.js';

describe('FailureWindow', () => {
  it('stops a script that fails 4 calls in 5, which never fails 5 in a row', () => {
    const window = new FailureWindow(10, 5);
    const outcomes = [true, true, true, true, false, true, true, true, true, false];
    const counts = outcomes.map((failed) => window.record('s', failed));
    // Failures among the latest calls, by hand: 1 2 3 4 4 5 …
    expect(counts).toEqual([1, 2, 3, 4, 4, 5, 6, 7, 8, 8]);
    expect(counts.findIndex((n) => window.exceeded(n))).toBe(5);
  });

  it('counts only the latest calls: old failures fall out of the window', () => {
    const window = new FailureWindow(4, 3);
    expect([true, true, false, false, false, true, true].map((f) => window.record('s', f))).toEqual([1, 2, 2, 2, 1, 1, 2]);
    expect(window.calls('s')).toBe(4);
  });

  it('keeps strategies apart and forgets one on request', () => {
    const window = new FailureWindow(10, 2);
    window.record('a', true);
    expect(window.record('b', true)).toBe(1);
    expect(window.exceeded(window.record('a', true))).toBe(true);
    window.forget('a');
    expect(window.record('a', true)).toBe(1);
  });
});
