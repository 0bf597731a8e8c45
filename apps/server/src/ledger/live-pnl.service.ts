import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PnlData, PnlScope, Quote } from '@tradeloop/contracts';
import { openPnlCents, toDollars } from '@tradeloop/domain';
import { Repository } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { MarketService } from '../market/market.service.js';
import { NO_STRATEGY } from './ledger-messages.js';
import { Position } from './position.entity.js';

/** Open tickers are watched under this owner, so their quotes keep coming while anything is held. */
const POSITIONS = 'positions';

const positionKey = (accountId: string, strategyId: string, ticker: string) => `${accountId}|${strategyId}|${ticker}`;

/** Manual positions count toward their account only. */
const scopesOf = (p: Position) =>
  p.strategyId === NO_STRATEGY ? [`account|${p.accountId}`] : [`strategy|${p.strategyId}`, `account|${p.accountId}`];

export interface LivePnl {
  /** Cents; null while a held ticker has no quote yet. */
  openCents: number | null;
  realizedCents: number;
  /** Open positions. */
  positions: number;
}

/**
 * Open P&L as the market moves. Every position lives in memory; a quote only marks the strategies
 * and accounts holding its ticker as changed, and at most every `realtime.pnlIntervalMs` each
 * changed one is summed and pushed as `PNL`. Longs are marked at the bid, shorts at the ask.
 */
@Injectable()
export class LivePnlService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly positions = new Map<string, Position>();
  /** Ticker → keys of the open positions in it. */
  private readonly openByTicker = new Map<string, Set<string>>();
  /** `strategy|id` or `account|id` → keys of its positions, open or flat (flat ones keep their realized P&L). */
  private readonly byScope = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private lastFlush = 0;
  private readonly stops: (() => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Position) private readonly repository: Repository<Position>,
    private readonly market: MarketService,
    private readonly bus: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const position of await this.repository.find()) this.track(position);
    this.stops.push(this.market.onQuote((quote) => this.onQuote(quote)));
    this.stops.push(
      this.bus.subscribe((message) => {
        if (message.type !== 'POSITION') return;
        const { accountId, strategyId, ticker } = message.data;
        void this.reload(accountId, strategyId ?? NO_STRATEGY, ticker);
      }),
    );
    await this.market.watch(POSITIONS, [...this.openByTicker.keys()]);
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    clearTimeout(this.flushTimer);
  }

  /** Open and realized P&L of a strategy or an account, now. */
  snapshot(scope: PnlScope, id: string): LivePnl {
    let openCents: number | null = 0;
    let realizedCents = 0;
    let positions = 0;
    for (const key of this.byScope.get(`${scope}|${id}`) ?? []) {
      const position = this.positions.get(key)!;
      realizedCents += position.realizedCents;
      if (position.quantity === 0) continue;
      positions++;
      const quote = this.market.latest(position.ticker);
      if (!quote) openCents = null;
      else if (openCents !== null) openCents += openPnlCents({ lots: position.lots }, quote, this.market.instrument(position.ticker));
    }
    return { openCents, realizedCents, positions };
  }

  message(scope: PnlScope, id: string, time = Date.now()): PnlData {
    const { openCents, realizedCents } = this.snapshot(scope, id);
    return {
      scope,
      id,
      openPnl: openCents === null ? null : toDollars(openCents),
      realizedPnl: toDollars(realizedCents),
      todayPnl: null,
      totalPnl: openCents === null ? null : toDollars(realizedCents + openCents),
      time,
    };
  }

  private onQuote(quote: Quote): void {
    const keys = this.openByTicker.get(quote.ticker);
    if (!keys) return;
    for (const key of keys) this.markChanged(this.positions.get(key)!);
  }

  private async reload(accountId: string, strategyId: string, ticker: string): Promise<void> {
    const position = await this.repository.findOneBy({ accountId, strategyId, ticker });
    if (position) this.track(position);
  }

  private track(position: Position): void {
    const key = positionKey(position.accountId, position.strategyId, position.ticker);
    if (!this.positions.has(key))
      for (const scope of scopesOf(position)) this.byScope.set(scope, (this.byScope.get(scope) ?? new Set()).add(key));
    this.positions.set(key, position);
    let open = this.openByTicker.get(position.ticker);
    if (position.quantity !== 0) {
      if (!open) {
        this.openByTicker.set(position.ticker, (open = new Set()));
        void this.market.watch(POSITIONS, [position.ticker]);
      }
      open.add(key);
    } else if (open?.delete(key) && open.size === 0) {
      this.openByTicker.delete(position.ticker);
      this.market.release(POSITIONS, [position.ticker]);
    }
    this.markChanged(position);
  }

  private markChanged(position: Position): void {
    for (const scope of scopesOf(position)) this.dirty.add(scope);
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlush + this.config.realtime.pnlIntervalMs - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = undefined;
    this.lastFlush = Date.now();
    const changed = [...this.dirty];
    this.dirty.clear();
    for (const entry of changed) {
      const [scope, id] = entry.split('|') as [PnlScope, string];
      this.bus.publish('PNL', this.message(scope, id, this.lastFlush));
    }
  }
}
