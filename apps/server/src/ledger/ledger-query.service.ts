import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FillView, Page, PositionView, TradeView } from '@tradeloop/contracts';
import { openPnlCents, toDollars } from '@tradeloop/domain';
import { Between, Not, Raw, Repository, type FindOptionsWhere } from 'typeorm';
import { iso } from '../common/money.js';
import { strategyPage } from '../database/strategy-listing.js';
import { MarketService } from '../market/market.service.js';
import { Fill } from './fill.entity.js';
import { NO_STRATEGY } from './ledger.service.js';
import { Position } from './position.entity.js';
import { Trade } from './trade.entity.js';

export interface PositionFilter {
  strategyId?: string;
  accountId?: string;
  /** Include flat positions (their realized P&L stays on record). */
  includeFlat?: boolean;
}

export interface TradeFilter {
  strategyId?: string;
  accountId?: string;
  from?: number;
  to?: number;
  /** Trades only: those with this journal tag. */
  tag?: string;
  limit: number;
  offset: number;
}

/** A strategy's fills, newest first, from its listed and unlisted parts (StrategyListing), and their total. */
export function fillsOfStrategy(fills: Repository<Fill>, filter: TradeFilter, strategyId: string): Promise<[Fill[], number]> {
  const part = (arm: string) => {
    const query = fills.createQueryBuilder('record').where(arm, { strategyId });
    if (filter.accountId) query.andWhere('record.accountId = :accountId', { accountId: filter.accountId });
    if (filter.from !== undefined) query.andWhere('record.time >= :from', { from: filter.from });
    if (filter.to !== undefined) query.andWhere('record.time <= :to', { to: filter.to });
    return query;
  };
  return strategyPage(part, 'time', filter.offset, filter.limit);
}

@Injectable()
export class LedgerQueryService {
  constructor(
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    @InjectRepository(Fill) private readonly fills: Repository<Fill>,
    private readonly market: MarketService,
  ) {}

  async listPositions(filter: PositionFilter): Promise<PositionView[]> {
    const rows = await this.positions.find({
      where: {
        ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
        ...(filter.includeFlat ? {} : { quantity: Not(0) }),
      },
      order: { updatedAt: 'DESC' },
    });
    return rows.map((p) => {
      const quote = this.market.latest(p.ticker);
      const instrument = this.market.instrument(p.ticker);
      // No quote yet: the open P&L is unknown, not zero.
      const open = p.quantity !== 0 && quote ? openPnlCents({ lots: p.lots }, quote, instrument) : p.quantity === 0 ? 0 : null;
      return {
        id: p.id,
        accountId: p.accountId,
        strategyId: p.strategyId === NO_STRATEGY ? null : p.strategyId,
        ticker: p.ticker,
        quantity: p.quantity,
        side: p.quantity > 0 ? 'long' : p.quantity < 0 ? 'short' : 'flat',
        avgPrice: p.avgPrice,
        markPrice: quote && p.quantity !== 0 ? (p.quantity > 0 ? quote.bid : quote.ask) : null,
        openPnl: open === null ? null : toDollars(open),
        realizedPnl: toDollars(p.realizedCents),
        updatedAt: iso(p.updatedAt),
      };
    });
  }

  async listFills(filter: TradeFilter): Promise<Page<FillView>> {
    const [rows, total] = filter.strategyId
      ? await fillsOfStrategy(this.fills, filter, filter.strategyId)
      : await this.fills.findAndCount({
          where: {
            ...(filter.accountId ? { accountId: filter.accountId } : {}),
            ...(filter.from !== undefined || filter.to !== undefined
              ? { time: Between(filter.from ?? 0, filter.to ?? Number.MAX_SAFE_INTEGER) }
              : {}),
          },
          order: { time: 'DESC', id: 'ASC' },
          take: filter.limit,
          skip: filter.offset,
        });
    return {
      total,
      limit: filter.limit,
      offset: filter.offset,
      items: rows.map((f) => ({
        id: f.id,
        orderId: f.orderId,
        accountId: f.accountId,
        strategyId: f.strategyId,
        ticker: f.ticker,
        side: f.side,
        quantity: f.quantity,
        price: f.price,
        priceSource: f.priceSource,
        commission: toDollars(f.commissionCents),
        realizedPnl: toDollars(f.realizedCents),
        time: iso(f.time),
      })),
    };
  }

  async listTrades(filter: TradeFilter): Promise<Page<TradeView>> {
    const where: FindOptionsWhere<Trade> = {
      ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
      ...(filter.accountId ? { accountId: filter.accountId } : {}),
      ...(filter.from !== undefined || filter.to !== undefined
        ? { exitTime: Between(filter.from ?? 0, filter.to ?? Number.MAX_SAFE_INTEGER) }
        : {}),
      ...(filter.tag
        ? {
            id: Raw((id) => `${id} IN (SELECT "tradeId" FROM "journal_tags" WHERE "tag" = :tag AND "tradeId" IS NOT NULL)`, {
              tag: filter.tag,
            }),
          }
        : {}),
    };
    const [rows, total] = await this.trades.findAndCount({
      where,
      order: { exitTime: 'DESC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return {
      total,
      limit: filter.limit,
      offset: filter.offset,
      items: rows.map((t) => ({
        id: t.id,
        accountId: t.accountId,
        strategyId: t.strategyId === NO_STRATEGY ? null : t.strategyId,
        ticker: t.ticker,
        direction: t.direction,
        quantity: t.quantity,
        entryPrice: t.entryPrice,
        exitPrice: t.exitPrice,
        entryTime: iso(t.entryTime),
        exitTime: iso(t.exitTime),
        grossPnl: toDollars(t.grossCents),
        commission: toDollars(t.commissionCents),
        pnl: toDollars(t.pnlCents),
        entryPriceSource: t.entryPriceSource,
        exitPriceSource: t.exitPriceSource,
      })),
    };
  }
}
