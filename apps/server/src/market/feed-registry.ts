import { Logger } from '@nestjs/common';
import type { DataFeedPlugin, FeedData, FeedStatusReport, Quote } from '@tradeloop/contracts';
import type { QuoteCache } from './quote-cache.js';

export interface FeedEntry {
  name: string;
  feed: DataFeedPlugin;
  connected: boolean;
  error: string | null;
  reconnects: number;
  lastQuoteAt: number | null;
  /** The plugin reports its own connection state; otherwise a started feed counts as connected. */
  reports: boolean;
  /** Asked only for tickers no other feed supports. */
  fallback: boolean;
  /** Demo prices (the simulated feed): never taken for a market's, and off when the trader switches them off. */
  simulated: boolean;
}

/**
 * The data feeds this process could run, their connection state, and which feed quotes each
 * subscribed ticker: the first that supports it, real feeds before fallbacks, simulated ones only
 * while they are on.
 */
export class FeedRegistry {
  private readonly feeds: FeedEntry[] = [];
  /** Ticker → the feed quoting it. */
  private readonly subscribed = new Map<string, FeedEntry>();
  /** Whether simulated feeds quote at all (Settings; persisted by SimulatedFeedSetting). */
  private simulatedOn = true;
  private readonly console = new Logger('Market');

  constructor(
    private readonly quotes: QuoteCache,
    /** Tells `/ws` clients a feed's state (FEED). */
    private readonly announce: (feed: FeedData) => void,
  ) {}

  register(name: string, feed: DataFeedPlugin, options: { fallback?: boolean; simulated?: boolean } = {}): void {
    const fallback = options.fallback === true;
    const simulated = options.simulated === true;
    this.feeds.push({ name, feed, connected: false, error: null, reconnects: 0, lastQuoteAt: null, reports: false, fallback, simulated });
    // Real feeds are asked first; fallbacks (the simulated feed) only for what no real feed quotes.
    this.feeds.sort((a, b) => Number(a.fallback) - Number(b.fallback));
  }

  /** A feed that failed to start quotes nothing: stop routing subscriptions to it. */
  unregister(name: string): void {
    const index = this.feeds.findIndex((f) => f.name === name);
    if (index < 0) return;
    const [entry] = this.feeds.splice(index, 1);
    for (const [ticker, feed] of this.subscribed) if (feed === entry) this.subscribed.delete(ticker);
  }

  named(name: string): FeedEntry | undefined {
    return this.feeds.find((f) => f.name === name);
  }

  get size(): number {
    return this.feeds.length;
  }

  /** What a feed plugin says about its connection. */
  report(name: string, report: FeedStatusReport): void {
    const feed = this.named(name);
    if (!feed) return;
    feed.reports = true;
    this.setState(feed, report);
  }

  /** A feed plugin started; one that never reports its connection is taken as connected. */
  started(name: string): void {
    const feed = this.named(name);
    if (feed && !feed.reports) this.setState(feed, { connected: true });
  }

  status(): FeedData[] {
    return this.feeds.map((f) => this.feedData(f));
  }

  /** Every feed's state again (the quote age moves). */
  announceAll(): void {
    this.feeds.forEach((f) => this.announce(this.feedData(f)));
  }

  subscriptions(): string[] {
    return [...this.subscribed.keys()];
  }

  /** The feed a ticker is quoted by: the first that supports it, real feeds before fallbacks, simulated ones only while on. */
  routeFor(ticker: string): FeedEntry | undefined {
    return this.feeds.find((f) => (this.simulatedOn || !f.simulated) && f.feed.supports(ticker));
  }

  /** The quote marked with the feed it came from (and as demo prices, from the simulated feed). */
  label(quote: Quote, feed: FeedEntry | undefined): Quote {
    if (!feed) return quote;
    return { ...quote, feed: feed.name, ...(feed.simulated ? { simulated: true } : {}) };
  }

