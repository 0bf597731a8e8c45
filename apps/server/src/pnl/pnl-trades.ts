import { Injectable } from '@nestjs/common';
import { taggedTrades } from '../journal/dto/tag-query.dto.js';
import { LinkIds } from './link-ids.js';
import { num, PnlSql } from './pnl-sql.js';
import { NO_STRATEGY, scopeKey } from './pnl-scopes.js';
import type { PnlScopeKind } from './pnl.types.js';

export interface ScopeRef {
  scope: PnlScopeKind;
  /** '' for 'all'. */
  scopeId: string;
  /** Only trades with this journal tag (the trade figures; live P&L stays the scope's). */
  tag?: string;
}

/**
 * Realized P&L straight from the trades table, so the calendar, the summary and the trade list
 * agree to the cent. Every query rides an index: (strategyId, exitTime) for a strategy,
 * (accountId, exitTime) for an account and, over all accounts, for everything.
 */
@Injectable()
export class PnlTrades {
  constructor(
    private readonly sql: PnlSql,
    private readonly links: LinkIds,
  ) {}

  /** WHERE clause and parameters selecting one scope's trades. */
  async where(ref: ScopeRef): Promise<{ clause: string; params: unknown[] }> {
    const scoped = await this.scopeWhere(ref);
    return ref.tag ? { clause: `${scoped.clause} AND ${taggedTrades('"id"')}`, params: [...scoped.params, ref.tag] } : scoped;
  }

  private async scopeWhere(ref: ScopeRef): Promise<{ clause: string; params: unknown[] }> {
    if (ref.scope === 'strategy') return { clause: `"strategyId" = ?`, params: [ref.scopeId] };
    if (ref.scope === 'account') return { clause: `"accountId" = ?`, params: [ref.scopeId] };
    const accounts = await this.accountIds();
    if (accounts.length === 0) return { clause: '1 = 0', params: [] };
    return {
      // Every strategy's own trades: not manual ones, not links' copies on other accounts.
      clause: `"accountId" IN (${accounts.map(() => '?').join(', ')}) AND "strategyId" <> ? AND "strategyId" NOT IN (SELECT "id" FROM "strategy_links")`,
      params: [...accounts, NO_STRATEGY],
    };
  }

  async accountIds(): Promise<string[]> {
    return (await this.sql.query<{ id: string }>(`SELECT "id" FROM "accounts"`)).map((r) => r.id);
  }

  /** Realized cents and trade counts closed in [from, to), per strategy, account and 'all' scope key. */
  async realizedBetween(from: number, to: number): Promise<Map<string, { cents: number; trades: number }>> {
    const accounts = await this.accountIds();
    const out = new Map<string, { cents: number; trades: number }>();
    if (accounts.length === 0) return out;
    const rows = await this.sql.query<{ strategyId: string; accountId: string; cents: unknown; trades: unknown }>(
      `SELECT "strategyId", "accountId", SUM("pnlCents") AS "cents", COUNT(*) AS "trades" FROM "trades" ` +
        `WHERE "accountId" IN (${accounts.map(() => '?').join(', ')}) AND "exitTime" >= ? AND "exitTime" < ? GROUP BY "strategyId", "accountId"`,
      [...accounts, from, to],
    );
    const add = (key: string, cents: number, trades: number) => {
      const entry = out.get(key) ?? { cents: 0, trades: 0 };
      entry.cents += cents;
      entry.trades += trades;
      out.set(key, entry);
    };
    for (const r of rows) {
      const cents = num(r.cents);
      const trades = num(r.trades);
      add(scopeKey('account', r.accountId), cents, trades);
      if (r.strategyId === NO_STRATEGY) continue;
      add(scopeKey('strategy', r.strategyId), cents, trades);
      if (!this.links.isLink(r.strategyId)) add(scopeKey('all', ''), cents, trades);
    }
    return out;
  }

  /**
   * One scope's trades in [from, to) summed per `stepMs` (a step every trading-day boundary falls
   * on, see TradingCalendar.boundaryStepMs), ascending: the database adds up, the caller walks
   * the steps into trading days.
   */
  async bySteps(ref: ScopeRef, stepMs: number, from?: number, to?: number): Promise<{ start: number; cents: number; trades: number }[]> {
    const { clause, params } = await this.where(ref);
    const range = [from === undefined ? '' : ` AND "exitTime" >= ?`, to === undefined ? '' : ` AND "exitTime" < ?`].join('');
    const rows = await this.sql.query<{ q: unknown; cents: unknown; trades: unknown }>(
      `SELECT "exitTime" / ${Math.trunc(stepMs)} AS "q", SUM("pnlCents") AS "cents", COUNT(*) AS "trades" FROM "trades" ` +
        `WHERE ${clause}${range} GROUP BY 1 ORDER BY 1`,
      [...params, ...(from === undefined ? [] : [from]), ...(to === undefined ? [] : [to])],
    );
    return rows.map((r) => ({ start: num(r.q) * stepMs, cents: num(r.cents), trades: num(r.trades) }));
  }

  /** Count, winners, gross profit and gross loss (cents) of one scope's trades. */
  async stats(ref: ScopeRef): Promise<{ trades: number; wins: number; profitCents: number; lossCents: number; totalCents: number }> {
    const { clause, params } = await this.where(ref);
    const [row] = await this.sql.query<Record<string, unknown>>(
      `SELECT COUNT(*) AS "trades", SUM(CASE WHEN "pnlCents" > 0 THEN 1 ELSE 0 END) AS "wins", ` +
        `SUM(CASE WHEN "pnlCents" > 0 THEN "pnlCents" ELSE 0 END) AS "profit", SUM(CASE WHEN "pnlCents" < 0 THEN "pnlCents" ELSE 0 END) AS "loss", ` +
        `SUM("pnlCents") AS "total" FROM "trades" WHERE ${clause}`,
      params,
    );
    return {
      trades: num(row?.trades),
      wins: num(row?.wins),
      profitCents: num(row?.profit),
      lossCents: num(row?.loss),
      totalCents: num(row?.total),
    };
  }
}
