import { Injectable } from '@nestjs/common';
import type { PnlData } from '@tradeloop/contracts';
import { toDollars, TradingCalendar } from '@tradeloop/domain';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { Clock } from './clock.js';
import { maybeNum, num, PnlSql } from './pnl-sql.js';
import { scopeKey, totalsByScope, type ScopeTotals } from './pnl-scopes.js';
import { PnlTrades } from './pnl-trades.js';
import { PositionReader } from './position-reader.js';
import type { PnlScopeKind } from './pnl.types.js';

/** A scope's last recorded state: a `pnl_latest` row. */
export interface RecordedState {
  scope: PnlScopeKind;
  scopeId: string;
  time: number;
  realizedCents: number;
  openCents: number | null;
  totalCents: number | null;
  peakCents: number;
  maxDrawdownCents: number;
  positions: number;
  equityCents: number | null;
  dayStart: number;
  dayOpenCents: number | null;
}

export interface PassResult {
  /** The second recorded (epoch ms). */
  time: number;
  /** Scopes looked at, and how many of them changed and were written. */
  scopes: number;
  recorded: number;
}

const POINT_COLUMNS = ['scope', 'scopeId', 'time', 'realizedCents', 'openCents', 'totalCents', 'peakCents', 'positions', 'equityCents'];
const LATEST_COLUMNS = [
  'scope',
  'scopeId',
  'time',
  'realizedCents',
  'openCents',
  'totalCents',
  'peakCents',
  'maxDrawdownCents',
  'positions',
  'equityCents',
  'dayStart',
  'dayOpenCents',
];

/**
 * One pass a second: every strategy, account and the all-strategies total is marked to the quote
 * cache, and the scopes whose realized P&L, open P&L or position count changed get one point
 * (idle scopes cost a comparison). Points and latest states are written in one transaction, then
 * one `PNL` message per changed scope goes on the event bus.
 */
@Injectable()
export class PnlRecorder {
  private states: Map<string, RecordedState> | null = null;
  /** Realized P&L of each scope when the current trading day began (for todayPnl). */
  private realizedAtDayStart = new Map<string, number>();
  private currentDay: number | null = null;
  private busy = false;

