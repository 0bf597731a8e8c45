import { describe, expect, it } from '@jest/globals';
import { jsonDepth } from './json-depth.js';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[[{{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['[[', 2],
    ['['.repeat(10_000) + ']'.repeat(10_000), 10_000],
  ])('%s is %p deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
});
