import { Inject, Injectable } from '@nestjs/common';
import type { Instrument, Quote, QuoteData } from '@tradeloop/contracts';
import { InstrumentCatalog, type ResolvedTicker } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { BrokerInstruments } from './broker-instruments.js';

/** `DATA` in the exact shape of the Trade Manager stream. */
export const quoteData = (quote: Quote, instrument: Instrument): QuoteData => ({
  ticker: quote.ticker,
  prices: { ask: quote.ask, bid: quote.bid },
  tickinfo: { step: instrument.tickSize, amnt: instrument.tickValue },
});

/** Most feed spellings of tickers remembered with their canonical name; beyond it the memory starts over. */
const MAX_CANONICAL = 10_000;

/**
 * The instruments the server knows: the configured catalog (futures roots, continuous and dated
 * contracts), and what brokers told about tickers outside it.
 */
@Injectable()
export class InstrumentCatalogue {
  readonly catalog: InstrumentCatalog;
  /** Tick size and value brokers told for tickers outside the catalog. */
  readonly brokerInstruments: BrokerInstruments;
  private readonly canonicalTickers = new Map<string, string>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.catalog = new InstrumentCatalog(config.instruments.map((i) => ({ ...i, kind: 'future' as const })));
    this.brokerInstruments = new BrokerInstruments(this.catalog);
  }

  resolve(ticker: string): ResolvedTicker {
    return this.catalog.resolve(ticker);
  }

  instrument(ticker: string): Instrument {
    const resolved = this.catalog.resolve(ticker);
    return this.brokerInstruments.get(resolved.ticker) ?? resolved.instrument;
  }

  /** The quote filed under its ticker's canonical name (`NQZ2026` → `NQ1!`). */
  canonicalize(quote: Quote): Quote {
    let ticker = this.canonicalTickers.get(quote.ticker);
    if (ticker === undefined) {
      ticker = this.catalog.canonical(quote.ticker);
      if (this.canonicalTickers.size > MAX_CANONICAL) this.canonicalTickers.clear();
      this.canonicalTickers.set(quote.ticker, ticker);
    }
    return ticker === quote.ticker ? quote : { ...quote, ticker };
  }
}
