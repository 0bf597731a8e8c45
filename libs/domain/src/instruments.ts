import type { Instrument } from '@tradeloop/contracts';

const future = (root: string, description: string, tickSize: number, tickValue: number, underlying: string): Instrument => ({
  root,
  description,
  kind: 'future',
  tickSize,
  tickValue,
  underlying,
});

/** CME contract specs: tick size and the dollars one tick is worth per contract. */
export const FUTURES_CATALOG: readonly Instrument[] = [
  future('NQ', 'E-mini Nasdaq-100', 0.25, 5, 'Nasdaq-100'),
  future('MNQ', 'Micro E-mini Nasdaq-100', 0.25, 0.5, 'Nasdaq-100'),
  future('ES', 'E-mini S&P 500', 0.25, 12.5, 'S&P 500'),
  future('MES', 'Micro E-mini S&P 500', 0.25, 1.25, 'S&P 500'),
  future('YM', 'E-mini Dow ($5)', 1, 5, 'Dow Jones Industrial Average'),
  future('MYM', 'Micro E-mini Dow', 1, 0.5, 'Dow Jones Industrial Average'),
  future('RTY', 'E-mini Russell 2000', 0.1, 5, 'Russell 2000'),
  future('M2K', 'Micro E-mini Russell 2000', 0.1, 0.5, 'Russell 2000'),
  future('CL', 'Crude Oil', 0.01, 10, 'WTI crude oil'),
  future('MCL', 'Micro WTI Crude Oil', 0.01, 1, 'WTI crude oil'),
  future('GC', 'Gold', 0.1, 10, 'gold'),
  future('MGC', 'Micro Gold', 0.1, 1, 'gold'),
];

export interface ResolvedTicker {
  /** Canonical: `<ROOT>1!` for futures, the bare upper-case symbol otherwise. */
  ticker: string;
  instrument: Instrument;
}

/** What may follow a root: nothing, a continuous `1!`, or a month code and year (`Z2026`, `Z26`, `Z6`). */
const CONTRACT_SUFFIX = /^(|\d+!|[FGHJKMNQUVXZ]\d{1,4})$/;

/** The longest ticker accepted from outside, exchange prefix included (`CME_MINI:MNQZ2026` is 17). */
export const MAX_TICKER_LENGTH = 64;
/** A symbol: letters, digits and the punctuation real symbols use (`NQ1!`, `BRK.B`, `BTC/USD`, `BTC-PERP`, `6E1!`). */
const SYMBOL = /^[A-Z0-9][A-Z0-9._!/-]{0,31}$/;
/** An exchange prefix as TradingView writes it (`CME_MINI`, `BINANCE`). */
const EXCHANGE = /^[A-Z0-9_]{1,32}$/i;

/**
 * Why a ticker from outside (an alert, the API, a `/ws` message, a script) cannot be a symbol, or
 * null when it can. Bounded and of a fixed character set, so nothing invented can grow the quote
 * cache without limit or reach a log or a page as markup.
 */
export function tickerProblem(ticker: unknown): string | null {
  if (typeof ticker !== 'string') return `ticker must be a string like NQ1!, CME_MINI:NQ1! or AAPL, got ${typeof ticker}`;
  const trimmed = ticker.trim();
  if (!trimmed) return 'ticker is empty: expected a symbol like NQ1!, CME_MINI:NQ1! or AAPL';
  if (trimmed.length > MAX_TICKER_LENGTH) return `ticker is ${trimmed.length} characters long; at most ${MAX_TICKER_LENGTH}`;
  const colon = trimmed.indexOf(':');
  const exchange = colon >= 0 ? trimmed.slice(0, colon).trim() : null;
  const symbol = (colon >= 0 ? trimmed.slice(colon + 1) : trimmed).trim().toUpperCase();
  if (exchange !== null && !EXCHANGE.test(exchange)) {
    return `ticker ${JSON.stringify(trimmed)} has an exchange prefix that is not letters, digits and _`;
  }
  if (!symbol) return `ticker is empty after its exchange prefix: expected a symbol like CME_MINI:NQ1!`;
  if (!SYMBOL.test(symbol)) {
    return `ticker ${JSON.stringify(trimmed)} is not a symbol: at most 32 letters, digits and . _ ! / - (like NQ1!, CME_MINI:NQ1!, AAPL, BTCUSDT)`;
  }
  return null;
}

/** Spellings remembered with what they resolved to; beyond this the memory starts over (a feed can invent names). */
const MAX_RESOLVED = 10_000;

