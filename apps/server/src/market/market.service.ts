import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataFeedPlugin, FeedData, FeedStatusReport, Instrument, Quote, QuoteSource } from '@tradeloop/contracts';
import type { InstrumentCatalog, ResolvedTicker } from '@tradeloop/domain';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { ProcessNotes } from '../infra/events/process-notes.js';
import type { BrokerInstruments } from './broker-instruments.js';
import { FeedRegistry } from './feed-registry.js';
import { InstrumentCatalogue, quoteData } from './instrument-catalogue.js';
import { QuoteCache, type QuoteListener } from './quote-cache.js';
import { WatchRegistry } from './watch-registry.js';

export { quoteData } from './instrument-catalogue.js';

/** How often feed status goes out on `/ws` even when nothing changed (the quote age moves). */
const FEED_HEARTBEAT_MS = 5000;
/** Followers repeat their watches this often; the leader forgets a process it has not heard from in three. */
const WATCH_REFRESH_MS = 30_000;
/** How often (at most) quotes nobody watches are looked at, to be forgotten once stale. */
const SWEEP_MS = 30_000;

/**
 * The market as the rest of the server sees it: the quote cache every reader shares
 * (`quote-cache.ts`), the instrument catalogue, the feeds that fill the cache (`feed-registry.ts`)
 * and who keeps which tickers quoted (`watch-registry.ts`). Tickers are quoted on demand: each is
 * watched by owners (a strategy, open positions, working orders, a `/ws` client) and unsubscribed
 * from its feed a grace period after the last one lets go. With Redis one process runs the feeds
 * (FeedLeader); the others send it their watched tickers and take its quotes.
 */
