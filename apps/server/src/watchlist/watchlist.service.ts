import { BadRequestException, Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { WatchlistView } from '@tradeloop/contracts';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { ProcessNotes } from '../infra/events/process-notes.js';
import { MarketService } from '../market/market.service.js';
import { SystemSettings } from '../settings/system-settings.service.js';
import { StrategiesService } from '../strategies/strategies.service.js';
import { DomainEvents } from '../infra/events/domain-events.js';

/** Tickers the watchlist holds at most. */
export const MAX_WATCHLIST = 50;
/** The watchlist's row among the server's settings; absent until the trader edits it. */
const SETTING = 'market.watchlist';
/** Other processes' strategy changes are picked up within this long. */
const REFRESH_MS = 30_000;

/**
 * The tickers always quoted, from the first second a `/ws` client connects: the watchlist
 * (`market.watchlist` until the trader edits it on the Market page; the database keeps it from
 * then on) and the default ticker of every enabled strategy.
 */
@Injectable()
export class WatchlistService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stops: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  /** Refreshes run one after another. */
  private refreshing: Promise<WatchlistView> = Promise.resolve({ tickers: [], strategyTickers: [], quoted: [] });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SystemSettings,
    private readonly market: MarketService,
    private readonly strategies: StrategiesService,
    private readonly events: DomainEvents,
    private readonly bus: EventBus,
    private readonly notes: ProcessNotes,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(
      this.events.on('StrategyChanged', () => void this.refresh()),
      // Edited in another process, or a strategy switched on or off there.
      this.notes.subscribe((note, origin) => {
        if (origin === 'remote' && note.kind === 'watchlist') void this.refresh();
      }),
      this.bus.subscribe((message, origin) => {
        if (origin === 'remote' && message.type === 'STRATEGY') void this.refresh();
      }),
    );
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
    await this.refresh();
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    clearInterval(this.timer);
  }

  view(): Promise<WatchlistView> {
    return this.refresh();
  }

  /** Replaces the watchlist; every ticker is checked and spelled as the server does (`nq1!` → `NQ1!`). */
  async replace(input: string[]): Promise<WatchlistView> {
    if (input.length > MAX_WATCHLIST) throw new BadRequestException(`tickers: at most ${MAX_WATCHLIST}, got ${input.length}`);
    const tickers: string[] = [];
    for (const [i, raw] of input.entries()) {
      let ticker: string;
      try {
        ticker = this.market.resolve(raw).ticker;
      } catch (error) {
        throw new BadRequestException(`tickers[${i}]: ${(error as Error).message}`);
      }
      if (!tickers.includes(ticker)) tickers.push(ticker);
    }
    await this.settings.write(SETTING, tickers);
    this.notes.publish({ kind: 'watchlist', process: this.market.processId });
    return this.refresh();
  }

  private refresh(): Promise<WatchlistView> {
    this.refreshing = this.refreshing.catch(() => undefined).then(() => this.apply());
    return this.refreshing;
  }

  private async apply(): Promise<WatchlistView> {
    const [tickers, strategyTickers] = await Promise.all([this.stored(), this.strategies.defaultTickers()]);
    const quoted = [...new Set([...tickers, ...strategyTickers])];
    await this.market.setWatchlist(quoted);
    return { tickers, strategyTickers, quoted };
  }

  /** The edited watchlist, or the configured one before any edit. Spelled as the server does. */
  private async stored(): Promise<string[]> {
    const stored = await this.settings.read(SETTING);
    let list: unknown = this.config.market.watchlist;
    if (stored !== null) {
      try {
        list = JSON.parse(stored);
      } catch {
        list = [];
      }
    }
    const out: string[] = [];
    for (const raw of Array.isArray(list) ? list : []) {
      try {
        const ticker = this.market.resolve(String(raw)).ticker;
        if (!out.includes(ticker)) out.push(ticker);
      } catch {
        /* a configured ticker the catalog cannot read is left out (the config check names bad ones) */
      }
    }
    return out.slice(0, MAX_WATCHLIST);
  }
}