/** Matches TradingView's spellings of a symbol (`CME_MINI:NQ1!`, `NQZ2026`, `nq1!`) to one instrument. */
export class InstrumentCatalog {
  private readonly futures = new Map<string, Instrument>();
  /**
   * Spellings already resolved: every quote and every script call resolves its ticker, and the
   * catalog never changes after construction. Frozen, as they are shared.
   */
  private readonly resolved = new Map<string, ResolvedTicker>();
  /** Configured stock/crypto-style symbols (kind `equity`), matched by the exact symbol. */
  private readonly symbols = new Map<string, Instrument>();
  /** Longest first, so `MNQZ6` is MNQ and never NQ-something. */
  private readonly roots: string[];

  /** `extra`: user instruments from config; the same root replaces the built-in one. */
  constructor(extra: readonly Instrument[] = []) {
    for (const instrument of [...FUTURES_CATALOG, ...extra]) {
      const root = instrument.root.trim().toUpperCase();
      if (!root) throw new Error('instrument root must not be empty');
      this.futures.delete(root);
      this.symbols.delete(root);
      (instrument.kind === 'equity' ? this.symbols : this.futures).set(root, Object.freeze({ ...instrument, root }));
    }
    this.roots = [...this.futures.keys()].sort((x, y) => y.length - x.length);
  }

  /** Throws, with the reason in words, for a ticker `tickerProblem` refuses. */
  resolve(ticker: string): ResolvedTicker {
    let resolved = this.resolved.get(ticker);
    if (resolved === undefined) {
      resolved = Object.freeze(this.resolveAfresh(ticker));
      if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear();
      this.resolved.set(ticker, resolved);
    }
    return resolved;
  }

  private resolveAfresh(ticker: string): ResolvedTicker {
    const problem = tickerProblem(ticker);
    if (problem) throw new Error(problem);
    const symbol = ticker
      .trim()
      .replace(/^[^:]*:/, '')
      .trim()
      .toUpperCase();
    const configured = this.symbols.get(symbol);
    if (configured) return { ticker: symbol, instrument: configured };
    const root = this.futureRoot(symbol);
    if (root) return { ticker: `${root}1!`, instrument: this.futures.get(root)! };
    return {
      ticker: symbol,
      instrument: Object.freeze({ root: symbol, description: symbol, kind: 'equity', tickSize: 0.01, tickValue: 0.01 }),
    };
  }

  instrument(ticker: string): Instrument {
    return this.resolve(ticker).instrument;
  }

  canonical(ticker: string): string {
    return this.resolve(ticker).ticker;
  }

  /** Whether the ticker is a catalog entry (built in or configured), not the stock-style default of anything else. */
  knows(ticker: string): boolean {
    const { instrument } = this.resolve(ticker);
    return instrument === this.futures.get(instrument.root) || instrument === this.symbols.get(instrument.root);
  }

  futuresRoots(): string[] {
    return [...this.futures.keys()];
  }

  private futureRoot(symbol: string): string | undefined {
    return this.roots.find((root) => symbol.startsWith(root) && CONTRACT_SUFFIX.test(symbol.slice(root.length)));
  }
}

/** Whether two instruments are quoted at the same price: the same root, or a mini and its micro (NQ and MNQ). */
export function quotedAlike(a: Instrument, b: Instrument): boolean {
  return a.root === b.root || (a.underlying !== undefined && a.underlying === b.underlying);
}

/** Dollars one point of price is worth for one contract or unit (NQ 20, MNQ 2, a stock 1). */
export const pointValue = (instrument: Instrument): number => Number((instrument.tickValue / instrument.tickSize).toFixed(10));

/** Tick value in integer cents (NQ: 500). */
export const tickValueCents = (instrument: Instrument): number => Math.round(instrument.tickValue * 100);

/** Which way a price goes onto the tick grid when it falls between two ticks. */
export type GridRounding = 'nearest' | 'up' | 'down';

/**
 * A price on the tick grid, free of float dust (25000.1 + 0.2 → 25000.3). A price within a
 * millionth of a tick of the grid is on it, whichever way is asked: 0.3 / 0.1 is 2.9999999999999996
 * steps, and rounding that down would cost a whole tick. A tick size that is not a positive
 * number leaves the price as it is.
 */
export function onGrid(price: number, tickSize: number, rounding: GridRounding = 'nearest'): number {
  if (!(tickSize > 0) || !Number.isFinite(price)) return price;
  const steps = price / tickSize;
  const nearest = Math.round(steps);
  const whole =
    Math.abs(steps - nearest) < 1e-6 || rounding === 'nearest' ? nearest : rounding === 'up' ? Math.ceil(steps) : Math.floor(steps);
  return Number((whole * tickSize).toFixed(10)) + 0;
}

/** A price an order states, on the tick grid for futures (their brokers refuse off-grid prices); stocks as sent. */
export const atTick = (price: number, instrument: Pick<Instrument, 'kind' | 'tickSize'>): number =>
  instrument.kind === 'future' ? onGrid(price, instrument.tickSize) : price;
