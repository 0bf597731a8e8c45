import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PLUGIN_API_VERSION, type DataFeedContext, type DataFeedPlugin, type Instrument, type Quote } from '@tradeloop/contracts';
import simFeed, {
  basePrice,
  FUTURES_LEVELS,
  mulberry32,
  readSettings,
  startTicks,
  streamSeed,
  tickDecimals,
  ticksToPrice,
  walkParams,
  walkStep,
} from './index.js';

const future = (root: string, tickSize: number, tickValue: number): Instrument => ({
  root,
  description: root,
  kind: 'future',
  tickSize,
  tickValue,
});
const CATALOG: Record<string, Instrument> = {
  NQ: future('NQ', 0.25, 5),
  MNQ: future('MNQ', 0.25, 0.5),
  ES: future('ES', 0.25, 12.5),
  YM: future('YM', 1, 5),
  RTY: future('RTY', 0.1, 5),
  CL: future('CL', 0.01, 10),
  GC: future('GC', 0.1, 10),
};

/** Like the server's catalog: `NQ1!` → NQ, anything unknown → an equity with a 0.01 tick. */
const instrument = (ticker: string): Instrument =>
  CATALOG[ticker.replace(/1!$/, '')] ?? { root: ticker, description: ticker, kind: 'equity', tickSize: 0.01, tickValue: 0.01 };

function harness(config: Record<string, unknown> = {}) {
  const quotes: Quote[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const context: DataFeedContext = {
    config: { seed: null, quotesPerSecond: 4, ...config },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument,
    publish: (quote) => void quotes.push(quote),
    reportStatus: () => undefined,
  };
  return { feed: simFeed.create(context), quotes, logs, context };
}

/** True when the price is a whole number of ticks and carries no float noise beyond the tick's decimals. */
const onGrid = (price: number, tickSize: number) =>
  Math.abs(price / tickSize - Math.round(price / tickSize)) < 1e-9 && price === Number(price.toFixed(tickDecimals(tickSize)));

/** Runs the pure walk for a root, returning bids and asks as prices. */
function run(root: string, tickSize: number, steps: number, seed = 7) {
  const random = mulberry32(streamSeed(seed, `${root}1!`));
  const params = walkParams(basePrice(root), tickSize);
  let bid = startTicks(params, random);
  const out: { bid: number; ask: number }[] = [];
  for (let i = 0; i < steps; i++) {
    bid = walkStep(bid, params, random);
    out.push({ bid: ticksToPrice(bid, tickSize), ask: ticksToPrice(bid + 1, tickSize) });
  }
  return out;
}

describe('sim-feed walk', () => {
  it('mulberry32 is repeatable per seed and spreads over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it.each([
    ['NQ', 0.25],
    ['CL', 0.01],
    ['GC', 0.1],
  ])('keeps %s on its %p tick grid with a one-tick spread over 10,000 steps', (root, tickSize) => {
    const quotes = run(root, tickSize, 10_000);
    expect(quotes.filter(({ bid, ask }) => !onGrid(bid, tickSize) || !onGrid(ask, tickSize))).toEqual([]);
    expect(quotes.filter(({ bid, ask }) => Math.round((ask - bid) / tickSize) !== 1 || bid <= 0)).toEqual([]);
    expect(new Set(quotes.map((q) => q.bid)).size).toBeGreaterThan(20);
  });

  it.each([1, 2, 3, 99])('keeps NQ within a few percent of where it started over 10,000 steps (seed %p)', (seed) => {
    const quotes = run('NQ', 0.25, 10_000, seed);
    const start = quotes[0]!.bid;
    expect(quotes.reduce((worst, { bid }) => Math.max(worst, Math.abs(bid - start) / start), 0)).toBeLessThan(0.03);
    expect(Math.abs(start - 25300) / 25300).toBeLessThan(0.01);
  });

  it('pulls a long run back to its level', () => {
    for (const [root, tickSize] of [
      ['NQ', 0.25],
      ['CL', 0.01],
      ['YM', 1],
    ] as const) {
      const quotes = run(root, tickSize, 100_000);
      const level = basePrice(root);
      expect(quotes.reduce((worst, { bid }) => Math.max(worst, Math.abs(bid - level) / level), 0)).toBeLessThan(0.05);
    }
  });

  it('moves by a few ticks at a time', () => {
    const quotes = run('NQ', 0.25, 10_000);
    const moves = quotes.slice(1).map((q, i) => Math.round(Math.abs(q.bid - quotes[i]!.bid) / 0.25));
    expect(Math.max(...moves)).toBeLessThanOrEqual(3);
    expect(moves.filter((m) => m > 0).length).toBeGreaterThan(5000);
  });

  it('never reaches zero, even from far below its level', () => {
    const params = walkParams(50, 0.01);
    const random = mulberry32(1);
    let bid = 1;
    let lowest = Infinity;
    for (let i = 0; i < 10_000; i++) {
      bid = walkStep(bid, params, random);
      lowest = Math.min(lowest, bid);
    }
    expect(lowest).toBeGreaterThanOrEqual(params.floorTicks);
    expect(params.floorTicks).toBeGreaterThan(0);
  });

  it('starts futures near late-2026 levels and other symbols at a level derived from the symbol', () => {
    expect(basePrice('NQ')).toBe(25300);
    expect(basePrice('MNQ')).toBe(25300);
    expect(basePrice('ES')).toBe(6800);
    expect(basePrice('YM')).toBe(47500);
    expect(basePrice('M2K')).toBe(2450);
    expect(basePrice('MCL')).toBe(60.5);
    expect(basePrice('MGC')).toBe(4100);
    expect(Object.keys(FUTURES_LEVELS)).toHaveLength(12);
    for (const symbol of ['AAPL', 'TSLA', 'BTCUSD', 'X']) {
      expect(basePrice(symbol)).toBe(basePrice(symbol));
      expect(basePrice(symbol)).toBeGreaterThanOrEqual(50);
      expect(basePrice(symbol)).toBeLessThanOrEqual(500);
    }
    expect(basePrice('AAPL')).not.toBe(basePrice('TSLA'));
  });

  it('turns ticks into prices without float noise', () => {
    expect(ticksToPrice(101201, 0.25)).toBe(25300.25);
    expect(ticksToPrice(6051, 0.01)).toBe(60.51);
    expect(ticksToPrice(41003, 0.1)).toBe(4100.3);
    expect(ticksToPrice(12345, 0.00005)).toBe(0.61725);
    expect(tickDecimals(1)).toBe(0);
    expect(tickDecimals(0.25)).toBe(2);
    expect(tickDecimals(1e-7)).toBe(7);
  });
});

