import { Inject, Injectable } from '@nestjs/common';
import type { DataFeedPlugin, Instrument, Quote, QuoteSource } from '@tradeloop/contracts';
import { InstrumentCatalog, type ResolvedTicker } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

interface Waiter {
  ticker: string;
  resolve: (quote: Quote | undefined) => void;
}

/** The quote cache every reader shares, the instrument catalog, and the feeds that fill it. */
@Injectable()
export class MarketService implements QuoteSource {
  readonly catalog: InstrumentCatalog;
  private readonly quotes = new Map<string, Quote>();
  private readonly listeners = new Set<(quote: Quote) => void>();
  private readonly feeds: { name: string; feed: DataFeedPlugin }[] = [];
  private readonly subscribed = new Set<string>();
  private waiters: Waiter[] = [];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.catalog = new InstrumentCatalog(config.instruments.map((i) => ({ ...i, kind: 'future' as const })));
  }

  resolve(ticker: string): ResolvedTicker {
    return this.catalog.resolve(ticker);
  }

  instrument(ticker: string): Instrument {
    return this.catalog.instrument(ticker);
  }

  latest(ticker: string): Quote | undefined {
    return this.quotes.get(ticker);
  }

  onQuote(listener: (quote: Quote) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by data-feed plugins. */
  publish(quote: Quote): void {
    this.quotes.set(quote.ticker, quote);
    for (const listener of this.listeners) listener(quote);
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.ticker === quote.ticker);
      if (ready.length) {
        this.waiters = this.waiters.filter((w) => w.ticker !== quote.ticker);
        ready.forEach((w) => w.resolve(quote));
      }
    }
  }

  registerFeed(name: string, feed: DataFeedPlugin): void {
    this.feeds.push({ name, feed });
  }

  /** A feed that failed to start quotes nothing: stop routing subscriptions to it. */
  unregisterFeed(name: string): void {
    const index = this.feeds.findIndex((f) => f.name === name);
    if (index >= 0) this.feeds.splice(index, 1);
  }

  /** Asks the first feed that supports each ticker to start quoting it. */
  async subscribe(tickers: string[]): Promise<void> {
    const fresh = tickers.filter((t) => !this.subscribed.has(t));
    for (const ticker of fresh) {
      const source = this.feeds.find(({ feed }) => feed.supports(ticker));
      if (!source) continue;
      this.subscribed.add(ticker);
      await source.feed.subscribe([ticker]);
    }
  }

  subscriptions(): string[] {
    return [...this.subscribed];
  }

  /**
   * The latest quote, subscribing first; undefined if none arrives within `timeoutMs`, or at once
   * when no feed quotes the ticker (nothing would arrive: waiting would only delay the order).
   */
  async awaitQuote(ticker: string, timeoutMs = 1000): Promise<Quote | undefined> {
    const cached = this.quotes.get(ticker);
    if (cached) return cached;
    if (!this.feeds.some(({ feed }) => feed.supports(ticker))) return undefined;
    const arrived = new Promise<Quote | undefined>((resolve) => {
      const waiter: Waiter = { ticker, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs).unref();
    });
    await this.subscribe([ticker]);
    return this.quotes.get(ticker) ?? arrived;
  }
}
