import type { Instrument } from '@tradeloop/contracts';

const future = (root: string, description: string, tickSize: number, tickValue: number): Instrument => ({
  root,
  description,
  kind: 'future',
  tickSize,
  tickValue,
});

/** CME contract specs: tick size and the dollars one tick is worth per contract. */
export const FUTURES_CATALOG: readonly Instrument[] = [
  future('NQ', 'E-mini Nasdaq-100', 0.25, 5),
  future('MNQ', 'Micro E-mini Nasdaq-100', 0.25, 0.5),
  future('ES', 'E-mini S&P 500', 0.25, 12.5),
  future('MES', 'Micro E-mini S&P 500', 0.25, 1.25),
  future('YM', 'E-mini Dow ($5)', 1, 5),
  future('MYM', 'Micro E-mini Dow', 1, 0.5),
  future('RTY', 'E-mini Russell 2000', 0.1, 5),
  future('M2K', 'Micro E-mini Russell 2000', 0.1, 0.5),
  future('CL', 'Crude Oil', 0.01, 10),
  future('MCL', 'Micro WTI Crude Oil', 0.01, 1),
  future('GC', 'Gold', 0.1, 10),
  future('MGC', 'Micro Gold', 0.1, 1),
];

export interface ResolvedTicker {
  /** Canonical: `<ROOT>1!` for futures, the bare upper-case symbol otherwise. */
  ticker: string;
  instrument: Instrument;
}

/** What may follow a root: nothing, a continuous `1!`, or a month code and year (`Z2026`, `Z26`, `Z6`). */
const CONTRACT_SUFFIX = /^(|\d+!|[FGHJKMNQUVXZ]\d{1,4})$/;

/** Matches TradingView's spellings of a symbol (`CME_MINI:NQ1!`, `NQZ2026`, `nq1!`) to one instrument. */
export class InstrumentCatalog {
  private readonly futures = new Map<string, Instrument>();
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
      (instrument.kind === 'equity' ? this.symbols : this.futures).set(root, { ...instrument, root });
    }
    this.roots = [...this.futures.keys()].sort((x, y) => y.length - x.length);
  }

  resolve(ticker: string): ResolvedTicker {
    const symbol = String(ticker ?? '')
      .trim()
      .replace(/^[^:]*:/, '')
      .trim()
      .toUpperCase();
    if (!symbol) throw new Error(`ticker is empty: expected a symbol like NQ1!, CME_MINI:NQ1! or AAPL, got ${JSON.stringify(ticker)}`);
    const configured = this.symbols.get(symbol);
    if (configured) return { ticker: symbol, instrument: configured };
    const root = this.futureRoot(symbol);
    if (root) return { ticker: `${root}1!`, instrument: this.futures.get(root)! };
    return { ticker: symbol, instrument: { root: symbol, description: symbol, kind: 'equity', tickSize: 0.01, tickValue: 0.01 } };
  }

  instrument(ticker: string): Instrument {
    return this.resolve(ticker).instrument;
  }

  canonical(ticker: string): string {
    return this.resolve(ticker).ticker;
  }

  futuresRoots(): string[] {
    return [...this.futures.keys()];
  }

  private futureRoot(symbol: string): string | undefined {
    return this.roots.find((root) => symbol.startsWith(root) && CONTRACT_SUFFIX.test(symbol.slice(root.length)));
  }
}

/** Tick value in integer cents (NQ: 500). */
export const tickValueCents = (instrument: Instrument): number => Math.round(instrument.tickValue * 100);
