import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataFeedPlugin, FeedData, FeedStatusReport, Instrument, Quote, QuoteData, QuoteSource } from '@tradeloop/contracts';
import { InstrumentCatalog, type ResolvedTicker } from '@tradeloop/domain';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { BrokerInstruments } from './broker-instruments.js';

interface Waiter {
  ticker: string;
  resolve: (quote: Quote | undefined) => void;
}

interface FeedEntry {
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

/** How often feed status goes out on `/ws` even when nothing changed (the quote age moves). */
const FEED_HEARTBEAT_MS = 5000;
/** Followers repeat their watches this often; the leader forgets a process it has not heard from in three. */
const WATCH_REFRESH_MS = 30_000;
/** Owner of the tickers asked for through `subscribe()`: kept for as long as the server runs. */
const SYSTEM = 'system';
/** Owner of the watchlist's tickers. */
const WATCHLIST = 'watchlist';
/** How often (at most) quotes nobody watches are looked at, to be forgotten once stale. */
const SWEEP_MS = 30_000;

/** `DATA` in the exact shape of the Trade Manager stream. */
export const quoteData = (quote: Quote, instrument: Instrument): QuoteData => ({
  ticker: quote.ticker,
  prices: { ask: quote.ask, bid: quote.bid },
  tickinfo: { step: instrument.tickSize, amnt: instrument.tickValue },
});

/**
 * The quote cache every reader shares, the instrument catalog, and the feeds that fill it.
 * Tickers are quoted on demand: each is watched by owners (a strategy, open positions, working
 * orders, a `/ws` client) and unsubscribed from its feed a grace period after the last one lets go.
 */
@Injectable()
export class MarketService implements QuoteSource, OnModuleInit, OnModuleDestroy {
  readonly catalog: InstrumentCatalog;
  /** Tick size and value brokers told for tickers outside the catalog. */
  readonly brokerInstruments: BrokerInstruments;
  private readonly quotes = new Map<string, Quote>();
  /** When each cached quote last arrived (this process's clock). */
  private readonly seenAt = new Map<string, number>();
  /** Owners that are `/ws` clients, with how many tickers each keeps: their quotes are theirs alone. */
  private readonly clientOwners = new Map<string, number>();
  private watchlistTickers: string[] = [];
  private sweeper?: NodeJS.Timeout;
  private readonly listeners = new Set<(quote: Quote, origin: 'local' | 'remote') => void>();
  private readonly feeds: FeedEntry[] = [];
  /** Ticker → the feed quoting it. */
  private readonly subscribed = new Map<string, FeedEntry>();
  private readonly watchers = new Map<string, Set<string>>();
  private readonly releaseTimers = new Map<string, NodeJS.Timeout>();
  private readonly canonicalTickers = new Map<string, string>();
  private waiters: Waiter[] = [];
  /** Whether simulated feeds quote at all (Settings; persisted by SimulatedFeedSetting). */
  private simulatedOn = true;
  private heartbeat?: NodeJS.Timeout;
  private watchRefresh?: NodeJS.Timeout;
  private unsubscribeBus?: () => void;
  /**
   * Whether this process runs the feeds. Alone (no Redis) it always does; with Redis one process
   * leads (FeedLeader) and the others send it their watched tickers and take quotes from it.
   */
  private leading: boolean;
  readonly processId = randomUUID();
  /** On the leader: other processes' watched tickers, and when each was last heard. */
  private readonly remote = new Map<string, number>();
  private readonly console = new Logger('Market');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
  ) {
    this.catalog = new InstrumentCatalog(config.instruments.map((i) => ({ ...i, kind: 'future' as const })));
    this.brokerInstruments = new BrokerInstruments(this.catalog);
    this.leading = !config.redis.url;
  }

  onModuleInit(): void {
    // Quotes from a feed in another process (Redis relay) fill this cache too.
    this.unsubscribeBus = this.bus.subscribe((message, origin) => {
      if (origin !== 'remote') return;
      if (message.type === 'DATA') {
        const { ticker, prices } = message.data;
        // The relay carries prices only: the feed is the one this process would route the ticker to, as the leader did.
        const quote = this.label({ ticker, bid: prices.bid, ask: prices.ask, time: Date.now() }, this.routeFor(ticker));
        if (quote.simulated && !this.simulatedOn) return;
        this.accept(quote, 'remote');
      } else if (message.type === 'INTERNAL') {
        const data = message.data;
        if (data.kind === 'watch' && this.leading) void this.remoteWatch(data.process, data.tickers, data.watching);
        else if (data.kind === 'resync' && !this.leading) this.announceWatches();
      }
    });
    this.heartbeat = setInterval(() => this.feeds.forEach((f) => this.announceFeed(f)), FEED_HEARTBEAT_MS).unref();
    const sweepMs = Math.min(SWEEP_MS, this.config.market.forgetQuotesAfterSeconds * 500);
    this.sweeper = setInterval(() => this.forgetStale(), sweepMs).unref();
    if (this.config.redis.url) {
      this.watchRefresh = setInterval(() => (this.leading ? this.expireRemote() : this.announceWatches()), WATCH_REFRESH_MS).unref();
    }
  }