  constructor(
    private readonly sql: PnlSql,
    private readonly database: DatabaseService,
    private readonly positions: PositionReader,
    private readonly trades: PnlTrades,
    private readonly calendar: TradingCalendar,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Records the second `now` falls in. Null when the previous pass has not finished (never two at once). */
  async recordPass(now = this.clock.now()): Promise<PassResult | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      return await this.pass(Math.floor(now / 1000) * 1000);
    } finally {
      this.busy = false;
    }
  }

  /** Forgets what is in memory: the next pass reloads from the database (after another process recorded). */
  reset(): void {
    this.states = null;
    this.currentDay = null;
  }

  private async pass(time: number): Promise<PassResult> {
    const dayStart = this.calendar.startOf(this.calendar.dateOf(time));
    const states = this.states ?? (await this.load());
    const [rows, balances] = await Promise.all([this.positions.read(), this.startingBalances()]);
    const totals = totalsByScope(rows, this.positions.openCents);
    if (this.currentDay !== dayStart) await this.startDay(dayStart, totals);

    const changed: RecordedState[] = [];
    for (const [key, t] of totals) {
      const prev = states.get(key);
      if (!prev && t.realizedCents === 0 && t.positions === 0) continue; // never traded
      if (prev && prev.realizedCents === t.realizedCents && prev.openCents === t.openCents && prev.positions === t.positions) continue;
      changed.push(this.next(prev, t, time, dayStart, balances));
    }
    if (changed.length) {
      await this.database.transaction(async (m) => {
        await this.sql.upsert(
          m,
          'pnl_points',
          POINT_COLUMNS,
          ['scope', 'scopeId', 'time'],
          changed.map((s) => [
            s.scope,
            s.scopeId,
            s.time,
            s.realizedCents,
            s.openCents,
            s.totalCents,
            s.peakCents,
            s.positions,
            s.equityCents,
          ]),
        );
        await this.sql.upsert(
          m,
          'pnl_latest',
          LATEST_COLUMNS,
          ['scope', 'scopeId'],
          changed.map((s) => LATEST_COLUMNS.map((c) => s[c as keyof RecordedState])),
        );
      });
    }
    for (const s of changed) {
      states.set(scopeKey(s.scope, s.scopeId), s);
      this.bus.publish('PNL', this.message(s));
    }
    return { time, scopes: totals.size, recorded: changed.length };
  }

  private next(
    prev: RecordedState | undefined,
    t: ScopeTotals,
    time: number,
    dayStart: number,
    balances: Map<string, number>,
  ): RecordedState {
    const total = t.openCents === null ? null : t.realizedCents + t.openCents;
    let peak = prev?.peakCents ?? 0;
    let maxDrawdown = prev?.maxDrawdownCents ?? 0;
    if (total !== null) {
      peak = Math.max(peak, total);
      maxDrawdown = Math.min(maxDrawdown, total - peak);
    }
    return {
      scope: t.scope,
      scopeId: t.scopeId,
      time,
      realizedCents: t.realizedCents,
      openCents: t.openCents,
      totalCents: total,
      peakCents: peak,
      maxDrawdownCents: maxDrawdown,
      positions: t.positions,
      equityCents: total === null ? null : (t.scope === 'account' ? (balances.get(t.scopeId) ?? 0) : 0) + total,
      dayStart,
      // The open P&L carried into the day: the last state recorded before it began.
      dayOpenCents: !prev ? 0 : prev.dayStart === dayStart ? prev.dayOpenCents : prev.openCents,
    };
  }

  private message(s: RecordedState): PnlData {
    const key = scopeKey(s.scope, s.scopeId);
    const realizedToday = s.realizedCents - (this.realizedAtDayStart.get(key) ?? 0);
    const today = s.openCents === null || s.dayOpenCents === null ? null : realizedToday + s.openCents - s.dayOpenCents;
    return {
      scope: s.scope,
      id: s.scopeId,
      openPnl: s.openCents === null ? null : toDollars(s.openCents),
      realizedPnl: toDollars(s.realizedCents),
      todayPnl: today === null ? null : toDollars(today),
      totalPnl: s.totalCents === null ? null : toDollars(s.totalCents),
      drawdown: s.totalCents === null ? null : toDollars(s.totalCents - s.peakCents),
      time: s.time,
    };
  }

  /** A new trading day (or the first pass): realized P&L at its start = realized now − trades closed since. */
  private async startDay(dayStart: number, totals: Map<string, ScopeTotals>): Promise<void> {
    const since = await this.trades.realizedBetween(dayStart, Number.MAX_SAFE_INTEGER);
    this.realizedAtDayStart = new Map([...totals].map(([key, t]) => [key, t.realizedCents - (since.get(key)?.cents ?? 0)]));
    this.currentDay = dayStart;
  }

  private async load(): Promise<Map<string, RecordedState>> {
    const rows = await this.sql.query<Record<string, unknown>>(`SELECT * FROM "pnl_latest"`);
    this.states = new Map(
      rows.map((r) => {
        const state: RecordedState = {
          scope: r.scope as PnlScopeKind,
          scopeId: r.scopeId as string,
          time: num(r.time),
          realizedCents: num(r.realizedCents),
          openCents: maybeNum(r.openCents),
          totalCents: maybeNum(r.totalCents),
          peakCents: num(r.peakCents),
          maxDrawdownCents: num(r.maxDrawdownCents),
          positions: num(r.positions),
          equityCents: maybeNum(r.equityCents),
          dayStart: num(r.dayStart),
          dayOpenCents: maybeNum(r.dayOpenCents),
        };
        return [scopeKey(state.scope, state.scopeId), state];
      }),
    );
    return this.states;
  }

  private async startingBalances(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ id: string; cents: unknown }>(`SELECT "id", "startingBalanceCents" AS "cents" FROM "accounts"`);
    return new Map(rows.map((r) => [r.id, num(r.cents)]));
  }
}
