import type { Lot } from '@tradeloop/domain';
import type { PnlScopeKind } from './pnl.types.js';

/** Positions are keyed under strategyId '' when no strategy made them (manual trades). */
export const NO_STRATEGY = '';

export interface PositionRow {
  id: string;
  accountId: string;
  strategyId: string;
  ticker: string;
  quantity: number;
  realizedCents: number;
  lots: Lot[];
  /** Held by a link (a strategy's copy on another account): counts toward its account, not toward 'all'. */
  link?: boolean;
}

/** One scope's P&L right now. `openCents` null: some held ticker has no quote yet. */
export interface ScopeTotals {
  scope: PnlScopeKind;
  scopeId: string;
  realizedCents: number;
  openCents: number | null;
  /** Open positions (non-zero ticker positions). */
  positions: number;
  /** Net signed quantity per ticker, open tickers only. */
  netByTicker: Map<string, number>;
}

export const scopeKey = (scope: PnlScopeKind, scopeId: string) => `${scope}:${scopeId}`;

/**
 * Adds positions up per strategy, per account (manual trades included) and over every strategy
 * ('all'). `openCents(row)` marks an open position; null means unknown and makes its scopes'
 * open P&L unknown. `netByTicker: false` skips the per-ticker net quantities.
 */
export function totalsByScope(
  rows: Iterable<PositionRow>,
  openCents: (row: PositionRow) => number | null,
  kinds: { strategy?: boolean; account?: boolean; all?: boolean; netByTicker?: boolean } = { strategy: true, account: true, all: true },
): Map<string, ScopeTotals> {
  const byTicker = kinds.netByTicker !== false;
  const totals = new Map<string, ScopeTotals>();
  const add = (scope: PnlScopeKind, scopeId: string, row: PositionRow, open: number | null) => {
    const key = scopeKey(scope, scopeId);
    let t = totals.get(key);
    if (!t) {
      t = { scope, scopeId, realizedCents: 0, openCents: 0, positions: 0, netByTicker: new Map() };
      totals.set(key, t);
    }
    t.realizedCents += row.realizedCents;
    if (row.quantity !== 0) {
      t.positions++;
      t.openCents = t.openCents === null || open === null ? null : t.openCents + open;
      if (!byTicker) return;
      const net = Math.round(((t.netByTicker.get(row.ticker) ?? 0) + row.quantity) * 1e8) / 1e8;
      if (net === 0) t.netByTicker.delete(row.ticker);
      else t.netByTicker.set(row.ticker, net);
    }
  };
  for (const row of rows) {
    const open = row.quantity === 0 ? 0 : openCents(row);
    if (kinds.account) add('account', row.accountId, row, open);
    if (row.strategyId === NO_STRATEGY) continue;
    if (kinds.strategy) add('strategy', row.strategyId, row, open);
    if (kinds.all && !row.link) add('all', '', row, open);
  }
  return totals;
}
