import { describe, expect, it } from '@jest/globals';
import { alertLabel, eventRef } from './alert-label.js';

describe('alert labels in log lines', () => {
  const id = '481ca396-d020-4c1e-9a55-2f7c1b0e9d10';

  it('name an alert by its short reference, and by its own id when it has one', () => {
    expect(eventRef(id)).toBe('#481ca396');
    expect(alertLabel({ id, idempotencyKey: null })).toBe('alert #481ca396');
    expect(alertLabel({ id, idempotencyKey: 'long-entry-1' })).toBe('alert #481ca396 "long-entry-1"');
  });

  it('quote an outside id safely and briefly', () => {
    expect(alertLabel({ id, idempotencyKey: 'a"b\nc' })).toBe('alert #481ca396 "a\\"b\\nc"');
    expect(alertLabel({ id, idempotencyKey: 'x'.repeat(200) })).toBe(`alert #481ca396 "${'x'.repeat(40)}…"`);
  });
});
