import { Injectable } from '@nestjs/common';
import type { PnlData } from '@tradeloop/contracts';
import { toDollars, TradingCalendar } from '@tradeloop/domain';
import { nextTurn } from '../common/next-turn.js';
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

/**
 * The latest state is rewritten at once when what a restart or the listings need exactly changes
 * (realized P&L, positions, peak, deepest drawdown, the trading day); a move of open P&L alone
 * refreshes it at most this often. The per-second points always have every value.
 */
const LATEST_REFRESH_MS = 10_000;
/** Scopes are written in this many slices, one a pass. */
export const FLUSH_SLICES = 4;
/**
 * Scopes a pass records and announces in one turn of the event loop; the next piece waits a turn.
 * With a thousand strategies moving, a pass that announced them all at once (each message is
 * rebased into the live stream) held the loop 11–14 ms in one stretch here, in front of every
 * webhook waiting for its answer; on PostgreSQL, where the positions' read is a turn of its own,
 * half as long in pieces.
 */
export const SCOPES_PER_TURN = 250;
const MAX_PENDING_POINTS = 3600;

/** A scope's slice: FNV-1a of its key, stable across passes. */
function sliceOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % FLUSH_SLICES;
}

export interface PassResult {
  /** The second recorded (epoch ms). */
  time: number;
  /** Scopes looked at, how many of them changed (and were recorded), and the points written to the database this pass. */
  scopes: number;
  recorded: number;
  written: number;
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
 * (idle scopes cost a comparison) and one `PNL` message on the event bus. Points are written in
 * slices: each pass writes, in one transaction, the pending points of a quarter of the scopes,
 * so a scope's points reach the database within four seconds while a pass touches a quarter of
 * the pages (the per-scope b-tree leaves) that writing every scope every second would.
 */
/** A scope's points recorded and not written yet, and its latest state when that is due too. */
interface Pending {
  points: RecordedState[];
  latest: RecordedState | null;
}

@Injectable()
export class PnlRecorder {
  private states: Map<string, RecordedState> | null = null;
  /** What `pnl_latest` holds (or is about to) for each scope. */
  private persisted = new Map<string, RecordedState>();
  /** Snapshots recorded but not written yet, by scope. */
  private readonly pending = new Map<string, Pending>();
  /** Snapshots being written now, by scope (a flush may overlap a pass's write). */
  private readonly writing = new Map<string, Pending[]>();
  private passes = 0;
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
    this.persisted.clear();
    this.pending.clear();
    this.currentDay = null;
  }

  private async pass(time: number): Promise<PassResult> {
    const dayStart = this.calendar.startOf(this.calendar.dateOf(time));
    const states = this.states ?? (await this.load());
    const [rows, balances] = await Promise.all([this.positions.read(), this.startingBalances()]);
    const totals = totalsByScope(rows, this.positions.openCents, { strategy: true, account: true, all: true, netByTicker: false });
    if (this.currentDay !== dayStart) await this.startDay(dayStart, totals);

    const changed: RecordedState[] = [];
    for (const [key, t] of totals) {
      const prev = states.get(key);
      if (!prev && t.realizedCents === 0 && t.positions === 0) continue; // never traded
      if (prev && prev.realizedCents === t.realizedCents && prev.openCents === t.openCents && prev.positions === t.positions) {
        // Come to rest: the latest state on disk catches up with the last recorded one.
        if (this.persisted.get(key) !== prev) this.stage(key, prev, false);
        continue;
      }
      changed.push(this.next(prev, t, time, dayStart, balances));
    }
    for (let i = 0; i < changed.length; i++) {
      if (i > 0 && i % SCOPES_PER_TURN === 0) await nextTurn();
      const s = changed[i];
      const key = scopeKey(s.scope, s.scopeId);
      this.stage(key, s, true);
      states.set(key, s);
      this.bus.publish('PNL', this.message(s));
    }
    // Each pass writes one slice of the scopes: every scope's points reach the database within
    // FLUSH_SLICES seconds, and a pass dirties a quarter of the pages it would otherwise.
    const slice = this.passes++ % FLUSH_SLICES;
    const written = await this.write([...this.pending.keys()].filter((key) => sliceOf(key) === slice));
    return { time, scopes: totals.size, recorded: changed.length, written };
  }