  onModuleDestroy(): void {
    this.unsubscribeBus?.();
    clearInterval(this.heartbeat);
    clearInterval(this.watchRefresh);
    clearInterval(this.sweeper);
    for (const timer of this.releaseTimers.values()) clearTimeout(timer);
    this.releaseTimers.clear();
  }

  resolve(ticker: string): ResolvedTicker {
    return this.catalog.resolve(ticker);
  }

  instrument(ticker: string): Instrument {
    const resolved = this.catalog.resolve(ticker);
    return this.brokerInstruments.get(resolved.ticker) ?? resolved.instrument;
  }

  latest(ticker: string): Quote | undefined {
    return this.quotes.get(ticker);
  }

  /** Every cached quote, newest first. */
  allQuotes(): Quote[] {
    return [...this.quotes.values()].sort((a, b) => b.time - a.time);
  }

  /** `origin`: from a feed in this process, or relayed from the process running the feeds. */
  onQuote(listener: (quote: Quote, origin: 'local' | 'remote') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called by data-feed plugins (`source` is the plugin's name). The ticker is filed under its
   * canonical name (`NQZ2026` → `NQ1!`); a quote that is not two finite prices is dropped.
   */
  publish(raw: Quote, source?: string): void {
    if (!(Number.isFinite(raw.bid) && Number.isFinite(raw.ask)) || typeof raw.ticker !== 'string' || raw.ticker === '') return;
    const feed = source === undefined ? undefined : this.feeds.find((f) => f.name === source);
    if (feed?.simulated && !this.simulatedOn) return;
    const quote = this.label(this.canonicalize(raw), feed);
    if (feed) feed.lastQuoteAt = Date.now();
    this.accept(quote);
    this.bus.publish('DATA', quoteData(quote, this.instrument(quote.ticker)));
  }

  registerFeed(name: string, feed: DataFeedPlugin, options: { fallback?: boolean; simulated?: boolean } = {}): void {
    const fallback = options.fallback === true;
    const simulated = options.simulated === true;
    this.feeds.push({ name, feed, connected: false, error: null, reconnects: 0, lastQuoteAt: null, reports: false, fallback, simulated });
    // Real feeds are asked first; fallbacks (the simulated feed) only for what no real feed quotes.
    this.feeds.sort((a, b) => Number(a.fallback) - Number(b.fallback));
  }

  /** A feed that failed to start quotes nothing: stop routing subscriptions to it. */
  unregisterFeed(name: string): void {
    const index = this.feeds.findIndex((f) => f.name === name);
    if (index < 0) return;
    const [entry] = this.feeds.splice(index, 1);
    for (const [ticker, feed] of this.subscribed) if (feed === entry) this.subscribed.delete(ticker);
  }

  /** What a feed plugin says about its connection. */
  reportFeedStatus(name: string, report: FeedStatusReport): void {
    const feed = this.feeds.find((f) => f.name === name);
    if (!feed) return;
    feed.reports = true;
    this.setFeedState(feed, report);
  }

  /** A feed plugin started; one that never reports its connection is taken as connected. */
  feedStarted(name: string): void {
    const feed = this.feeds.find((f) => f.name === name);
    if (feed && !feed.reports) this.setFeedState(feed, { connected: true });
  }

  feedStatus(): FeedData[] {
    return this.feeds.map((f) => this.feedData(f));
  }

  /**
   * Keeps tickers quoted on behalf of `owner` until it releases them. `client`: the owner is a `/ws`
   * client; a ticker only clients keep is of no general interest (see ofGeneralInterest).
   */
  async watch(owner: string, tickers: string[], options: { client?: boolean } = {}): Promise<void> {
    const fresh: string[] = [];
    for (const ticker of tickers) {
      let owners = this.watchers.get(ticker);
      if (!owners) {
        this.watchers.set(ticker, (owners = new Set()));
        if (!this.releaseTimers.has(ticker)) fresh.push(ticker);
      }
      if (options.client && !owners.has(owner)) this.clientOwners.set(owner, (this.clientOwners.get(owner) ?? 0) + 1);
      owners.add(owner);
      const pending = this.releaseTimers.get(ticker);
      if (pending) {
        clearTimeout(pending);
        this.releaseTimers.delete(ticker);
      }
      if (this.leading) await this.ensureSubscribed(ticker);
    }
    // A follower asks the process running the feeds, once per ticker it starts watching.
    if (!this.leading) this.publishWatch(fresh, true);
  }

  /** Lets go of tickers (all of the owner's when none are named). The last owner out starts the grace period. */
  release(owner: string, tickers?: string[]): void {
    const names = tickers ?? [...this.watchers.entries()].filter(([, owners]) => owners.has(owner)).map(([ticker]) => ticker);
    for (const ticker of names) {
      const owners = this.watchers.get(ticker);
      if (!owners?.delete(owner)) continue;
      const held = this.clientOwners.get(owner);
      if (held !== undefined) {
        if (held > 1) this.clientOwners.set(owner, held - 1);
        else this.clientOwners.delete(owner);
      }
      if (owners.size > 0) continue;
      this.watchers.delete(ticker);
      if (this.releaseTimers.has(ticker)) continue;
      const timer = setTimeout(() => {
        this.releaseTimers.delete(ticker);
        if (!this.watchers.has(ticker)) void this.unsubscribeFeed(ticker);
      }, this.config.market.unsubscribeAfterSeconds * 1000);
      timer.unref();
      this.releaseTimers.set(ticker, timer);
    }
  }

  /** Quotes these tickers for as long as the server runs. */
  async subscribe(tickers: string[]): Promise<void> {
    await this.watch(SYSTEM, tickers);
  }

  /** Tickers always quoted (the watchlist and every enabled strategy's default ticker); replaces the previous ones. */
  async setWatchlist(tickers: string[]): Promise<void> {
    const next = [...new Set(tickers)];
    const removed = this.watchlistTickers.filter((t) => !next.includes(t));
    this.watchlistTickers = next;
    if (removed.length) this.release(WATCHLIST, removed);
    await this.watch(WATCHLIST, next);
  }

  /** The tickers always quoted, as last set. */
  watchlist(): readonly string[] {
    return this.watchlistTickers;
  }

  /**
   * Whether a ticker's quotes are for every client: something other than `/ws` clients keeps it
   * quoted (the watchlist, a strategy, a position, an order). One that only clients keep — or
   * nothing at all — is for the clients that asked for it.
   */
  ofGeneralInterest(ticker: string): boolean {
    const owners = this.watchers.get(ticker);
    if (!owners) return false;
    for (const owner of owners) if (!this.clientOwners.has(owner)) return true;
    return false;
  }

  /** How many quotes the cache holds (health, tests). */
  get cachedQuotes(): number {
    return this.quotes.size;
  }

  subscriptions(): string[] {
    return [...this.subscribed.keys()];
  }

  /**
   * The latest quote, subscribing first; undefined if none arrives within `timeoutMs`, or at once
   * when no feed quotes the ticker (nothing would arrive: waiting would only delay the order).
   */
  async awaitQuote(ticker: string, timeoutMs = 1000): Promise<Quote | undefined> {
    const cached = this.quotes.get(ticker);
    if (cached) return cached;
    if (!this.routeFor(ticker)) return undefined;
    const arrived = new Promise<Quote | undefined>((resolve) => {
      const waiter: Waiter = { ticker, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs).unref();
    });
    // A short watch: whoever trades the ticker (an order, a position) watches it from then on.
    const owner = `await:${ticker}`;
    await this.watch(owner, [ticker]);
    try {
      return this.quotes.get(ticker) ?? (await arrived);
    } finally {
      this.release(owner, [ticker]);
    }
  }

  private canonicalize(quote: Quote): Quote {
    let ticker = this.canonicalTickers.get(quote.ticker);
    if (ticker === undefined) {
      ticker = this.catalog.canonical(quote.ticker);
      if (this.canonicalTickers.size > 10_000) this.canonicalTickers.clear();
      this.canonicalTickers.set(quote.ticker, ticker);
    }
    return ticker === quote.ticker ? quote : { ...quote, ticker };
  }

  private accept(quote: Quote, origin: 'local' | 'remote' = 'local'): void {
    if (!this.quotes.has(quote.ticker) && this.quotes.size >= this.config.market.maxQuotes) this.evictOne();
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

  /** The feed a ticker is quoted by: the first that supports it, real feeds before fallbacks, simulated ones only while on. */
  private routeFor(ticker: string): FeedEntry | undefined {
    return this.feeds.find((f) => (this.simulatedOn || !f.simulated) && f.feed.supports(ticker));
  }

  private label(quote: Quote, feed: FeedEntry | undefined): Quote {
    if (!feed) return quote;
    return { ...quote, feed: feed.name, ...(feed.simulated ? { simulated: true } : {}) };
  }

  /** Whether a feed that quotes real prices (not the simulated one) can quote the ticker. */
  hasRealFeed(ticker: string): boolean {
    return this.feeds.some((f) => !f.simulated && f.feed.supports(ticker));
  }

  get simulatedFeedOn(): boolean {
    return this.simulatedOn;
  }

  /**
   * Switches the simulated feed's demo prices on or off. Off: its subscriptions end, its cached
   * quotes are dropped (nothing fills or marks at them), and tickers it quoted go to a real feed
   * that supports them. On: watched tickers without a feed are quoted again.
   */
  async setSimulatedFeed(on: boolean): Promise<void> {
    if (on === this.simulatedOn) return;
    this.simulatedOn = on;
    if (!on) {
      for (const [ticker, quote] of this.quotes) {
        if (!quote.simulated) continue;
        this.quotes.delete(ticker);
        this.seenAt.delete(ticker);
      }
      for (const [ticker, entry] of [...this.subscribed]) {
        if (!entry.simulated) continue;
        this.subscribed.delete(ticker);
        await entry.feed.unsubscribe([ticker]).catch(() => undefined);
      }
    }
    if (this.leading) for (const ticker of [...this.watchers.keys()]) await this.ensureSubscribed(ticker);
    for (const feed of this.feeds) if (feed.simulated) this.announceFeed(feed);
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

  /** Quotes of tickers nobody here watches, not updated for `market.forgetQuotesAfterSeconds`, are forgotten. */
  forgetStale(now = Date.now()): number {
    const cutoff = now - this.config.market.forgetQuotesAfterSeconds * 1000;
    let forgotten = 0;
    for (const [ticker, at] of this.seenAt) {
      if (at > cutoff || this.watchers.has(ticker)) continue;
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
      const watched = this.watchers.has(ticker);
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

  /** Asks the first feed that supports the ticker (real feeds before fallbacks) to start quoting it. */
  private async ensureSubscribed(ticker: string): Promise<void> {
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

  private async unsubscribeFeed(ticker: string): Promise<void> {
    if (!this.leading) return this.publishWatch([ticker], false);
    const source = this.subscribed.get(ticker);
    if (!source) return;
    this.subscribed.delete(ticker);
    try {
      await source.feed.unsubscribe([ticker]);
    } catch (error) {
      this.console.warn(`${source.name} could not unsubscribe ${ticker}: ${(error as Error).message}`);
    }
  }

  private setFeedState(feed: FeedEntry, report: FeedStatusReport): void {
    const changed =
      feed.connected !== report.connected ||
      feed.error !== (report.error ?? null) ||
      feed.reconnects !== (report.reconnects ?? feed.reconnects);
    const lost = feed.connected && !report.connected;
    feed.connected = report.connected;
    feed.error = report.error ?? null;
    feed.reconnects = report.reconnects ?? feed.reconnects;
    // A feed that lost its connection says nothing more: its last prices are no longer the market's.
    if (lost) for (const [ticker, quote] of this.quotes) if (quote.feed === feed.name) this.quotes.set(ticker, { ...quote, stale: true });
    if (changed) this.announceFeed(feed);
  }

  /** Whether this process runs the feeds (see FeedLeader). */
  get isLeading(): boolean {
    return this.leading;
  }

  /** Feeds this process could run; a process without any never leads. */
  get hasFeeds(): boolean {
    return this.feeds.length > 0;
  }

  /**
   * Takes or gives up running the feeds. The new leader quotes what every process watches (it
   * asks them again); the old one lets its feed subscriptions go.
   */
  async setLeading(leading: boolean): Promise<void> {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) {
      this.bus.publish('INTERNAL', { kind: 'resync', process: this.processId });
      for (const ticker of [...this.watchers.keys()]) await this.ensureSubscribed(ticker);
    } else {
      this.remote.clear();
      for (const ticker of [...this.subscribed.keys()]) {
        const source = this.subscribed.get(ticker)!;
        this.subscribed.delete(ticker);
        await source.feed.unsubscribe([ticker]).catch(() => undefined);
      }
      this.announceWatches();
    }
  }

  private publishWatch(tickers: string[], watching: boolean): void {
    if (tickers.length) this.bus.publish('INTERNAL', { kind: 'watch', process: this.processId, tickers, watching });
  }

  /** A follower's full list of watched tickers (after a new leader asked, and every little while). */
  private announceWatches(): void {
    this.publishWatch([...this.watchers.keys()], true);
  }

  private async remoteWatch(process: string, tickers: string[], watching: boolean): Promise<void> {
    const owner = `remote:${process}`;
    if (watching) {
      this.remote.set(process, Date.now());
      await this.watch(owner, tickers);
    } else {
      this.release(owner, tickers);
    }
  }

  /** A process that has gone quiet (stopped, crashed) no longer keeps tickers quoted. */
  private expireRemote(): void {
    const cutoff = Date.now() - 3 * WATCH_REFRESH_MS;
    for (const [process, heard] of this.remote) {
      if (heard >= cutoff) continue;
      this.remote.delete(process);
      this.release(`remote:${process}`);
    }
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

  private announceFeed(f: FeedEntry): void {
    this.bus.publish('FEED', this.feedData(f));
  }
}
