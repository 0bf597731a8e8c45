import { Injectable } from '@nestjs/common';
import type { Instrument } from '@tradeloop/contracts';
import { openPnlCents, type Lot } from '@tradeloop/domain';
import { MarketService } from '../market/market.service.js';
import { LinkIds } from './link-ids.js';
import { num, PnlSql } from './pnl-sql.js';
import type { PositionRow } from './pnl-scopes.js';

interface RawPosition {
  id: string;
  accountId: string;
  strategyId: string;
  ticker: string;
  quantity: number | string;
  realizedCents: number | string;
  lots: string;
}

/**
 * Reads positions for P&L in one query and marks them at the quote cache. Parsed lots are kept
 * by position while their JSON is unchanged, so a pass over a thousand open positions parses
 * only those that moved.
 */
@Injectable()
export class PositionReader {
  private readonly parsed = new Map<string, { json: string; lots: Lot[] }>();
  private readonly instruments = new Map<string, Instrument>();

  constructor(
    private readonly sql: PnlSql,
    private readonly market: MarketService,
    private readonly links: LinkIds,
  ) {}

  /** Every position row, flat ones included (their realized P&L counts), optionally narrowed. */
  async read(where: { strategyIds?: string[]; accountIds?: string[] } = {}): Promise<PositionRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (where.strategyIds) {
      if (where.strategyIds.length === 0) return [];
      conditions.push(`"strategyId" IN (${where.strategyIds.map(() => '?').join(', ')})`);
      params.push(...where.strategyIds);
    }
    if (where.accountIds) {
      if (where.accountIds.length === 0) return [];
      conditions.push(`"accountId" IN (${where.accountIds.map(() => '?').join(', ')})`);
      params.push(...where.accountIds);
    }
    const rows = await this.sql.query<RawPosition>(
      `SELECT "id", "accountId", "strategyId", "ticker", "quantity", "realizedCents", "lots" FROM "positions"` +
        (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''),
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      strategyId: r.strategyId,
      ticker: r.ticker,
      quantity: num(r.quantity),
      realizedCents: num(r.realizedCents),
      lots: num(r.quantity) === 0 ? [] : this.lots(r.id, r.lots),
      link: this.links.isLink(r.strategyId),
    }));
  }

  /** Open P&L of one position at the latest quote (longs at the bid, shorts at the ask); null without a quote. */
  openCents = (row: PositionRow): number | null => {
    if (row.quantity === 0) return 0;
    const quote = this.market.latest(row.ticker);
    if (!quote) return null;
    let instrument = this.instruments.get(row.ticker);
    if (!instrument) this.instruments.set(row.ticker, (instrument = this.market.instrument(row.ticker)));
    return openPnlCents({ lots: row.lots }, quote, instrument);
  };

  private lots(id: string, json: string): Lot[] {
    const cached = this.parsed.get(id);
    if (cached && cached.json === json) return cached.lots;
    const lots = JSON.parse(json) as Lot[];
    if (this.parsed.size > 100_000) this.parsed.clear();
    this.parsed.set(id, { json, lots });
    return lots;
  }
}
