import type { Quote } from '@tradeloop/contracts';

export type QuoteOrigin = 'local' | 'remote';
export type QuoteListener = (quote: Quote, origin: QuoteOrigin) => void;

interface Waiter {
  ticker: string;
  resolve: (quote: Quote | undefined) => void;
}

export interface QuoteCacheLimits {
  /** Most quotes held; a new ticker beyond it evicts the stalest quote nobody watches. */
  maxQuotes: number;
  /** Quotes nobody watches, not updated for this long, are forgotten. */
  forgetQuotesAfterSeconds: number;
}

/**
 * The latest quote of each ticker, shared by every reader, with who listens to new ones and who
 * waits for a first one. Bounded: the stalest quote nobody watches makes room.
 */
export class QuoteCache {
  private readonly quotes = new Map<string, Quote>();
  /** When each cached quote last arrived (this process's clock). */
  private readonly seenAt = new Map<string, number>();
  private readonly listeners = new Set<QuoteListener>();
  private waiters: Waiter[] = [];

  constructor(
    private readonly limits: QuoteCacheLimits,
    /** Whether something keeps the ticker quoted: its quote is the last to go. */
    private readonly isWatched: (ticker: string) => boolean,
  ) {}

  latest(ticker: string): Quote | undefined {
    return this.quotes.get(ticker);
  }

  /** Every cached quote, newest first. */
  all(): Quote[] {
    return [...this.quotes.values()].sort((a, b) => b.time - a.time);
  }

  get size(): number {
    return this.quotes.size;
  }

  onQuote(listener: QuoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Files the quote, tells the listeners and wakes whoever waits for the ticker. */
  accept(quote: Quote, origin: QuoteOrigin = 'local'): void {
    if (!this.quotes.has(quote.ticker) && this.quotes.size >= this.limits.maxQuotes) this.evictOne();
    this.quotes.set(quote.ticker, quote);
    this.seenAt.set(quote.ticker, Date.now());
    for (const listener of this.listeners) listener(quote, origin);
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.ticker === quote.ticker);
      if (ready.length) {
        this.waiters = this.waiters.filter((w) => w.ticker !== quote.ticker);
        ready.forEach((w) => w.resolve(quote));
      }
    }
  }

  /** The next quote of a ticker; undefined if none arrives within `timeoutMs`. */
  next(ticker: string, timeoutMs: number): Promise<Quote | undefined> {
    return new Promise<Quote | undefined>((resolve) => {
      const waiter: Waiter = { ticker, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs).unref();
    });
  }

  /** Drops the quotes that match (a simulated feed switched off). */
  drop(which: (quote: Quote) => boolean): void {
    for (const [ticker, quote] of this.quotes) {
      if (!which(quote)) continue;
      this.quotes.delete(ticker);
      this.seenAt.delete(ticker);
    }
  }

  /** A feed that lost its connection says nothing more: its last prices are no longer the market's. */
  markStale(feed: string): void {
    for (const [ticker, quote] of this.quotes) if (quote.feed === feed) this.quotes.set(ticker, { ...quote, stale: true });
  }

  /** Quotes of tickers nobody here watches, not updated for `forgetQuotesAfterSeconds`, are forgotten. */
  forgetStale(now = Date.now()): number {
    const cutoff = now - this.limits.forgetQuotesAfterSeconds * 1000;
    let forgotten = 0;
    for (const [ticker, at] of this.seenAt) {
      if (at > cutoff || this.isWatched(ticker)) continue;
      this.quotes.delete(ticker);
      this.seenAt.delete(ticker);
      forgotten++;
    }
    return forgotten;
  }

  /** The cache is full: the stalest quote nobody watches makes room (the stalest of all if everything is watched). */
  private evictOne(): void {
    let victim: string | undefined;
    let victimWatched = true;
    let oldest = Infinity;
    for (const [ticker, at] of this.seenAt) {
      const watched = this.isWatched(ticker);
      if ((victimWatched && !watched) || (watched === victimWatched && at < oldest)) {
        victim = ticker;
        victimWatched = watched;
        oldest = at;
      }
    }
    if (victim === undefined) return;
    this.quotes.delete(victim);
    this.seenAt.delete(victim);
  }
}
