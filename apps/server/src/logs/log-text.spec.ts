import { describe, expect, it } from '@jest/globals';
import { clip, escapeControl, logContext, logText, MAX_LOG_CONTEXT, MAX_LOG_TEXT } from './log-text.js';

describe('log text', () => {
  it('writes out newlines, carriage returns, ESC and the other controls, keeping tabs and ordinary text', () => {
    expect(escapeControl('a\nb\r\nc\td')).toBe('a\\nb\\r\\nc\td');
    expect(escapeControl('\u001b[31mred\u001b[0m')).toBe('\\u001b[31mred\\u001b[0m');
    expect(escapeControl('\u0000\u0007\u007f\u009b')).toBe('\\u0000\\u0007\\u007f\\u009b');
    // Unicode line separators and bidirectional overrides change how a line reads.
    expect(escapeControl('x\u2028y\u202ez\u2066')).toBe('x\\u2028y\\u202ez\\u2066');
    expect(escapeControl('NQ1! ünïcødé 💥 <b>')).toBe('NQ1! ünïcødé 💥 <b>');
  });

  it('cuts long text, saying how much, and never splits a surrogate pair', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdefgh', 5)).toBe('abcde… [3 more characters cut]');
    const emoji = 'abcd💥'; // the emoji is two UTF-16 units at 4 and 5
    expect(clip(emoji, 5)).toBe('abcd… [2 more characters cut]');
  });

  it('keeps a message on one line and about 2 KB however long and however many controls it holds', () => {
    const line = logText('\n'.repeat(400_000));
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(MAX_LOG_TEXT + 50);
    expect(logText('x'.repeat(400_000))).toMatch(/^x{2000}… \[398000 more characters cut\]$/);
    expect(logText(42)).toBe('42');
  });

  it('bounds a context: each string cut, the whole JSON at most ~4 KB, unwritable values said so', () => {
    const stack = `Error: boom\n${'    at f (x.ts:1:1)\n'.repeat(20_000)}`;
    const stored = logContext({ eventId: 'e1', stack })!;
    expect(stored.length).toBeLessThanOrEqual(MAX_LOG_CONTEXT);
    expect(JSON.parse(stored).stack).toMatch(/more characters cut\]$/);
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const cut = logContext(many)!;
    expect(cut.length).toBeLessThanOrEqual(MAX_LOG_CONTEXT);
    expect(JSON.parse(cut)).toEqual({ cut: expect.stringMatching(/more characters cut\]$/) });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(JSON.parse(logContext(circular)!)).toEqual({ unwritable: expect.stringContaining('circular') });
    expect(logContext({ big: 10n })).toBe('{"big":"10"}');
    expect(logContext(undefined)).toBeNull();
  });
});
