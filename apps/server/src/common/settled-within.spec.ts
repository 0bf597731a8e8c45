import { describe, expect, it } from '@jest/globals';
import { settledWithin } from './settled-within.js';

describe('settledWithin', () => {
  it('answers true as soon as the promise settles, resolved or rejected, and false after the time', async () => {
    expect(await settledWithin(Promise.resolve('x'), 1_000)).toBe(true);
    expect(await settledWithin(Promise.reject(new Error('no')), 1_000)).toBe(true);
    const started = Date.now();
    expect(await settledWithin(new Promise(() => undefined), 30)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
