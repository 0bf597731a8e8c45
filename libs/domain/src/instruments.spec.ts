import { describe, expect, it } from '@jest/globals';
import { atTick, FUTURES_CATALOG, InstrumentCatalog, MAX_TICKER_LENGTH, onGrid, tickerProblem, tickValueCents } from './instruments.js';

const catalog = new InstrumentCatalog();

describe('instrument lookup from TradingView symbols', () => {
  it.each([
    ['NQ1!', 'NQ1!', 'NQ'],
    ['CME_MINI:NQ1!', 'NQ1!', 'NQ'],
    ['nq1!', 'NQ1!', 'NQ'],
    ['NQ2!', 'NQ1!', 'NQ'],
    ['NQZ2026', 'NQ1!', 'NQ'],
    ['NQZ26', 'NQ1!', 'NQ'],
    ['NQZ6', 'NQ1!', 'NQ'],
    ['NQ', 'NQ1!', 'NQ'],
    ['MNQ1!', 'MNQ1!', 'MNQ'],
    ['MNQH2027', 'MNQ1!', 'MNQ'],
    ['CME_MINI:MES1!', 'MES1!', 'MES'],
    ['ESH7', 'ES1!', 'ES'],
    ['NYMEX:CL1!', 'CL1!', 'CL'],
    ['MCLF2027', 'MCL1!', 'MCL'],
    ['COMEX:GC1!', 'GC1!', 'GC'],
    [' M2K1! ', 'M2K1!', 'M2K'],
  ])('%s → %s', (input, ticker, root) => {
    const resolved = catalog.resolve(input);
    expect(resolved.ticker).toBe(ticker);
    expect(resolved.instrument.root).toBe(root);
    expect(resolved.instrument.kind).toBe('future');
  });

  it.each([
    ['NASDAQ:AAPL', 'AAPL'],
    ['BINANCE:BTCUSDT', 'BTCUSDT'],
    ['ZZZ1!', 'ZZZ1!'],
    ['NQX', 'NQX'],
    ['ESPR', 'ESPR'],
  ])('%s is a stock/crypto-style symbol %s with step 0.01 worth $0.01', (input, ticker) => {
    expect(catalog.resolve(input)).toEqual({
      ticker,
      instrument: { root: ticker, description: ticker, kind: 'equity', tickSize: 0.01, tickValue: 0.01 },
    });
  });

  it('refuses an empty ticker', () => {
    expect(() => catalog.resolve('  ')).toThrow(/ticker is empty/);
    expect(() => catalog.resolve('CME_MINI:')).toThrow(/ticker is empty/);
  });

  it.each([['BRK.B'], ['COINBASE:BTC/USD'], ['BTC-PERP'], ['CME:6E1!'], ['X']])('accepts the symbol %s', (input) => {
    expect(tickerProblem(input)).toBeNull();
    expect(() => catalog.resolve(input)).not.toThrow();
  });

  it.each([
    ['<script>alert(1)</script>', /not a symbol/],
    ['NQ1! ; DROP TABLE', /not a symbol/],
    ['A'.repeat(33), /not a symbol/],
    ['N'.repeat(MAX_TICKER_LENGTH + 1), /at most 64/],
    ['CME MINI:NQ1!', /exchange prefix/],
    ['NQ\n1!', /not a symbol/],
    ['\u001b[31mNQ', /not a symbol/],
    ['__proto__', /not a symbol/],
  ])('refuses %j, naming why', (input, reason) => {
    expect(tickerProblem(input)).toMatch(reason);
    expect(() => catalog.resolve(input)).toThrow(reason);
  });

  it('refuses a ticker that is not a string', () => {
    expect(tickerProblem(42)).toMatch(/must be a string/);
    expect(tickerProblem(undefined)).toMatch(/must be a string/);
  });

  it('has the CME specs', () => {
    const specs = Object.fromEntries(FUTURES_CATALOG.map((i) => [i.root, [i.tickSize, tickValueCents(i)]]));
    expect(specs).toEqual({
      NQ: [0.25, 500],
      MNQ: [0.25, 50],
      ES: [0.25, 1250],
      MES: [0.25, 125],
      YM: [1, 500],
      MYM: [1, 50],
      RTY: [0.1, 500],
      M2K: [0.1, 50],
      CL: [0.01, 1000],
      MCL: [0.01, 100],
      GC: [0.1, 1000],
      MGC: [0.1, 100],
    });
  });

  it('takes user instruments from config, overriding built-ins by root', () => {
    const custom = new InstrumentCatalog([
      { root: '6E', description: 'Euro FX', kind: 'future', tickSize: 0.00005, tickValue: 6.25 },
      { root: 'NQ', description: 'NQ with a different value', kind: 'future', tickSize: 0.25, tickValue: 6 },
    ]);
    expect(custom.resolve('CME:6EZ2026')).toEqual({ ticker: '6E1!', instrument: expect.objectContaining({ root: '6E', tickValue: 6.25 }) });
    expect(custom.instrument('NQ1!').tickValue).toBe(6);
    expect(custom.futuresRoots()).toContain('6E');
  });

  it('keeps configured stock/crypto-style symbols as they are', () => {
    const custom = new InstrumentCatalog([{ root: 'btcusdt', description: 'Bitcoin', kind: 'equity', tickSize: 0.1, tickValue: 0.1 }]);
    expect(custom.resolve('BINANCE:BTCUSDT')).toEqual({
      ticker: 'BTCUSDT',
      instrument: { root: 'BTCUSDT', description: 'Bitcoin', kind: 'equity', tickSize: 0.1, tickValue: 0.1 },
    });
    expect(custom.futuresRoots()).not.toContain('BTCUSDT');
  });

  it('lists the futures roots and keeps MNQ, MES and MGC apart from NQ, ES and GC', () => {
    expect(catalog.futuresRoots().sort()).toEqual(['CL', 'ES', 'GC', 'M2K', 'MCL', 'MES', 'MGC', 'MNQ', 'MYM', 'NQ', 'RTY', 'YM']);
    expect(catalog.canonical('MNQZ6')).toBe('MNQ1!');
    expect(catalog.canonical('MESM2026')).toBe('MES1!');
    expect(catalog.canonical('MGC1!')).toBe('MGC1!');
    expect(catalog.instrument('MES').tickValue).toBe(1.25);
  });

  it('remembers what a spelling resolved to, shares it frozen, and keeps refusing what it refused', () => {
    const own = new InstrumentCatalog();
    const first = own.resolve('CME_MINI:NQZ2026');
    expect(own.resolve('CME_MINI:NQZ2026')).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.instrument)).toBe(true);
    expect(() => {
      (first.instrument as { tickValue: number }).tickValue = 1;
    }).toThrow(TypeError);
    expect(own.instrument('NQ1!').tickValue).toBe(5);
    expect(() => own.resolve('NQ 1!')).toThrow(/is not a symbol/);
    expect(() => own.resolve('NQ 1!')).toThrow(/is not a symbol/);
    // A feed inventing names cannot grow the memory without bound: past its size it starts over.
    for (let i = 0; i < 10_050; i++) expect(own.canonical(`SYM${i}`)).toBe(`SYM${i}`);
    expect(own.resolve('CME_MINI:NQZ2026')).toEqual(first);
  });
});

