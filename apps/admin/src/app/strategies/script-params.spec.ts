import { paramFields, paramOverrides } from './script-params';

const defaults = { qty: 1, stopTicks: 40, sessionStart: '13:30', trail: false };

describe('paramFields', () => {
  it('types each input by its declared default', () => {
    expect(paramFields(defaults).map((f) => [f.key, f.type, f.defaultText])).toEqual([
      ['qty', 'number', '1'],
      ['stopTicks', 'number', '40'],
      ['sessionStart', 'string', '13:30'],
      ['trail', 'boolean', 'false'],
    ]);
  });
});

describe('paramOverrides', () => {
  it('keeps only the values that differ from the defaults, with their types', () => {
    expect(paramOverrides(defaults, { qty: 2, stopTicks: 40, sessionStart: '14:30', trail: true })).toEqual({
      qty: 2,
      sessionStart: '14:30',
      trail: true,
    });
  });

  it('lets an emptied or wrongly typed field fall back to the default, and ignores undeclared keys', () => {
    expect(paramOverrides(defaults, { qty: null, stopTicks: '12', trail: 'yes' as never, other: 5 })).toEqual({ stopTicks: 12 });
    expect(paramOverrides(defaults, { qty: Number.NaN })).toEqual({});
  });
});