describe('sim-feed settings', () => {
  it('reads the defaults and warns about nonsense', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    expect(readSettings({ seed: null, quotesPerSecond: 4 }, logger)).toEqual({ seed: null, quotesPerSecond: 4 });
    expect(readSettings({}, logger)).toEqual({ seed: null, quotesPerSecond: 4 });
    expect(readSettings({ seed: 42, quotesPerSecond: 10 }, logger)).toEqual({ seed: 42, quotesPerSecond: 10 });
    expect(warnings).toEqual([]);
    expect(readSettings({ seed: 'abc', quotesPerSecond: 0 }, logger)).toEqual({ seed: null, quotesPerSecond: 4 });
    expect(warnings).toHaveLength(2);
  });
});

describe('sim-feed plugin', () => {
  let feed: DataFeedPlugin | undefined;
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(async () => {
    await feed?.stop?.();
    feed = undefined;
    jest.useRealTimers();
  });

  it('exports a data-feed module for this plugin API', () => {
    expect(simFeed.kind).toBe('datafeed');
    expect(simFeed.apiVersion).toBe(PLUGIN_API_VERSION);
  });

  it('supports every ticker', () => {
    const h = harness();
    feed = h.feed;
    for (const ticker of ['NQ1!', 'MNQ1!', 'CL1!', 'AAPL', 'BTCUSD', '6E1!']) expect(h.feed.supports(ticker)).toBe(true);
    expect(h.feed.supports('')).toBe(false);
  });

  it('publishes the first quote of each ticker before subscribe resolves', async () => {
    const h = harness();
    feed = h.feed;
    await h.feed.start?.();
    await h.feed.subscribe(['NQ1!', 'CL1!', 'AAPL']);
    expect(h.quotes.map((q) => q.ticker)).toEqual(['NQ1!', 'CL1!', 'AAPL']);
    const [nq, cl, aapl] = h.quotes;
    expect(nq!.ask - nq!.bid).toBe(0.25);
    expect(Math.abs(nq!.bid - 25300) / 25300).toBeLessThan(0.01);
    expect(Math.abs(cl!.bid - 60.5) / 60.5).toBeLessThan(0.01);
    expect(aapl!.bid).toBeGreaterThan(40);
    expect(nq!.time).toBe(Date.now());
  });

  it("moves a ticker's walk to an alert's price, quoting it at once and staying near it", async () => {
    const h = harness({ seed: 7, quotesPerSecond: 4 });
    feed = h.feed;
    await h.feed.subscribe(['SPY']);
    expect(Math.abs(h.quotes[0]!.bid - 660)).toBeGreaterThan(5); // SPY's derived level is not TradingView's
    h.feed.anchor!('SPY', 660.25);
    expect(h.quotes.at(-1)).toEqual(expect.objectContaining({ ticker: 'SPY', bid: 660.25, ask: 660.26 }));
    jest.advanceTimersByTime(60_000);
    const later = h.quotes.filter((q) => q.ticker === 'SPY').slice(-240);
    // Within 1 % of the new level (the walk's spread is capped there), on the 0.01 grid.
    for (const quote of later) expect(Math.abs(quote.bid - 660.25) / 660.25).toBeLessThan(0.01);
    h.feed.anchor!('SPY', Number.NaN);
    expect(h.quotes.at(-1)!.bid).toBe(later.at(-1)!.bid);
  });

  it('quotes quotesPerSecond times a second per ticker, with a one-tick spread on the grid', async () => {
    const h = harness({ quotesPerSecond: 4 });
    feed = h.feed;
    await h.feed.subscribe(['NQ1!', 'GC1!']);
    jest.advanceTimersByTime(10_000);
    const nq = h.quotes.filter((q) => q.ticker === 'NQ1!');
    const gc = h.quotes.filter((q) => q.ticker === 'GC1!');
    expect(nq).toHaveLength(41);
    expect(gc).toHaveLength(41);
    for (const q of nq) expect(Math.round((q.ask - q.bid) / 0.25)).toBe(1);
    for (const q of gc) {
      expect(onGrid(q.bid, 0.1) && onGrid(q.ask, 0.1)).toBe(true);
      expect(Math.round((q.ask - q.bid) / 0.1)).toBe(1);
    }
  });

  it('is repeatable with a seed, whatever the subscription order', async () => {
    const prices = async (tickers: string[], seed: number) => {
      const h = harness({ seed });
      await h.feed.subscribe(tickers);
      jest.advanceTimersByTime(5_000);
      await h.feed.stop?.();
      const of = (ticker: string) => h.quotes.filter((q) => q.ticker === ticker).map((q) => [q.bid, q.ask]);
      return { nq: of('NQ1!'), cl: of('CL1!') };
    };
    const first = await prices(['NQ1!', 'CL1!'], 42);
    const second = await prices(['CL1!', 'NQ1!'], 42);
    const other = await prices(['NQ1!', 'CL1!'], 43);
    expect(first.nq).toHaveLength(21);
    expect(second).toEqual(first);
    expect(other.nq).not.toEqual(first.nq);
  });

  it('walks differently each run without a seed', async () => {
    const a = harness({ seed: null });
    const b = harness({ seed: null });
    await a.feed.subscribe(['NQ1!']);
    await b.feed.subscribe(['NQ1!']);
    jest.advanceTimersByTime(5_000);
    await a.feed.stop?.();
    await b.feed.stop?.();
    expect(a.quotes.map((q) => q.bid)).not.toEqual(b.quotes.map((q) => q.bid));
  });

  it('does not restart a ticker that is already subscribed', async () => {
    const h = harness();
    feed = h.feed;
    await h.feed.subscribe(['NQ1!']);
    await h.feed.subscribe(['NQ1!', 'NQ1!']);
    expect(h.quotes).toHaveLength(1);
    jest.advanceTimersByTime(1_000);
    expect(h.quotes).toHaveLength(5);
  });

  it('stops quoting a ticker on unsubscribe and continues where it was on a new subscribe', async () => {
    const h = harness({ seed: 1 });
    feed = h.feed;
    await h.feed.subscribe(['NQ1!', 'ES1!']);
    await h.feed.unsubscribe(['NQ1!']);
    const count = h.quotes.length;
    jest.advanceTimersByTime(2_000);
    expect(h.quotes.slice(count).every((q) => q.ticker === 'ES1!')).toBe(true);
    expect(h.quotes.length - count).toBe(8);
    const last = h.quotes.filter((q) => q.ticker === 'NQ1!').at(-1)!;
    await h.feed.subscribe(['NQ1!']);
    expect(h.quotes.at(-1)).toEqual(expect.objectContaining({ ticker: 'NQ1!', bid: last.bid, ask: last.ask }));
  });

  it('stops every timer on stop()', async () => {
    const h = harness();
    await h.feed.subscribe(['NQ1!', 'CL1!', 'AAPL']);
    await h.feed.stop?.();
    const count = h.quotes.length;
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5_000);
    expect(h.quotes).toHaveLength(count);
  });

  it('keeps quoting when a listener throws, logging the error once', async () => {
    const h = harness();
    feed = h.feed;
    h.context.publish = () => {
      throw new Error('listener broke');
    };
    await h.feed.subscribe(['NQ1!']);
    jest.advanceTimersByTime(2_000);
    expect(h.logs.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });
});

describe('sim-feed plugin on real timers', () => {
  it('publishes on unref()d timers and stops publishing after stop()', async () => {
    const h = harness({ quotesPerSecond: 50 });
    await h.feed.subscribe(['MNQ1!']);
    // Until its timer has quoted twice after the first quote: a busy machine may run it late, and a
    // fixed wait would then end first.
    const deadline = Date.now() + 10_000;
    while (h.quotes.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await h.feed.stop?.();
    const count = h.quotes.length;
    expect(count).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(h.quotes).toHaveLength(count);
  });
});