  /**
   * Points of one scope recorded by this process but not written yet (a few seconds' worth): a
   * series read right after a trade includes them.
   */
  unwritten(scope: PnlScopeKind, scopeId: string): readonly Pick<RecordedState, 'time' | 'totalCents' | 'peakCents'>[] {
    const key = scopeKey(scope, scopeId);
    const writing = this.writing.get(key) ?? [];
    const pending = this.pending.get(key)?.points ?? [];
    return writing.length ? [...writing.flatMap((p) => p.points), ...pending] : pending;
  }

  /** Writes every snapshot still held in memory (before a rollup, at shutdown). */
  async flush(): Promise<void> {
    await this.write([...this.pending.keys()]);
  }

  /** Writes the pending snapshots of these scopes in one transaction; on failure they stay pending. */
  private async write(keys: string[]): Promise<number> {
    const batch = keys.flatMap((key) => {
      const pending = this.pending.get(key);
      this.pending.delete(key);
      return pending ? [[key, pending] as const] : [];
    });
    if (batch.length === 0) return 0;
    // Still answered by unwritten() until the transaction has committed: a chart read meanwhile
    // finds them in neither the database nor pending otherwise.
    for (const [key, p] of batch) this.writing.set(key, [...(this.writing.get(key) ?? []), p]);
    const points: unknown[][] = [];
    for (const [, p] of batch) {
      for (const s of p.points) {
        points.push([s.scope, s.scopeId, s.time, s.realizedCents, s.openCents, s.totalCents, s.peakCents, s.positions, s.equityCents]);
      }
    }
    try {
      await this.database.transaction(async (m) => {
        await this.sql.upsert(m, 'pnl_points', POINT_COLUMNS, ['scope', 'scopeId', 'time'], points);
        await this.sql.upsert(
          m,
          'pnl_latest',
          LATEST_COLUMNS,
          ['scope', 'scopeId'],
          batch.flatMap(([, p]) => (p.latest ? [LATEST_COLUMNS.map((c) => p.latest![c as keyof RecordedState])] : [])),
        );
      });
    } catch (error) {
      this.doneWriting(batch);
      // Kept for the next attempt, up to an hour of seconds a scope while the database is away.
      for (const [key, p] of batch) {
        const newer = this.pending.get(key);
        const points = newer ? [...p.points, ...newer.points] : p.points;
        this.pending.set(key, { points: points.slice(-MAX_PENDING_POINTS), latest: newer?.latest ?? p.latest });
      }
      throw error;
    }
    this.doneWriting(batch);
    return points.length;
  }

  private doneWriting(batch: readonly (readonly [string, Pending])[]): void {
    for (const [key, p] of batch) {
      const left = (this.writing.get(key) ?? []).filter((w) => w !== p);
      if (left.length) this.writing.set(key, left);
      else this.writing.delete(key);
    }
  }

  /** Queues a point (when `point`) and, when it is due, the latest state of a scope. */
  private stage(key: string, s: RecordedState, point: boolean): void {
    const pending = this.pending.get(key) ?? { points: [], latest: null };
    if (point) pending.points.push(s);
    if (!point || this.mustPersist(s)) {
      pending.latest = s;
      this.persisted.set(key, s);
    }
    this.pending.set(key, pending);
  }

  private mustPersist(s: RecordedState): boolean {
    const stored = this.persisted.get(scopeKey(s.scope, s.scopeId));
    return (
      !stored ||
      stored.realizedCents !== s.realizedCents ||
      stored.positions !== s.positions ||
      stored.peakCents !== s.peakCents ||
      stored.maxDrawdownCents !== s.maxDrawdownCents ||
      stored.dayStart !== s.dayStart ||
      stored.dayOpenCents !== s.dayOpenCents ||
      (stored.openCents === null) !== (s.openCents === null) ||
      s.time - stored.time >= LATEST_REFRESH_MS
    );
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
    this.persisted = new Map(this.states);
    return this.states;
  }

  private async startingBalances(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ id: string; cents: unknown }>(`SELECT "id", "startingBalanceCents" AS "cents" FROM "accounts"`);
    return new Map(rows.map((r) => [r.id, num(r.cents)]));
  }
}
