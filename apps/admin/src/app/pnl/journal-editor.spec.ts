import { parseTags } from './journal-editor';

describe('parseTags', () => {
  it('splits on commas, trims, lower-cases and keeps the first of repeats, in the order typed', () => {
    expect(parseTags(' Breakout, A+ setup ,breakout,, news ')).toEqual(['breakout', 'a+ setup', 'news']);
  });

  it('reads nothing typed, or only commas and spaces, as no tags', () => {
    expect(parseTags('')).toEqual([]);
    expect(parseTags(' , ,')).toEqual([]);
  });
});
