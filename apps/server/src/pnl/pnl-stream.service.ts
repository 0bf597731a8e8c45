import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { PnlData, PnlScope, Quote } from '@tradeloop/contracts';
import { openPnlCents, toCents, toDollars, TradingCalendar } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { NO_STRATEGY } from '../ledger/ledger-messages.js';
import type { Position } from '../ledger/position.entity.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { MarketService } from '../market/market.service.js';
import { LinkIds } from './link-ids.js';

/** Open tickers are watched under this owner, so their quotes keep coming while anything is held. */
const POSITIONS = 'positions';

const positionKey = (accountId: string, strategyId: string, ticker: string) => `${accountId}|${strategyId}|${ticker}`;

export interface LiveTotals {
  /** Cents; null while a held ticker has no quote yet. */
  openCents: number | null;
  realizedCents: number;
  /** Open positions. */
  positions: number;
}

/** What the recorder last said of a scope: the base today's P&L and the drawdown move from. */
interface Baseline {
  day: number;
  todayCents: number | null;
  openCents: number | null;
  realizedCents: number;
  peakCents: number | null;
}

/**
 * Open P&L as the market moves, pushed as `PNL` between the recorder's once-a-second passes.
 * Every position lives in memory; a quote only marks the scopes holding its ticker as changed, and
 * at most every `realtime.pnlIntervalMs` each changed one is summed and pushed. Longs are marked at
 * the bid, shorts at the ask.
 *
 * Today's P&L and the drawdown move from the recorder's last message for the scope: today = what
 * the recorder said + the change in open and realized P&L since (both count toward today whole),
 * so the two never disagree. These pushes stay in this process (each process marks its own clients
 * from its own quote cache); the recorder's go to every process.
 */
@Injectable()
export class PnlStream implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly positions = new Map<string, Position>();
  /** Ticker → keys of the open positions in it. */
  private readonly openByTicker = new Map<string, Set<string>>();
  /** `strategy|id`, `account|id` or `all|` → keys of its positions, open or flat (flat ones keep their realized P&L). */
  private readonly byScope = new Map<string, Set<string>>();
  private readonly baselines = new Map<string, Baseline>();
  private readonly dirty = new Set<string>();
  /** Tickers whose positions' scopes are already in `dirty`: further quotes before the flush change nothing there. */
  private readonly dirtyTickers = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private lastFlush = 0;
  private readonly stops: (() => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: PositionsReader,
    private readonly market: MarketService,
    private readonly bus: EventBus,
    private readonly calendar: TradingCalendar,
    private readonly links: LinkIds,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const position of await this.repository.where()) this.track(position);
    this.stops.push(this.market.onQuote((quote) => this.onQuote(quote)));
    this.stops.push(
      this.bus.subscribe((message) => {
        if (message.type === 'POSITION') {
          const { accountId, strategyId, ticker } = message.data;
          void this.reload(accountId, strategyId ?? NO_STRATEGY, ticker);
        } else if (message.type === 'PNL' && this.bus.relayable(message)) {
          this.rebase(message.data);
        }
      }),
    );
    await this.market.watch(POSITIONS, [...this.openByTicker.keys()]);
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    clearTimeout(this.flushTimer);
  }

  /** Open and realized P&L of a scope, now. */
  totals(scope: PnlScope, id: string): LiveTotals {
    let openCents: number | null = 0;
    let realizedCents = 0;
    let positions = 0;
    for (const key of this.byScope.get(`${scope}|${scope === 'all' ? '' : id}`) ?? []) {
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
    const { openCents, realizedCents } = this.totals(scope, id);
    const totalCents = openCents === null ? null : realizedCents + openCents;
    const base = this.baselines.get(`${scope}|${id}`);
    const day = this.calendar.startOf(this.calendar.dateOf(time));
    let todayCents: number | null = null;
    let drawdownCents: number | null = null;
    if (base && openCents !== null && base.openCents !== null) {
      // A new trading day since the recorder last spoke: today starts from zero at that state.
      const baseToday = base.day === day ? base.todayCents : 0;
      todayCents = baseToday === null ? null : baseToday + (openCents - base.openCents) + (realizedCents - base.realizedCents);
    }
    if (base?.peakCents !== null && base?.peakCents !== undefined && totalCents !== null)
      drawdownCents = totalCents - Math.max(base.peakCents, totalCents);
    return {
      scope,
      id,
      openPnl: openCents === null ? null : toDollars(openCents),
      realizedPnl: toDollars(realizedCents),
      todayPnl: todayCents === null ? null : toDollars(todayCents),
      totalPnl: totalCents === null ? null : toDollars(totalCents),
      drawdown: drawdownCents === null ? null : toDollars(drawdownCents),
      time,
    };
  }

  private rebase(pnl: PnlData): void {
    const openCents = pnl.openPnl === null ? null : toCents(pnl.openPnl);
    const totalCents = pnl.totalPnl === null ? null : toCents(pnl.totalPnl);
    this.baselines.set(`${pnl.scope}|${pnl.id}`, {
      day: this.calendar.startOf(this.calendar.dateOf(pnl.time)),
      todayCents: pnl.todayPnl === null ? null : toCents(pnl.todayPnl),
      openCents,
      realizedCents: toCents(pnl.realizedPnl),
      peakCents: totalCents === null || pnl.drawdown === null ? null : totalCents - toCents(pnl.drawdown),
    });
  }

  private onQuote(quote: Quote): void {
    // A busy ticker quotes many times between two pushes; marking its positions once is enough
    // (a position opened in it meanwhile marks itself through track()).
    if (this.dirtyTickers.has(quote.ticker)) return;
    const keys = this.openByTicker.get(quote.ticker);
    if (!keys) return;
    this.dirtyTickers.add(quote.ticker);
    for (const key of keys) this.markChanged(this.positions.get(key)!);
  }

  private async reload(accountId: string, strategyId: string, ticker: string): Promise<void> {
    const position = await this.repository.held(accountId, strategyId, ticker);
    if (position) this.track(position);
  }

  private track(position: Position): void {
    const key = positionKey(position.accountId, position.strategyId, position.ticker);
    if (!this.positions.has(key))
      for (const scope of this.scopesOf(position)) this.byScope.set(scope, (this.byScope.get(scope) ?? new Set()).add(key));
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

  /**
   * A manual position counts toward its account only; a link's toward the link and its account;
   * a strategy's own toward the strategy, its account and all strategies.
   */
  private scopesOf(p: Position): string[] {
    if (p.strategyId === NO_STRATEGY) return [`account|${p.accountId}`];
    if (this.links.isLink(p.strategyId)) return [`strategy|${p.strategyId}`, `account|${p.accountId}`];
    return [`strategy|${p.strategyId}`, `account|${p.accountId}`, 'all|'];
  }

  private markChanged(position: Position): void {
    for (const scope of this.scopesOf(position)) this.dirty.add(scope);
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
    this.dirtyTickers.clear();
    for (const entry of changed) {
      const [scope, id] = entry.split('|') as [PnlScope, string];
      this.bus.publish('PNL', this.message(scope, id, this.lastFlush), { relay: false });
    }
  }
}
