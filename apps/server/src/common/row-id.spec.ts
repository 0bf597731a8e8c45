import { describe, expect, it, jest } from '@jest/globals';
import { newRowId } from './row-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The millisecond an id was made: its first 48 bits. */
const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('newRowId (UUID version 7 row ids)', () => {
  it('is a version 7 UUID carrying the millisecond it was made', () => {
    const before = Date.now();
    const id = newRowId();
    expect(id).toMatch(V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('sorts in the order ids were made, 20,000 in a row, all different', () => {
    const ids = Array.from({ length: 20_000 }, () => newRowId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    ids.forEach((id) => expect(id).toMatch(V7));
  });

  it('never goes backwards when the clock does, and borrows the next millisecond when one runs out of sequence', () => {
    const now = jest.spyOn(Date, 'now');
    try {
      // A clock an hour ahead of any id made so far, then frozen for 5,000 ids (more than one millisecond's 4,096), then set back.
      const t = Date.now() + 3_600_000;
      now.mockReturnValue(t);
      const frozen = Array.from({ length: 5_000 }, () => newRowId());
      now.mockReturnValue(t - 60_000);
      const after = newRowId();
      const all = [...frozen, after];
      expect([...all].sort()).toEqual(all);
      expect(new Set(all).size).toBe(all.length);
      expect(msOf(frozen[0]!)).toBe(t);
      expect(msOf(frozen.at(-1)!)).toBeGreaterThan(t);
      expect(msOf(after)).toBeGreaterThanOrEqual(msOf(frozen.at(-1)!));
    } finally {
      now.mockRestore();
    }
  });
});