@Injectable()
export class MarketService implements QuoteSource, OnModuleInit, OnModuleDestroy {
  private readonly quotes: QuoteCache;
  private readonly feeds: FeedRegistry;
  private readonly watches: WatchRegistry;
  private sweeper?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private watchRefresh?: NodeJS.Timeout;
  private unsubscribeBus?: () => void;
  private unsubscribeNotes?: () => void;
  /**
   * Whether this process runs the feeds. Alone (no Redis) it always does; with Redis one process
   * leads (FeedLeader) and the others send it their watched tickers and take quotes from it.
   */
  private leading: boolean;
  readonly processId = randomUUID();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly notes: ProcessNotes,
    private readonly instruments: InstrumentCatalogue,
  ) {
    this.leading = !config.redis.url;
    this.watches = new WatchRegistry(
      {
        leading: () => this.leading,
        quote: (ticker) => this.feeds.subscribe(ticker),
        unquote: (ticker) => (this.leading ? this.feeds.unsubscribe(ticker) : Promise.resolve(this.publishWatch([ticker], false))),
        askLeader: (tickers, watching) => this.publishWatch(tickers, watching),
      },
      () => config.market.unsubscribeAfterSeconds * 1000,
    );
    this.quotes = new QuoteCache(config.market, (ticker) => this.watches.isWatched(ticker));
    this.feeds = new FeedRegistry(this.quotes, (feed) => this.bus.publish('FEED', feed));
  }

  onModuleInit(): void {
    // Quotes from a feed in another process (Redis relay) fill this cache too.
    this.unsubscribeBus = this.bus.subscribe((message, origin) => {
      if (origin !== 'remote') return;
      if (message.type === 'DATA') {
        const { ticker, prices } = message.data;
        // The relay carries prices only: the feed is the one this process would route the ticker to, as the leader did.
        const quote = this.feeds.label({ ticker, bid: prices.bid, ask: prices.ask, time: Date.now() }, this.feeds.routeFor(ticker));
        if (quote.simulated && !this.feeds.isSimulatedOn) return;
        this.quotes.accept(quote, 'remote');
      }
    });
    this.unsubscribeNotes = this.notes.subscribe((note, origin) => {
      if (origin !== 'remote') return;
      if (note.kind === 'watch' && this.leading) void this.watches.remoteWatch(note.process, note.tickers, note.watching);
      else if (note.kind === 'resync' && !this.leading) this.announceWatches();
    });
    this.heartbeat = setInterval(() => this.feeds.announceAll(), FEED_HEARTBEAT_MS).unref();
    const sweepMs = Math.min(SWEEP_MS, this.config.market.forgetQuotesAfterSeconds * 500);
    this.sweeper = setInterval(() => this.forgetStale(), sweepMs).unref();
    if (this.config.redis.url) {
      this.watchRefresh = setInterval(
        () => (this.leading ? this.watches.expireRemote(Date.now() - 3 * WATCH_REFRESH_MS) : this.announceWatches()),
        WATCH_REFRESH_MS,
      ).unref();
    }
  }

  onModuleDestroy(): void {
    this.unsubscribeBus?.();
    this.unsubscribeNotes?.();
    clearInterval(this.heartbeat);
    clearInterval(this.watchRefresh);
    clearInterval(this.sweeper);
    this.watches.close();
  }

  // Instruments

  get catalog(): InstrumentCatalog {
    return this.instruments.catalog;
  }

  /** Tick size and value brokers told for tickers outside the catalog. */
  get brokerInstruments(): BrokerInstruments {
    return this.instruments.brokerInstruments;
  }

  resolve(ticker: string): ResolvedTicker {
    return this.instruments.resolve(ticker);
  }

  instrument(ticker: string): Instrument {
    return this.instruments.instrument(ticker);
  }

  // Quotes

  latest(ticker: string): Quote | undefined {
    return this.quotes.latest(ticker);
  }

  /** Every cached quote, newest first. */
  allQuotes(): Quote[] {
    return this.quotes.all();
  }

  /** `origin`: from a feed in this process, or relayed from the process running the feeds. */
  onQuote(listener: QuoteListener): () => void {
    return this.quotes.onQuote(listener);
  }

  /** How many quotes the cache holds (health, tests). */
  get cachedQuotes(): number {
    return this.quotes.size;
  }

  /**
   * Called by data-feed plugins (`source` is the plugin's name). The ticker is filed under its
   * canonical name (`NQZ2026` → `NQ1!`); a quote that is not two finite prices is dropped.
   */
  publish(raw: Quote, source?: string): void {
    if (!(Number.isFinite(raw.bid) && Number.isFinite(raw.ask)) || typeof raw.ticker !== 'string' || raw.ticker === '') return;
    const feed = source === undefined ? undefined : this.feeds.named(source);
    if (feed?.simulated && !this.feeds.isSimulatedOn) return;
    const quote = this.feeds.label(this.instruments.canonicalize(raw), feed);
    if (feed) feed.lastQuoteAt = Date.now();
    this.quotes.accept(quote);
    this.bus.publish('DATA', quoteData(quote, this.instrument(quote.ticker)));
  }

  /**
   * The latest quote, subscribing first; undefined if none arrives within `timeoutMs`, or at once
   * when no feed quotes the ticker (nothing would arrive: waiting would only delay the order).
   */
  async awaitQuote(ticker: string, timeoutMs = 1000): Promise<Quote | undefined> {
    const cached = this.quotes.latest(ticker);
    if (cached) return cached;
    if (!this.feeds.routeFor(ticker)) return undefined;
    const arrived = this.quotes.next(ticker, timeoutMs);
    // A short watch: whoever trades the ticker (an order, a position) watches it from then on.
    const owner = `await:${ticker}`;
    await this.watch(owner, [ticker]);
    try {
      return this.quotes.latest(ticker) ?? (await arrived);
    } finally {
      this.release(owner, [ticker]);
    }
  }

  /** Quotes of tickers nobody here watches, not updated for `market.forgetQuotesAfterSeconds`, are forgotten. */
  forgetStale(now = Date.now()): number {
    return this.quotes.forgetStale(now);
  }

  // Feeds

  registerFeed(name: string, feed: DataFeedPlugin, options: { fallback?: boolean; simulated?: boolean } = {}): void {
    this.feeds.register(name, feed, options);
  }

  /** A feed that failed to start quotes nothing: stop routing subscriptions to it. */
  unregisterFeed(name: string): void {
    this.feeds.unregister(name);
  }

  /** What a feed plugin says about its connection. */
  reportFeedStatus(name: string, report: FeedStatusReport): void {
    this.feeds.report(name, report);
  }

  /** A feed plugin started; one that never reports its connection is taken as connected. */
  feedStarted(name: string): void {
    this.feeds.started(name);
  }

  feedStatus(): FeedData[] {
    return this.feeds.status();
  }

  subscriptions(): string[] {
    return this.feeds.subscriptions();
  }

  /** Whether a feed that quotes real prices (not the simulated one) can quote the ticker. */
  hasRealFeed(ticker: string): boolean {
    return this.feeds.hasRealFeed(ticker);
  }

  get simulatedFeedOn(): boolean {
    return this.feeds.isSimulatedOn;
  }

  /**
   * Switches the simulated feed's demo prices on or off. Off: its subscriptions end, its cached
   * quotes are dropped (nothing fills or marks at them), and tickers it quoted go to a real feed
   * that supports them. On: watched tickers without a feed are quoted again.
   */
  async setSimulatedFeed(on: boolean): Promise<void> {
    if (on === this.feeds.isSimulatedOn) return;
    await this.feeds.setSimulated(on);
    if (this.leading) for (const ticker of this.watches.tickers()) await this.feeds.subscribe(ticker);
    this.feeds.announceSimulated();
  }

  /**
   * A price seen for a ticker outside the feeds (an alert's, TradingView's): a simulated feed
   * quoting the ticker moves its walk there, so demo quotes stay near the market the alerts see.
   */
  anchorSimulated(ticker: string, price: number): void {
    this.feeds.anchorSimulated(ticker, price);
  }

  // Watches

  /**
   * Keeps tickers quoted on behalf of `owner` until it releases them. `client`: the owner is a `/ws`
   * client; a ticker only clients keep is of no general interest (see ofGeneralInterest).
   */
  watch(owner: string, tickers: string[], options: { client?: boolean } = {}): Promise<void> {
    return this.watches.watch(owner, tickers, options);
  }

  /** Lets go of tickers (all of the owner's when none are named). The last owner out starts the grace period. */
  release(owner: string, tickers?: string[]): void {
    this.watches.release(owner, tickers);
  }

  /** Quotes these tickers for as long as the server runs. */
  subscribe(tickers: string[]): Promise<void> {
    return this.watches.subscribe(tickers);
  }

  /** Tickers always quoted (the watchlist and every enabled strategy's default ticker); replaces the previous ones. */
  setWatchlist(tickers: string[]): Promise<void> {
    return this.watches.setWatchlist(tickers);
  }

  /** The tickers always quoted, as last set. */
  watchlist(): readonly string[] {
    return this.watches.watchlist();
  }

  /** Whether a ticker's quotes are for every client (see WatchRegistry.ofGeneralInterest). */
  ofGeneralInterest(ticker: string): boolean {
    return this.watches.ofGeneralInterest(ticker);
  }

  // Leading

  /** Whether this process runs the feeds (see FeedLeader). */
  get isLeading(): boolean {
    return this.leading;
  }

  /** Feeds this process could run; a process without any never leads. */
  get hasFeeds(): boolean {
    return this.feeds.size > 0;
  }

  /**
   * Takes or gives up running the feeds. The new leader quotes what every process watches (it
   * asks them again); the old one lets its feed subscriptions go.
   */
  async setLeading(leading: boolean): Promise<void> {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) {
      this.notes.publish({ kind: 'resync', process: this.processId });
      for (const ticker of this.watches.tickers()) await this.feeds.subscribe(ticker);
    } else {
      this.watches.forgetRemote();
      await this.feeds.unsubscribeAll();
      this.announceWatches();
    }
  }

  private publishWatch(tickers: string[], watching: boolean): void {
    if (tickers.length) this.notes.publish({ kind: 'watch', process: this.processId, tickers, watching });
  }

  /** A follower's full list of watched tickers (after a new leader asked, and every little while). */
  private announceWatches(): void {
    this.publishWatch(this.watches.tickers(), true);
  }
}
