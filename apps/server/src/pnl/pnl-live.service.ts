import { Injectable } from '@nestjs/common';
import type { LivePnl } from '@tradeloop/contracts';
import { toDollars, TradingCalendar } from '@tradeloop/domain';
import { Clock } from './clock.js';
import { maybeNum, num, PnlSql } from './pnl-sql.js';
import { scopeKey, totalsByScope } from './pnl-scopes.js';
import { PnlTrades } from './pnl-trades.js';
import { PositionReader } from './position-reader.js';
import type { PnlScopeKind } from './pnl.types.js';

export interface LivePnlCents {
  todayCents: number | null;
  totalCents: number | null;
  openCents: number | null;
  realizedCents: number;
  positions: number;
  position: Record<string, number>;
}

const FLAT: LivePnlCents = { todayCents: 0, totalCents: 0, openCents: 0, realizedCents: 0, positions: 0, position: {} };

export const livePnlView = (c: LivePnlCents): LivePnl => ({
  todayPnl: c.todayCents === null ? null : toDollars(c.todayCents),
  totalPnl: c.totalCents === null ? null : toDollars(c.totalCents),
  openPnl: c.openCents === null ? null : toDollars(c.openCents),
  realizedPnl: toDollars(c.realizedCents),
  activePositions: c.positions,
  position: c.position,
});

/**
 * P&L right now for listings and the summary, in three queries whatever the number of scopes:
 * positions (marked at the quote cache), trades closed since the trading day began, and the
 * recorder's latest states (for the open P&L carried into the day).
 *
 * todayPnl = realized P&L of trades closed today + open P&L now − open P&L when the day began.
 */
@Injectable()
export class PnlLiveService {
  constructor(
    private readonly sql: PnlSql,
    private readonly positions: PositionReader,
    private readonly trades: PnlTrades,
    private readonly calendar: TradingCalendar,
    private readonly clock: Clock,
  ) {}

  /** Live P&L of every scope of a kind (or of the given ids), by id; scopes that never traded are flat. */
  async of(kind: PnlScopeKind, ids?: string[], now = this.clock.now()): Promise<{ get(id: string): LivePnlCents }> {
    const rows = await this.positions.read(
      ids && kind === 'strategy' ? { strategyIds: ids } : ids && kind === 'account' ? { accountIds: ids } : {},
    );
    const totals = totalsByScope(rows, this.positions.openCents, { [kind]: true });
    const dayStart = this.calendar.startOf(this.calendar.dateOf(now));
    const [today, latest] = await Promise.all([this.trades.realizedBetween(dayStart, Number.MAX_SAFE_INTEGER), this.latest(kind, ids)]);
    const out = new Map<string, LivePnlCents>();
    for (const t of totals.values()) {
      const recorded = latest.get(t.scopeId);
      // Open P&L held when the day began: as recorded that day, or the last state recorded before it.
      const dayOpen = !recorded ? 0 : recorded.dayStart >= dayStart ? recorded.dayOpenCents : recorded.openCents;
      const realizedToday = today.get(scopeKey(kind, t.scopeId))?.cents ?? 0;
      out.set(t.scopeId, {
        todayCents: t.openCents === null || dayOpen === null ? null : realizedToday + t.openCents - dayOpen,
        totalCents: t.openCents === null ? null : t.realizedCents + t.openCents,
        openCents: t.openCents,
        realizedCents: t.realizedCents,
        positions: t.positions,
        position: Object.fromEntries([...t.netByTicker].sort(([a], [b]) => a.localeCompare(b))),
      });
    }
    return { get: (id: string) => out.get(id) ?? FLAT };
  }

  /** The recorder's peak and deepest drawdown of one scope (zeros before anything was recorded). */
  async recordedExtremes(kind: PnlScopeKind, id: string): Promise<{ peakCents: number; maxDrawdownCents: number }> {
    const [row] = await this.sql.query<Record<string, unknown>>(
      `SELECT "peakCents", "maxDrawdownCents" FROM "pnl_latest" WHERE "scope" = ? AND "scopeId" = ?`,
      [kind, id],
    );
    return { peakCents: num(row?.peakCents), maxDrawdownCents: num(row?.maxDrawdownCents) };
  }

  private async latest(kind: PnlScopeKind, ids?: string[]) {
    if (ids?.length === 0) return new Map();
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT "scopeId", "openCents", "dayStart", "dayOpenCents" FROM "pnl_latest" WHERE "scope" = ?` +
        (ids ? ` AND "scopeId" IN (${ids.map(() => '?').join(', ')})` : ''),
      [kind, ...(ids ?? [])],
    );
    return new Map(
      rows.map((r) => [
        r.scopeId as string,
        { openCents: maybeNum(r.openCents), dayStart: num(r.dayStart), dayOpenCents: maybeNum(r.dayOpenCents) },
      ]),
    );
  }
}
