import { describe, expect, it } from '@jest/globals';
import { OpenBrackets } from './open-brackets.js';

describe('OpenBrackets', () => {
  it('answers which entries have a bracket open and whether a strategy has any, as brackets open and close', () => {
    const open = new OpenBrackets();
    expect(open.has('e1')).toBe(false);
    expect(open.anyFor('s1')).toBe(false);
    open.set('e1', 's1', true);
    open.set('e2', 's1', true);
    open.set('e3', null, true);
    expect([open.has('e1'), open.has('e2'), open.has('e3'), open.has('e4')]).toEqual([true, true, true, false]);
    expect([open.anyFor('s1'), open.anyFor(null), open.anyFor('s2')]).toEqual([true, true, false]);
    open.set('e1', 's1', false);
    expect(open.has('e1')).toBe(false);
    expect(open.anyFor('s1')).toBe(true);
    open.set('e2', 's1', false);
    expect(open.anyFor('s1')).toBe(false);
    expect(open.size).toBe(1);
  });

  it('counts an entry once however often it is told the same (waiting, then open; closed twice)', () => {
    const open = new OpenBrackets();
    open.set('e1', 's1', true);
    open.set('e1', 's1', true);
    open.set('e2', 's1', true);
    open.set('e1', 's1', false);
    open.set('e1', 's1', false);
    expect(open.anyFor('s1')).toBe(true);
    open.set('e2', 's1', false);
    expect(open.anyFor('s1')).toBe(false);
    expect(open.size).toBe(0);
  });
});
