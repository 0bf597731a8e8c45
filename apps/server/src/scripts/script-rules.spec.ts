import { describe, expect, it } from '@jest/globals';
import { effectiveParams, paramsProblem, scriptNameProblem } from './script-rules.js';

describe('script names', () => {
  it.each(['breakout.ts', 'session-filter.js', 'a.b_c-1.ts', 'X.ts'])('accepts %p', (name) => {
    expect(scriptNameProblem(name)).toBeNull();
  });

  it.each([
    '../etc/passwd.ts',
    '..%2Fx.ts',
    'dir/x.ts',
    'dir\\x.ts',
    '.hidden.ts',
    'x..ts',
    'tradeloop.d.ts',
    'x.json',
    'x.ts.bak',
    'x',
    '',
    `${'a'.repeat(120)}.ts`,
    'x.ts\0.js',
  ])('refuses %p', (name) => {
    expect(scriptNameProblem(name)).toMatch(/script name/);
  });
});

describe('script params', () => {
  const defaults = { qty: 1, session: '09:30-16:00', allowShorts: false };

  it('accepts declared keys of the declared types', () => {
    expect(paramsProblem(defaults, { qty: 3, allowShorts: true }, 'x.ts')).toBeNull();
    expect(paramsProblem(defaults, {}, 'x.ts')).toBeNull();
  });

  it('names the field that is wrong, and why', () => {
    expect(paramsProblem(defaults, { qty: '3' }, 'x.ts')).toBe('params.qty must be a number (the default is 1), got "3"');
    expect(paramsProblem(defaults, { qty: null }, 'x.ts')).toBe('params.qty must be a number (the default is 1), got null');
    expect(paramsProblem(defaults, { allowShorts: 1 }, 'x.ts')).toBe('params.allowShorts must be a boolean (the default is false), got 1');
    expect(paramsProblem(defaults, { size: 2 }, 'x.ts')).toBe('params.size: x.ts has no such parameter (it has qty, session, allowShorts)');
    expect(paramsProblem({}, { size: 2 }, 'x.ts')).toBe('params.size: x.ts has no such parameter (it declares none)');
    expect(paramsProblem(defaults, [1], 'x.ts')).toBe('params must be an object');
  });

  it('lets user values override defaults only while they still fit', () => {
    expect(effectiveParams(defaults, { qty: 2, gone: 5, session: 7 } as never)).toEqual({
      qty: 2,
      session: '09:30-16:00',
      allowShorts: false,
    });
    expect(effectiveParams(defaults, null)).toEqual(defaults);
  });
});
