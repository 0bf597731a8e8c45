import type { DataFeedContext, DataFeedPlugin, PluginLogger, Quote } from '@tradeloop/contracts';
import {
  basePrice,
  mulberry32,
  startTicks,
  streamSeed,
  tickDecimals,
  ticksToPrice,
  walkParams,
  walkStep,
  type Random,
  type WalkParams,
} from './walk.js';

export interface SimFeedSettings {
  /** A number makes every ticker's walk repeatable; null draws a fresh walk each run. */
  seed: number | null;
  /** Quotes per second per ticker. */
  quotesPerSecond: number;
}

export const DEFAULT_QUOTES_PER_SECOND = 4;
const MAX_QUOTES_PER_SECOND = 100;

/** Reads the plugin settings, falling back to the defaults (with a warning) on nonsense. */
export function readSettings(config: Record<string, unknown>, logger?: PluginLogger): SimFeedSettings {
  let seed: number | null = null;
  const rawSeed = config.seed;
  const numericSeed = typeof rawSeed === 'string' && rawSeed.trim() !== '' ? Number(rawSeed) : rawSeed;
  if (typeof numericSeed === 'number' && Number.isFinite(numericSeed)) seed = numericSeed;
  else if (rawSeed != null) logger?.warn(`seed must be a number or null, got ${JSON.stringify(rawSeed)}: using a random walk`);

  let quotesPerSecond = DEFAULT_QUOTES_PER_SECOND;
  const rawRate = config.quotesPerSecond;
  if (typeof rawRate === 'number' && Number.isFinite(rawRate) && rawRate > 0 && rawRate <= MAX_QUOTES_PER_SECOND) quotesPerSecond = rawRate;
  else if (rawRate != null) {
    logger?.warn(
      `quotesPerSecond must be a number above 0 and at most ${MAX_QUOTES_PER_SECOND}, got ${JSON.stringify(rawRate)}: using ${DEFAULT_QUOTES_PER_SECOND}`,
    );
  }
  return { seed, quotesPerSecond };
}

interface Stream {
  ticker: string;
  tickSize: number;
  decimals: number;
  params: WalkParams;
  random: Random;
  /** Bid in whole ticks; the ask is always one tick above. */
  bidTicks: number;
  /** The last publish failed (logged once until one succeeds). */
  failing: boolean;
}

/**
 * A bid/ask random walk per ticker: one-tick spread, prices on the tick grid, reverting to a
 * late-2026 level for the catalog's futures and to a level derived from the symbol for anything else.
 */
export class SimFeed implements DataFeedPlugin {
  private readonly settings: SimFeedSettings;
  /** Kept across unsubscribe, so a re-subscribed ticker continues where it was. */
  private readonly streams = new Map<string, Stream>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: DataFeedContext) {
    this.settings = readSettings(ctx.config, ctx.logger);
  }

  async start(): Promise<void> {
    const { seed, quotesPerSecond } = this.settings;
    this.ctx.logger.info(`simulated quotes, ${quotesPerSecond}/s per ticker, ${seed === null ? 'random walk' : `seed ${seed}`}`);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  supports(ticker: string): boolean {
    return typeof ticker === 'string' && ticker.trim() !== '';
  }

  /** Publishes the first quote of each new ticker before resolving, then keeps quoting on a timer. */
  async subscribe(tickers: string[]): Promise<void> {
    for (const ticker of new Set(tickers)) {
      if (this.timers.has(ticker)) continue;
      if (!this.supports(ticker)) {
        this.ctx.logger.warn(`cannot quote ${JSON.stringify(ticker)}`);
        continue;
      }
      const stream = this.stream(ticker);
      this.publish(stream);
      const timer = setInterval(() => this.step(stream), 1000 / this.settings.quotesPerSecond);
      timer.unref();
      this.timers.set(ticker, timer);
    }
  }

  async unsubscribe(tickers: string[]): Promise<void> {
    for (const ticker of tickers) {
      const timer = this.timers.get(ticker);
      if (timer === undefined) continue;
      clearInterval(timer);
      this.timers.delete(ticker);
    }
  }

  /**
   * Moves a ticker's walk to a price seen elsewhere (TradingView's, in an alert): it reverts to that
   * level from now on and quotes it at once, so demo prices stay near the market the alerts see.
   */
  anchor(ticker: string, price: number): void {
    if (!Number.isFinite(price) || price <= 0) return;
    const stream = this.stream(ticker);
    stream.params = walkParams(price, stream.tickSize);
    stream.bidTicks = Math.max(stream.params.floorTicks, Math.round(price / stream.tickSize));
    if (this.timers.has(ticker)) this.publish(stream);
  }

  /** Tickers being quoted now. */
  subscriptions(): string[] {
    return [...this.timers.keys()];
  }

  private stream(ticker: string): Stream {
    const existing = this.streams.get(ticker);
    if (existing) return existing;
    let root = ticker;
    let tickSize = 0.01;
    try {
      const instrument = this.ctx.instrument(ticker);
      root = instrument.root;
      if (Number.isFinite(instrument.tickSize) && instrument.tickSize > 0) tickSize = instrument.tickSize;
      else this.ctx.logger.warn(`${ticker} has tick size ${instrument.tickSize}: quoting it in 0.01 steps`);
    } catch (error) {
      this.ctx.logger.warn(`no instrument for ${ticker} (${(error as Error).message}): quoting it in 0.01 steps`);
    }
    const { seed } = this.settings;
    const random = mulberry32(seed === null ? Math.floor(Math.random() * 2 ** 32) : streamSeed(seed, ticker));
    const params = walkParams(basePrice(root), tickSize);
    const stream: Stream = {
      ticker,
      tickSize,
      decimals: tickDecimals(tickSize),
      params,
      random,
      bidTicks: startTicks(params, random),
      failing: false,
    };
    this.streams.set(ticker, stream);
    return stream;
  }

  private step(stream: Stream): void {
    stream.bidTicks = walkStep(stream.bidTicks, stream.params, stream.random);
    this.publish(stream);
  }

  /** Never throws: a timer callback that threw would take the whole server down. */
  private publish(stream: Stream): void {
    const quote: Quote = {
      ticker: stream.ticker,
      bid: ticksToPrice(stream.bidTicks, stream.tickSize, stream.decimals),
      ask: ticksToPrice(stream.bidTicks + 1, stream.tickSize, stream.decimals),
      time: Date.now(),
    };
    try {
      this.ctx.publish(quote);
      stream.failing = false;
    } catch (error) {
      if (!stream.failing) this.ctx.logger.error(`publishing a ${stream.ticker} quote failed: ${(error as Error).message}`);
      stream.failing = true;
    }
  }
}
