import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  LATENCY_SPANS,
  type AnalyticsView,
  type LatencyStageView,
  type OrderSide,
  type OrderTimelineView,
  type Page,
  type SlippageGroupView,
  type SlippageView,
  type TradeExcursionView,
  type TradeGroupStatsView,
} from '@tradeloop/contracts';
import { histogram, hourOfDay, LATENCY_EDGES_MS, percentile, slippage, statsByKey, tickEdges, toDollars } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { taggedTrades } from '../journal/dto/tag-query.dto.js';
import { MarketService } from '../market/market.service.js';
import { AnalyticsSql, maybeNum, num } from './analytics-sql.js';
import { excursionView, spansOf, stampsOf, timelineView } from './analytics-views.js';

export interface AnalyticsFilter {
  strategyId?: string;
  accountId?: string;
  from?: number;
  to?: number;
  tag?: string;
}

/** How many rows one analytics answer reads at most (the newest). */
const MAX_ROWS = 20_000;
const MAX_SCATTER = 1_000;

/** Read side of execution analytics: timelines, latency, slippage, excursions, stats by tag and hour. */
@Injectable()
export class AnalyticsQueryService {
  constructor(
    private readonly sql: AnalyticsSql,
    private readonly market: MarketService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async timelines(filter: AnalyticsFilter & { eventId?: string; limit: number; offset: number }): Promise<Page<OrderTimelineView>> {
    const { clause, params } = this.scope('tl', filter, '"createdAt"');
    const event = filter.eventId ? ` AND tl."eventId" = ?` : '';
    const all = [...params, ...(filter.eventId ? [filter.eventId] : [])];
    const [count] = await this.sql.query<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "order_timelines" tl WHERE ${clause}${event}`, all);
    const rows = await this.sql.query(
      `SELECT * FROM "order_timelines" tl WHERE ${clause}${event} ORDER BY tl."createdAt" DESC, tl."orderId" LIMIT ? OFFSET ?`,
      [...all, filter.limit, filter.offset],
    );
    return { total: num(count?.n), limit: filter.limit, offset: filter.offset, items: rows.map(timelineView) };
  }

  async analytics(filter: AnalyticsFilter): Promise<AnalyticsView> {
    const [latency, slip, trades] = await Promise.all([this.latency(filter), this.slippage(filter), this.trades(filter)]);
    return { latency, slippage: slip, ...trades };
  }

  async excursion(tradeId: string): Promise<TradeExcursionView> {
    const [row] = await this.sql.query(
      `SELECT x.*, t."entryTime" AS "tradeEntryTime" FROM "trade_excursions" x JOIN "trades" t ON t."id" = x."tradeId" WHERE x."tradeId" = ?`,
      [tradeId],
    );
    if (!row) throw new NotFoundException(`no excursions recorded for trade ${tradeId}`);
    return excursionView(row, num(row.tradeEntryTime));
  }

  private async latency(filter: AnalyticsFilter): Promise<LatencyStageView[]> {
    const { clause, params } = this.scope('tl', filter, '"createdAt"');
    const rows = await this.sql.query(
      `SELECT * FROM "order_timelines" tl WHERE ${clause} ORDER BY tl."createdAt" DESC LIMIT ${MAX_ROWS}`,
      params,
    );
    const values = new Map(LATENCY_SPANS.map((s) => [s, [] as number[]]));
    for (const row of rows) {
      const spans = spansOf(stampsOf(row));
      for (const s of LATENCY_SPANS) if (spans[s] !== null) values.get(s)!.push(spans[s]);
    }
    return LATENCY_SPANS.map((s) => {
      const v = values.get(s)!;
      return {
        span: s,
        count: v.length,
        p50Ms: percentile(v, 50),
        p99Ms: percentile(v, 99),
        histogram: histogram(v, LATENCY_EDGES_MS).map((b) => ({ fromMs: b.from, count: b.count })),
      };
    });
  }

  private async slippage(filter: AnalyticsFilter): Promise<SlippageView> {
    const newest = async (strategy?: string) => {
      const { clause, params } = this.scope('f', { ...filter, strategyId: undefined }, '"time"');
      return this.sql.query(
        `SELECT f."id", f."strategyId", f."accountId", f."ticker", f."side", f."quantity", f."price", f."time", ` +
          `COALESCE(tl."referencePrice", o."signalPrice") AS "reference" FROM "fills" f JOIN "orders" o ON o."id" = f."orderId" ` +
          `LEFT JOIN "order_timelines" tl ON tl."orderId" = f."orderId" ` +
          `WHERE ${strategy ?? '1 = 1'} AND ${clause} AND COALESCE(tl."referencePrice", o."signalPrice") IS NOT NULL ORDER BY f."time" DESC LIMIT ${MAX_ROWS}`,
        strategy ? [filter.strategyId, ...params] : params,
      );
    };
    // A strategy's fills through its list, the newest not listed yet first, as a page reads them (StrategyListing).
    const rows = filter.strategyId
      ? newestOnce([
          ...(await newest('f."listedStrategyId" IS NULL AND f."strategyId" = ?')),
          ...(await newest('f."listedStrategyId" = ?')),
        ])
      : await newest();
    const fills = rows.map((r) => {
      const ticker = String(r.ticker);
      const s = slippage(r.side as OrderSide, num(r.price), num(r.reference), num(r.quantity), this.market.instrument(ticker));
      return {
        ...s,
        strategy: (r.strategyId as string | null) ?? '(manual)',
        account: String(r.accountId),
        ticker,
        hour: String(hourOfDay(num(r.time), this.config.pnl.timeZone)).padStart(2, '0'),
      };
    });
    const group = (key: (f: (typeof fills)[number]) => string): SlippageGroupView[] => {
      const groups = new Map<string, { fills: number; cents: number; ticks: number }>();
      for (const f of fills) {
        const g = groups.get(key(f)) ?? { fills: 0, cents: 0, ticks: 0 };
        g.fills++;
        g.cents += f.cents;
        g.ticks += f.ticks;
        groups.set(key(f), g);
      }
      return [...groups]
        .map(([k, g]) => ({ key: k, fills: g.fills, slippage: toDollars(g.cents), averageTicks: round2(g.ticks / g.fills) }))
        .sort((a, b) => a.key.localeCompare(b.key));
    };
    const ticks = fills.map((f) => f.ticks);
    const totalCents = fills.reduce((sum, f) => sum + f.cents, 0);
    return {
      fills: fills.length,
      slippage: toDollars(totalCents),
      averageTicks: fills.length ? round2(ticks.reduce((a, b) => a + b, 0) / fills.length) : 0,
      histogram: histogram(ticks, tickEdges(ticks)).map((b) => ({ fromTicks: b.from, count: b.count })),
      byStrategy: group((f) => f.strategy),
      byAccount: group((f) => f.account),
      byInstrument: group((f) => f.ticker),
      byHour: group((f) => f.hour),
    };
  }

  private async trades(filter: AnalyticsFilter): Promise<Pick<AnalyticsView, 'excursions' | 'byTag' | 'byHour'>> {
    const { clause, params } = this.tradeScope(filter);
    const rows = await this.sql.query(
      `SELECT t."id", t."ticker", t."entryTime", t."pnlCents", x."mfeCents", x."maeCents", x."rMultiple" FROM "trades" t ` +
        `LEFT JOIN "trade_excursions" x ON x."tradeId" = t."id" WHERE ${clause} ORDER BY t."exitTime" DESC LIMIT ${MAX_ROWS}`,
      params,
    );
    const tags = await this.tagsOf(rows.map((r) => String(r.id)));
    const byTag = statsByKey(
      rows.flatMap((r) => {
        const own = tags.get(String(r.id));
        return (own?.length ? own : ['(untagged)']).map((key) => ({ key, pnlCents: num(r.pnlCents) }));
      }),
    ).sort((a, b) => a.key.localeCompare(b.key));
    const byHour = statsByKey(
      rows.map((r) => ({ key: String(hourOfDay(num(r.entryTime), this.config.pnl.timeZone)).padStart(2, '0'), pnlCents: num(r.pnlCents) })),
    ).sort((a, b) => a.key.localeCompare(b.key));
    const stats = (g: ReturnType<typeof statsByKey>[number]): TradeGroupStatsView => ({
      key: g.key,
      trades: g.trades,
      wins: g.wins,
      winRate: g.winRate,
      pnl: toDollars(g.totalCents),
      expectancy: toDollars(g.expectancyCents),
    });
    return {
      excursions: rows
        .filter((r) => r.mfeCents !== null && r.mfeCents !== undefined)
        .slice(0, MAX_SCATTER)
        .map((r) => ({
          tradeId: String(r.id),
          ticker: String(r.ticker),
          mfe: toDollars(num(r.mfeCents)),
          mae: toDollars(num(r.maeCents)),
          pnl: toDollars(num(r.pnlCents)),
          rMultiple: maybeNum(r.rMultiple),
        })),
      byTag: byTag.map(stats),
      byHour: byHour.map(stats),
    };
  }

  /** Each trade's tags (trades without any are absent). */
  async tagsOf(tradeIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < tradeIds.length; i += 500) {
      const slice = tradeIds.slice(i, i + 500);
      const rows = await this.sql.query<{ tradeId: string; tag: string }>(
        `SELECT "tradeId", "tag" FROM "journal_tags" WHERE "tradeId" IN (${slice.map(() => '?').join(', ')}) ORDER BY "tag"`,
        slice,
      );
      for (const r of rows) out.set(r.tradeId, [...(out.get(r.tradeId) ?? []), r.tag]);
    }
    return out;
  }

  /** WHERE over trades `t`: scope, exit time range, tag. */
  tradeScope(filter: AnalyticsFilter): { clause: string; params: unknown[] } {
    const { clause, params } = this.scope('t', filter, '"exitTime"');
    if (!filter.tag) return { clause, params };
    return { clause: `${clause} AND ${taggedTrades('t."id"')}`, params: [...params, filter.tag] };
  }

  private scope(alias: string, filter: AnalyticsFilter, timeColumn: string): { clause: string; params: unknown[] } {
    const parts = ['1 = 1'];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      parts.push(sql);
      params.push(value);
    };
    if (filter.strategyId) add(`${alias}."strategyId" = ?`, filter.strategyId);
    if (filter.accountId) add(`${alias}."accountId" = ?`, filter.accountId);
    if (filter.from !== undefined) add(`${alias}.${timeColumn} >= ?`, filter.from);
    if (filter.to !== undefined) add(`${alias}.${timeColumn} <= ?`, filter.to);
    return { clause: parts.join(' AND '), params };
  }
}

/** Fills read in two parts, each newest first: once each, newest first, at most MAX_ROWS. */
function newestOnce(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...new Map(rows.map((row) => [row.id, row])).values()].sort((a, b) => num(b.time) - num(a.time)).slice(0, MAX_ROWS);
}

const round2 = (value: number) => Math.round(value * 100) / 100 + 0;
