import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { TradeData } from '@tradeloop/contracts';
import { bracketStop, toCents, tradeExcursion } from '@tradeloop/domain';
import type { EntityManager } from 'typeorm';
import { nextTurn } from '../common/next-turn.js';
import { DatabaseService } from '../database/database.service.js';
import type { SqlValue } from '../database/statements.js';
import { NO_STRATEGY_LISTED } from '../database/strategy-listing.js';
import { EventBus } from '../infra/events/event-bus.js';
import { MarketService } from '../market/market.service.js';
import { AnalyticsSql, maybeNum } from './analytics-sql.js';
import { ExcursionTracker, type TradePath } from './excursion-tracker.js';
import { ExecutionStamps, type TimelineDraft } from './execution-stamps.js';

const FLUSH_MS = 1_000;
const MAX_PENDING_TRADES = 10_000;
/**
 * A second's timelines and excursions are written in commits of at most these many, the event loop
 * turning between them: under a flood (about 5,000 orders and 2,500 closed trades a second here)
 * one commit of them all held the loop 40–75 ms once a second, in front of every webhook waiting
 * for its answer. A piece of this size takes a few milliseconds.
 */
export const TIMELINES_PER_COMMIT = 256;
export const EXCURSIONS_PER_COMMIT = 128;

const TIMELINE_COLUMNS = [
  'orderId',
  'eventId',
  'strategyId',
  'accountId',
  'ticker',
  'side',
  'signalAt',
  'receivedAt',
  'acceptedAt',
  'handledAt',
  'sentAt',
  'acknowledgedAt',
  'filledAt',
  'pushedAt',
  'referencePrice',
  'referenceSource',
  'createdAt',
] as const satisfies readonly (keyof TimelineDraft)[];

/**
 * Writes what the hot path stamped and what the quotes showed, off the hot path: once a second,
 * every finished timeline and closed trade's excursions in one shared transaction. A process that
 * trades (`consumes`) also follows open positions' quotes; every process writes the `/ws` pushes
 * it made.
 */
