import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { PnlCalendar, PnlSeries, PnlSummary, SeriesPoint, SeriesResolution } from '@tradeloop/contracts';
import { addDays, DAY_MS, monthDates, toDollars, TradingCalendar } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { Clock } from './clock.js';
import { livePnlView, PnlLiveService } from './pnl-live.service.js';
import { maybeNum, num, PnlSql } from './pnl-sql.js';
import { PnlRecorder } from './pnl-recorder.service.js';
import { PnlTrades, type ScopeRef } from './pnl-trades.js';
import type { BarResolution } from './pnl.types.js';

export const RESOLUTIONS = ['auto', '1s', '1m', '1h', '1d'] as const;

const STEP_MS: Record<SeriesResolution, number> = { '1s': 1000, '1m': 60_000, '1h': 3_600_000, '1d': DAY_MS };
/** `auto` picks the finest resolution that returns at most this many points… */
export const AUTO_MAX_POINTS = 1000;
/** …and an explicit resolution may return up to this many. */
export const MAX_POINTS = 10_000;

const rate = (value: number) => Math.round(value * 10_000) / 10_000;

/** The summary, the calendar and the P&L-vs-drawdown series. */
@Injectable()
export class PnlQueryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sql: PnlSql,
    private readonly trades: PnlTrades,
    private readonly live: PnlLiveService,
    private readonly calendar: TradingCalendar,
    private readonly clock: Clock,
    private readonly recorder: PnlRecorder,
  ) {}

  /** strategyId, accountId or neither (every strategy together); both is ambiguous. 404 for an unknown id. */
  async scope(strategyId?: string, accountId?: string, tag?: string): Promise<ScopeRef> {
    if (strategyId && accountId) throw new BadRequestException('give strategyId or accountId, not both');
    const [table, id, scope] = strategyId
      ? (['strategies', strategyId, 'strategy'] as const)
      : accountId
        ? (['accounts', accountId, 'account'] as const)
        : ([null, '', 'all'] as const);
    if (table && (await this.sql.query(`SELECT 1 AS "x" FROM "${table}" WHERE "id" = ?`, [id])).length === 0) {
      throw new NotFoundException(`${scope} ${id} not found`);
    }
    return { scope, scopeId: id, ...(tag ? { tag } : {}) };
  }

  /** YYYY-MM of the current trading day. */
  currentMonth(now = this.clock.now()): string {
    return this.calendar.dateOf(now).slice(0, 7);
  }

  async summary(ref: ScopeRef, now = this.clock.now()): Promise<PnlSummary> {
    const [live, stats, days, recorded] = await Promise.all([
      this.live.of(ref.scope, ref.scope === 'all' ? undefined : [ref.scopeId], now),
      this.trades.stats(ref),
      this.dailyRealized(ref),
      this.live.recordedExtremes(ref.scope, ref.scopeId),
    ]);
    const current = live.get(ref.scopeId);
    // The drawdown right now counts too, even before the recorder has seen it.
    const liveDrawdown = current.totalCents === null ? 0 : current.totalCents - Math.max(recorded.peakCents, current.totalCents, 0);
    let best: { date: string; cents: number } | null = null;
    let worst: { date: string; cents: number } | null = null;
    for (const [date, { cents }] of days) {
      if (!best || cents > best.cents) best = { date, cents };
      if (!worst || cents < worst.cents) worst = { date, cents };
    }
    return {
      scope: ref.scope,
      id: ref.scope === 'all' ? null : ref.scopeId,
      timeZone: this.calendar.timeZone,
      dayStart: this.config.pnl.dayStart,
      tradingDay: this.calendar.dateOf(now),
      ...(ref.tag ? { tag: ref.tag } : {}),
      ...livePnlView(current),
      tradeCount: stats.trades,
      winRate: stats.trades ? rate(stats.wins / stats.trades) : null,
      profitFactor: stats.lossCents ? rate(stats.profitCents / -stats.lossCents) : null,
      maxDrawdown: toDollars(Math.min(recorded.maxDrawdownCents, liveDrawdown)),
      bestDay: best && { date: best.date, pnl: toDollars(best.cents) },
      worstDay: worst && { date: worst.date, pnl: toDollars(worst.cents) },
    };
  }

  /** Realized P&L of the trades closed on each trading day of a month (days without trades left out). */
  async calendarMonth(ref: ScopeRef, month: string): Promise<PnlCalendar> {
    const dates = monthDates(month);
    const from = this.calendar.startOf(dates[0]);
    const to = this.calendar.startOf(addDays(dates[dates.length - 1], 1));
    const days = await this.dailyRealized(ref, from, to);
    let cents = 0;
    let trades = 0;
    for (const day of days.values()) {
      cents += day.cents;
      trades += day.trades;
    }
    return {
      month,
      scope: ref.scope,
      id: ref.scope === 'all' ? null : ref.scopeId,
      timeZone: this.calendar.timeZone,
      dayStart: this.config.pnl.dayStart,
      days: [...days].map(([date, day]) => ({ date, pnl: toDollars(day.cents), trades: day.trades })),
      total: toDollars(cents),
      trades,
    };
  }

  /** Trades summed per trading day, ascending: per-hour (or quarter-hour) sums from the database, walked into days. */
  private async dailyRealized(ref: ScopeRef, from?: number, to?: number): Promise<Map<string, { cents: number; trades: number }>> {
    const buckets = await this.trades.bySteps(ref, this.calendar.boundaryStepMs, from, to);
    const days = new Map<string, { cents: number; trades: number }>();
    this.calendar.walk(
      buckets.map((b) => b.start),
      (date, i) => {
        const day = days.get(date) ?? { cents: 0, trades: 0 };
        day.cents += buckets[i].cents;
        day.trades += buckets[i].trades;
        days.set(date, day);
      },
    );
    return days;
  }

  /** Picks the resolution for a range: the finest one still kept for `from` with at most ~1,000 points. */
  pickResolution(from: number, to: number, now: number): SeriesResolution {
    const { secondsDays, minutesDays, hoursDays } = this.config.pnl.retention;
    const kept: Record<SeriesResolution, number> = { '1s': secondsDays, '1m': minutesDays, '1h': hoursDays, '1d': Infinity };
    for (const r of ['1s', '1m', '1h'] as const) {
      if ((to - from) / STEP_MS[r] <= AUTO_MAX_POINTS && from >= now - kept[r] * DAY_MS) return r;
    }
    return '1d';
  }

  async series(
    ref: ScopeRef,
    range: { from?: number; to?: number; resolution?: (typeof RESOLUTIONS)[number] },
    now = this.clock.now(),
  ): Promise<PnlSeries> {
    const to = range.to ?? now;
    const from = range.from ?? to - DAY_MS;
    if (from > to) throw new BadRequestException('from must not be after to');
    const resolution = !range.resolution || range.resolution === 'auto' ? this.pickResolution(from, to, now) : range.resolution;
    if (resolution !== '1d' && (to - from) / STEP_MS[resolution] > MAX_POINTS) {
      throw new BadRequestException(`${resolution} over this range is more than ${MAX_POINTS} points: use a coarser resolution or auto`);
    }
    const points = await this.points(ref, resolution, from, to);
    return { scope: ref.scope, id: ref.scope === 'all' ? null : ref.scopeId, resolution, from, to, points };
  }

  /**
   * Stored points of the resolution, then what the rollups have not reached yet: the finer tiers'
   * newest rows folded into the buckets they fall in (the current partial bar, or more while the
   * rollups lag), so a chart loaded right after a trade shows it.
   */
  private async points(ref: ScopeRef, resolution: SeriesResolution, from: number, to: number): Promise<SeriesPoint[]> {
    const first = this.firstBucket(resolution, from);
    // What the recorder has not written yet, taken before the database is read: a point written
    // meanwhile is then in one or both (the buckets below keep one), never in neither.
    const unwritten = this.recorder.unwritten(ref.scope, ref.scopeId);
    const [stored, tail] = await Promise.all([
      this.storedRows(ref, resolution, first, to),
      resolution === '1s' ? { rows: [] as ValueRow[], before: null as ValueRow | null } : this.unrolledRows(ref, resolution, first, to),
    ]);
    // And what the recorder has not even written yet (in the process that records).
    for (const p of unwritten) {
      if (p.totalCents === null || p.time > to) continue;
      const row = { bucket: p.time, time: p.time, pnl: p.totalCents, peak: p.peakCents };
      if (p.time >= first) tail.rows.push(row);
      else if (!tail.before || tail.before.time < p.time) tail.before = row;
    }
    const buckets = new Map<number, ValueRow>();
    for (const row of stored.rows) buckets.set(row.bucket, row);
    for (const row of tail.rows) {
      const bucket = this.bucketOf(resolution, row.time);
      const held = buckets.get(bucket);
      if (!held || held.time <= row.time) buckets.set(bucket, { ...row, bucket });
    }
    const before = [stored.before, tail.before].reduce<ValueRow | null>((a, b) => (!b || (a && a.time >= b.time) ? a : b), null);
    const point = (r: ValueRow, t = r.bucket): SeriesPoint => {
      const pnl = r.pnl ?? 0;
      return { t, pnl: toDollars(pnl), drawdown: toDollars(pnl - r.peak) };
    };
    const points = [...buckets.values()].sort((a, b) => a.bucket - b.bucket).map((r) => point(r));
    // The line starts at the left edge with the value carried from before the range.
    if (before && (points.length === 0 || points[0].t > from)) points.unshift(point(before, from));
    return points;
  }

  /** The first bucket a range touches. */
  private firstBucket(resolution: SeriesResolution, from: number): number {
    if (resolution === '1s') return from;
    if (resolution === '1d') return this.calendar.startOf(this.calendar.dateOf(from));
    return from - (from % STEP_MS[resolution]);
  }

  private bucketOf(resolution: SeriesResolution, time: number): number {
    return resolution === '1d' ? this.calendar.startOf(this.calendar.dateOf(time)) : time - (time % STEP_MS[resolution]);
  }

  /** The resolution's own rows in [first, to], and the last one before. */
  private async storedRows(ref: ScopeRef, resolution: SeriesResolution, first: number, to: number) {
    const table =
      resolution === '1s'
        ? { name: 'pnl_points', t: 'time', last: 'time', pnl: 'totalCents', extra: `"totalCents" IS NOT NULL`, params: [] as unknown[] }
        : { name: 'pnl_bars', t: 'bucket', last: 'lastTime', pnl: 'totalCloseCents', extra: `"resolution" = ?`, params: [resolution] };
    const select = `SELECT "${table.t}" AS "bucket", "${table.last}" AS "time", "${table.pnl}" AS "pnl", "peakCents" AS "peak" FROM "${table.name}" WHERE "scope" = ? AND "scopeId" = ? AND ${table.extra}`;
    const key = [ref.scope, ref.scopeId, ...table.params];
    const [rows, before] = await Promise.all([
      this.sql.query(`${select} AND "${table.t}" >= ? AND "${table.t}" <= ? ORDER BY "${table.t}"`, [...key, first, to]),
      this.sql.query(`${select} AND "${table.t}" < ? ORDER BY "${table.t}" DESC LIMIT 1`, [...key, first]),
    ]);
    return { rows: rows.map(valueRow), before: before.length ? valueRow(before[0]) : null };
  }

  /**
   * Rows the resolution's rollup has not read yet: per-second points past the minute rollup's
   * mark, and for hours and days also the minute bars from their mark on (the newest minute is
   * read again by every rollup, so its bar may have grown since). Each as (time, total, peak).
   */
  private async unrolledRows(ref: ScopeRef, resolution: BarResolution, first: number, to: number) {
    const marks = new Map(
      (await this.sql.query<{ r: string; v: unknown }>(`SELECT "resolution" AS "r", "sourceFrom" AS "v" FROM "pnl_rollup_marks"`)).map(
        (m) => [m.r, num(m.v)],
      ),
    );
    const sources = [
      {
        table: 'pnl_points',
        t: 'time',
        last: 'time',
        pnl: 'totalCents',
        extra: `"totalCents" IS NOT NULL`,
        params: [],
        mark: marks.get('1m') ?? 0,
      },
    ];
    if (resolution !== '1m') {
      sources.push({
        table: 'pnl_bars',
        t: 'bucket',
        last: 'lastTime',
        pnl: 'totalCloseCents',
        extra: `"resolution" = '1m'`,
        params: [],
        mark: marks.get(resolution) ?? 0,
      });
    }
    const rows: ValueRow[] = [];
    let before: ValueRow | null = null;
    for (const s of sources) {
      const select = `SELECT "${s.t}" AS "bucket", "${s.last}" AS "time", "${s.pnl}" AS "pnl", "peakCents" AS "peak" FROM "${s.table}" WHERE "scope" = ? AND "scopeId" = ? AND ${s.extra} AND "${s.t}" >= ?`;
      const key = [ref.scope, ref.scopeId, s.mark];
      const [inRange, earlier] = await Promise.all([
        this.sql.query(`${select} AND "${s.t}" >= ? AND "${s.t}" <= ? ORDER BY "${s.t}"`, [...key, first, to]),
        this.sql.query(`${select} AND "${s.t}" < ? ORDER BY "${s.t}" DESC LIMIT 1`, [...key, first]),
      ]);
      rows.push(...inRange.map(valueRow));
      const carried = earlier.length ? valueRow(earlier[0]) : null;
      if (carried && (!before || carried.time > before.time)) before = carried;
    }
    return { rows, before };
  }
}

/** A value of total P&L (cents) as of `time`, in the bucket it was read from. */
interface ValueRow {
  bucket: number;
  time: number;
  pnl: number | null;
  peak: number;
}

const valueRow = (r: Record<string, unknown>): ValueRow => ({
  bucket: num(r.bucket),
  time: num(r.time),
  pnl: maybeNum(r.pnl),
  peak: num(r.peak),
});