describe('the tick grid', () => {
  it.each([
    // price, tick, nearest, up, down
    [25000.13, 0.25, 25000.25, 25000.25, 25000], // 100000.52 ticks
    [25000.1, 0.25, 25000, 25000.25, 25000],
    [0.1 + 0.2, 0.1, 0.3, 0.3, 0.3], // 0.30000000000000004: dust, not a tick
    [0.3, 0.1, 0.3, 0.3, 0.3], // 2.9999999999999996 ticks: on the grid
    [75.37 * 1.01, 0.01, 76.12, 76.13, 76.12], // 76.1237
    [6817.50125, 0.25, 6817.5, 6817.75, 6817.5],
    [2100.05, 0.1, 2100.1, 2100.1, 2100], // M2K: half a tick rounds up when nearest
    [25003, 1, 25003, 25003, 25003], // YM: whole points
  ])('%d on a %d grid: nearest %d, up %d, down %d', (price, tickSize, nearest, up, down) => {
    expect([onGrid(price, tickSize), onGrid(price, tickSize, 'up'), onGrid(price, tickSize, 'down')]).toEqual([nearest, up, down]);
  });

  it('leaves a price alone without a usable tick size, and never gives −0', () => {
    expect([onGrid(25000.13, 0), onGrid(25000.13, NaN), onGrid(NaN, 0.25)]).toEqual([25000.13, 25000.13, NaN]);
    expect(Object.is(onGrid(-0.0001, 0.25), -0)).toBe(false);
  });

  it("puts a future's order price on the grid and leaves a stock's as sent", () => {
    expect(atTick(25000.3, { kind: 'future', tickSize: 0.25 })).toBe(25000.25);
    expect(atTick(0.5123, { kind: 'equity', tickSize: 0.01 })).toBe(0.5123);
  });
});