@Injectable()
export class AnalyticsRecorder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly tracker = new ExcursionTracker();
  private readonly closed: TradePath[] = [];
  private readonly stops: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly console = new Logger('Analytics');
  private lastError = 0;

  constructor(
    private readonly stamps: ExecutionStamps,
    private readonly bus: EventBus,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly sql: AnalyticsSql,
    private readonly consumes: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(
      this.bus.subscribe((message, origin) => {
        // Every process hears every position (another worker may close what this one opened); the rest only its own.
        if (this.consumes && message.type === 'POSITION') {
          const p = message.data;
          this.tracker.position(`${p.accountId}|${p.strategyId ?? ''}|${p.ticker}`, p.ticker, p.quantity, p.time);
        }
        if (origin !== 'local') return;
        if (message.type === 'FILL') this.stamps.orderFilled(message.data);
        else if (message.type === 'ORDER' && (message.data.status === 'rejected' || message.data.status === 'cancelled'))
          this.stamps.orderSettled(message.data.id);
        else if (this.consumes && message.type === 'TRADE' && this.closed.length < MAX_PENDING_TRADES) {
          this.closed.push(this.tracker.pathOf(message.data));
        }
      }),
    );
    if (this.consumes) {
      this.stops.push(this.market.onQuote((quote) => this.tracker.quote(quote)));
      const open = await this.sql.query<{ accountId: string; strategyId: string; ticker: string }>(
        `SELECT "accountId", "strategyId", "ticker" FROM "positions" WHERE "quantity" <> 0`,
      );
      const now = Date.now();
      for (const p of open) this.tracker.position(`${p.accountId}|${p.strategyId}|${p.ticker}`, p.ticker, 1, now);
    }
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.stops.forEach((stop) => stop());
    await this.flush(Number.POSITIVE_INFINITY);
  }

  /** Writes what is ready (everything, with `now` = Infinity); one at a time. */
  flush(now = Date.now()): Promise<void> {
    this.flushing = this.flushing.then(() => this.write(now)).catch((error: unknown) => this.warn(error));
    return this.flushing;
  }

  /** Positions followed right now (tests). */
  get followedTickers(): number {
    return this.tracker.tickers;
  }

  /**
   * What is ready, in pieces (TIMELINES_PER_COMMIT, EXCURSIONS_PER_COMMIT), each its own commit. A
   * piece that fails is lost alone (warned, as a whole second's was); the rest are still written.
   */
  private async write(now: number): Promise<void> {
    const drafts = this.stamps.take(now);
    const trades = this.closed.splice(0);
    let failure: unknown;
    for (let d = 0, t = 0; d < drafts.length || t < trades.length;) {
      const timelines = drafts.slice(d, (d += TIMELINES_PER_COMMIT));
      const excursions = trades.slice(t, (t += EXCURSIONS_PER_COMMIT));
      await this.database
        .bookkeeping(async (m) => {
          // Stamps only fill in: an api process's /ws push may reach the row before the worker's own stamps do.
          if (timelines.length)
            await this.sql.fillIn(
              m,
              'order_timelines',
              [...TIMELINE_COLUMNS],
              'orderId',
              timelines.map((draft) => TIMELINE_COLUMNS.map((c) => draft[c])),
            );
          for (const closed of excursions) await this.writeExcursion(m, closed);
        })
        .catch((error: unknown) => (failure ??= error));
      if (d < drafts.length || t < trades.length) await nextTurn();
    }
    if (failure !== undefined) throw failure;
  }

  private async writeExcursion(m: EntityManager, { trade, points, observedFrom }: TradePath): Promise<void> {
    const instrument = this.market.instrument(trade.ticker);
    const [bracket] = await this.sql.select<{ stopLossPrice: unknown; stopLossTicks: unknown }>(m, ...entryBracket(trade));
    const stop = bracket
      ? bracketStop(
          trade.direction,
          trade.entryPrice,
          { stopLossPrice: maybeNum(bracket.stopLossPrice), stopLossTicks: maybeNum(bracket.stopLossTicks) },
          instrument,
        )
      : null;
    const x = tradeExcursion({ ...trade, pnlCents: toCents(trade.pnl) }, points, instrument, stop);
    await this.sql.write(
      m,
      `INSERT INTO "trade_excursions" ("tradeId", "mfeTicks", "mfeCents", "mfePrice", "mfeTime", "maeTicks", "maeCents", "maePrice", "maeTime", ` +
        `"holdingMs", "stopPrice", "riskCents", "rMultiple", "observedFrom", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
        `ON CONFLICT ("tradeId") DO NOTHING`,
      [
        trade.id,
        x.mfeTicks,
        x.mfeCents,
        x.mfePrice,
        x.mfeTime,
        x.maeTicks,
        x.maeCents,
        x.maePrice,
        x.maeTime,
        x.holdingMs,
        x.stopPrice,
        x.riskCents,
        x.rMultiple,
        observedFrom,
        Date.now(),
      ],
    );
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastError < 60_000) return;
    this.lastError = now;
    this.console.warn(`analytics not written: ${String((error as Error).message ?? error).slice(0, 300)}`);
  }
}

/**
 * The bracket of a trade's entry order, found through its entry fill: by the fill's strategy and
 * the trade's entry time, a seek of the strategy's list of fills, or (a fill not listed yet, see
 * StrategyListing) of the unlisted fills by time. By the account alone it read every fill the
 * account ever had, once for each trade it closed, and could take another strategy's fill of the
 * same price and millisecond. A trade is held under its strategy, a link's copy under the link
 * (its fills under the link's strategy), a manual one under none.
 */
export function entryBracket(
  trade: Pick<TradeData, 'strategyId' | 'entryTime' | 'accountId' | 'ticker' | 'entryPrice'>,
): [string, SqlValue[]] {
  const strategy = 'COALESCE((SELECT l."strategyId" FROM "strategy_links" l WHERE l."id" = ?), ?)';
  const [listed, unlisted] =
    trade.strategyId === null
      ? [`f."listedStrategyId" = '${NO_STRATEGY_LISTED}'`, 'f."listedStrategyId" IS NULL AND f."strategyId" IS NULL']
      : [`f."listedStrategyId" = ${strategy}`, `f."listedStrategyId" IS NULL AND f."strategyId" = ${strategy}`];
  const byStrategy = trade.strategyId === null ? [] : [trade.strategyId, trade.strategyId];
  const part = (where: string) =>
    `SELECT b."stopLossPrice", b."stopLossTicks" FROM "fills" f JOIN "orders" o ON o."id" = f."orderId" ` +
    `JOIN "order_brackets" b ON b."parentClientOrderId" = o."clientOrderId" ` +
    `WHERE ${where} AND f."time" = ? AND f."accountId" = ? AND f."ticker" = ? AND f."price" = ?`;
  const rest = [trade.entryTime, trade.accountId, trade.ticker, trade.entryPrice];
  return [`${part(listed)} UNION ALL ${part(unlisted)} LIMIT 1`, [...byStrategy, ...rest, ...byStrategy, ...rest]];
}