  /** Whether a feed that quotes real prices (not the simulated one) can quote the ticker. */
  hasRealFeed(ticker: string): boolean {
    return this.feeds.some((f) => !f.simulated && f.feed.supports(ticker));
  }

  get isSimulatedOn(): boolean {
    return this.simulatedOn;
  }

  /**
   * Switches simulated feeds on or off. Off: their subscriptions end (the tickers they quoted are
   * routed again by whoever watches them) and the cached quotes they gave are dropped.
   */
  async setSimulated(on: boolean): Promise<void> {
    this.simulatedOn = on;
    if (!on) {
      this.quotes.drop((quote) => quote.simulated === true);
      for (const [ticker, entry] of [...this.subscribed]) {
        if (!entry.simulated) continue;
        this.subscribed.delete(ticker);
        await entry.feed.unsubscribe([ticker]).catch(() => undefined);
      }
    }
  }

  /** Every simulated feed's state, after it was switched. */
  announceSimulated(): void {
    for (const feed of this.feeds) if (feed.simulated) this.announce(this.feedData(feed));
  }

  /**
   * A price seen for a ticker outside the feeds (an alert's, TradingView's): a simulated feed
   * quoting the ticker moves its walk there, so demo quotes stay near the market the alerts see.
   */
  anchorSimulated(ticker: string, price: number): void {
    const entry = this.subscribed.get(ticker);
    if (!entry?.simulated || !Number.isFinite(price) || price <= 0) return;
    try {
      entry.feed.anchor?.(ticker, price);
    } catch (error) {
      this.console.warn(`${entry.name} could not move ${ticker} to ${price}: ${(error as Error).message}`);
    }
  }

  /** Asks the first feed that supports the ticker (real feeds before fallbacks) to start quoting it. */
  async subscribe(ticker: string): Promise<void> {
    if (this.subscribed.has(ticker)) return;
    const source = this.routeFor(ticker);
    if (!source) return;
    this.subscribed.set(ticker, source);
    try {
      await source.feed.subscribe([ticker]);
    } catch (error) {
      this.subscribed.delete(ticker);
      this.console.warn(`${source.name} could not subscribe ${ticker}: ${(error as Error).message}`);
    }
  }

  async unsubscribe(ticker: string): Promise<void> {
    const source = this.subscribed.get(ticker);
    if (!source) return;
    this.subscribed.delete(ticker);
    try {
      await source.feed.unsubscribe([ticker]);
    } catch (error) {
      this.console.warn(`${source.name} could not unsubscribe ${ticker}: ${(error as Error).message}`);
    }
  }

  /** This process stops running the feeds: every subscription ends. */
  async unsubscribeAll(): Promise<void> {
    for (const ticker of [...this.subscribed.keys()]) {
      const source = this.subscribed.get(ticker)!;
      this.subscribed.delete(ticker);
      await source.feed.unsubscribe([ticker]).catch(() => undefined);
    }
  }

  private setState(feed: FeedEntry, report: FeedStatusReport): void {
    const changed =
      feed.connected !== report.connected ||
      feed.error !== (report.error ?? null) ||
      feed.reconnects !== (report.reconnects ?? feed.reconnects);
    const lost = feed.connected && !report.connected;
    feed.connected = report.connected;
    feed.error = report.error ?? null;
    feed.reconnects = report.reconnects ?? feed.reconnects;
    // A feed that lost its connection says nothing more: its last prices are no longer the market's.
    if (lost) this.quotes.markStale(feed.name);
    if (changed) this.announce(this.feedData(feed));
  }

  private feedData(f: FeedEntry): FeedData {
    return {
      name: f.name,
      connected: f.connected,
      lastQuoteAgeMs: f.lastQuoteAt === null ? null : Date.now() - f.lastQuoteAt,
      reconnects: f.reconnects,
      error: f.error,
      ...(f.simulated ? { simulated: true, on: this.simulatedOn } : {}),
    };
  }
}
