import { Inject, Injectable } from '@nestjs/common';
import { addDays, DAY_MS, TradingCalendar } from '@tradeloop/domain';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Clock } from './clock.js';
import { PnlRecorder } from './pnl-recorder.service.js';
import { maybeNum, PnlSql } from './pnl-sql.js';
import type { BarResolution } from './pnl.types.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/**
 * Source rows per transaction, about: SQLite works synchronously, so a rollup of a thousand busy
 * strategies is cut into slices of a few milliseconds each, with the event loop free in between.
 */
const ROWS_PER_CHUNK = 5000;
const SETTLE_MS = 2000;

const BAR_COLUMNS = `"resolution", "scope", "scopeId", "bucket", "firstTime", "lastTime", "totalOpenCents", "totalHighCents", "totalLowCents", "totalCloseCents", "realizedCents", "peakCents"`;
const earlier = (column: string) =>
  `"${column}" = CASE WHEN excluded."firstTime" < "pnl_bars"."firstTime" THEN excluded."${column}" ELSE "pnl_bars"."${column}" END`;
const later = (column: string) =>
  `"${column}" = CASE WHEN excluded."lastTime" >= "pnl_bars"."lastTime" THEN excluded."${column}" ELSE "pnl_bars"."${column}" END`;
/**
 * Merging a partial bar into a stored one keeps the earliest open, the latest close, the highest
 * high and the lowest low: the result does not depend on order or on reading a source row twice,
 * so a rollup interrupted anywhere simply runs again.
 */
const MERGE =
  `ON CONFLICT ("resolution", "scope", "scopeId", "bucket") DO UPDATE SET ` +
  [
    earlier('totalOpenCents'),
    earlier('firstTime'),
    later('totalCloseCents'),
    later('realizedCents'),
    later('peakCents'),
    later('lastTime'),
    `"totalHighCents" = CASE WHEN excluded."totalHighCents" > "pnl_bars"."totalHighCents" THEN excluded."totalHighCents" ELSE "pnl_bars"."totalHighCents" END`,
    `"totalLowCents" = CASE WHEN excluded."totalLowCents" < "pnl_bars"."totalLowCents" THEN excluded."totalLowCents" ELSE "pnl_bars"."totalLowCents" END`,
  ].join(', ');

export interface RollupResult {
  /** Source chunks merged per tier, and rows pruned past retention. */
  merged: Record<BarResolution, number>;
  pruned: { points: number; minutes: number; hours: number };
}

/**
 * Per-second points → 1m bars → 1h and 1d bars, then retention. Each tier remembers how far it
 * read its source (`pnl_rollup_marks`, written in the same transaction as the bars), so a run
 * after downtime or a crash continues where the last one stopped.
 */
@Injectable()
export class PnlRollups {
  private busy = false;
  private stopping = false;
  /** Time spans per transaction for this run, sized to the number of recorded scopes. */
  private chunk = { points: 5 * MINUTE_MS, bars: 2 * HOUR_MS, hourBars: 30 * DAY_MS };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sql: PnlSql,
    private readonly database: DatabaseService,
    private readonly calendar: TradingCalendar,
    private readonly clock: Clock,
    private readonly recorder: PnlRecorder,
  ) {}

  /** Ends a run between two chunks (shutdown); the next start carries on from the marks. */
  stop(): void {
    this.stopping = true;
  }

  /** Rolls up everything recorded up to two seconds before `now`, then prunes. Null if a run is under way. */
  async rollUp(now = this.clock.now()): Promise<RollupResult | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      await this.recorder.flush();
      // A pass that began just before `now` may still be committing its second: leave it for the next run.
      const cut = Math.floor(now / 1000) * 1000 - SETTLE_MS;
      // Each recorded scope adds at most one point a second and one bar a minute.
      const scopes = Math.max(1, (await this.scalar(`SELECT COUNT(*) AS "v" FROM "pnl_latest"`)) ?? 1);
      const span = (unitMs: number, maxMs: number) => Math.min(maxMs, Math.max(unitMs, Math.floor(ROWS_PER_CHUNK / scopes) * unitMs));
      this.chunk = { points: span(1000, 5 * MINUTE_MS), bars: span(MINUTE_MS, 2 * HOUR_MS), hourBars: span(HOUR_MS, 30 * DAY_MS) };
      const merged = { '1m': await this.minutes(cut), '1h': await this.hours(), '1d': await this.days() };
      return { merged, pruned: await this.prune(cut) };
    } finally {
      this.busy = false;
    }
  }

  private async minutes(cut: number): Promise<number> {
    let from = (await this.mark('1m')) ?? 0;
    let chunks = 0;
    for (;;) {
      // Jump over stretches with nothing recorded (downtime, idle nights).
      const next = await this.scalar(`SELECT MIN("time") AS "v" FROM "pnl_points" WHERE "time" >= ? AND "time" < ?`, [from, cut]);
      if (next === null) break;
      from = Math.max(from, next - (next % MINUTE_MS));
      const to = Math.min(cut, from + this.chunk.points);
      await this.database.transaction(async (m) => {
        await this.sql.query(
          `INSERT INTO "pnl_bars" (${BAR_COLUMNS}) ` +
            `SELECT '1m', g."scope", g."scopeId", g."bucket", g."t0", g."t1", f."totalCents", g."hi", g."lo", l."totalCents", l."realizedCents", l."peakCents" ` +
            `FROM (SELECT "scope", "scopeId", ("time" / ${MINUTE_MS}) * ${MINUTE_MS} AS "bucket", MIN("time") AS "t0", MAX("time") AS "t1", ` +
            `MAX("totalCents") AS "hi", MIN("totalCents") AS "lo" FROM "pnl_points" ` +
            `WHERE "time" >= ? AND "time" < ? AND "totalCents" IS NOT NULL GROUP BY 1, 2, 3) AS g ` +
            `JOIN "pnl_points" AS f ON f."scope" = g."scope" AND f."scopeId" = g."scopeId" AND f."time" = g."t0" ` +
            `JOIN "pnl_points" AS l ON l."scope" = g."scope" AND l."scopeId" = g."scopeId" AND l."time" = g."t1" ` +
            `WHERE true ${MERGE}`,
          [from, to],
          m,
        );
        await this.setMark(m, '1m', to);
      });
      chunks++;
      from = to;
      await yieldToEventLoop();
      if (this.stopping) break;
    }
    // Nothing left before the cut (unless stopped half way): the mark moves up to it.
    if (!this.stopping && from < cut) await this.database.transaction((m) => this.setMark(m, '1m', cut));
    return chunks;
  }

  /** 1h bars from 1m bars, UTC hours. */
  private hours(): Promise<number> {
    return this.fromMinuteBars('1h', (from) => ({
      bucket: `("bucket" / ${HOUR_MS}) * ${HOUR_MS}`,
      end: from + this.chunk.bars,
    }));
  }

  /** 1d bars from 1m bars, one trading day each (day boundaries fall on whole minutes). */
  private days(): Promise<number> {
    return this.fromMinuteBars('1d', (from) => {
      const date = this.calendar.dateOf(from);
      return {
        bucket: String(this.calendar.startOf(date)),
        end: Math.min(this.calendar.startOf(addDays(date, 1)), from + this.chunk.bars),
      };
    });
  }

  /**
   * Merges 1m bars from the tier's mark up to the newest one into `target`. The newest minute may
   * still grow, so the mark stays on it and the next run reads it again.
   */
  private async fromMinuteBars(target: '1h' | '1d', span: (from: number) => { bucket: string; end: number }): Promise<number> {
    const newest = await this.scalar(`SELECT MAX("bucket") AS "v" FROM "pnl_bars" WHERE "resolution" = '1m'`);
    if (newest === null) return 0;
    let from = (await this.mark(target)) ?? 0;
    let chunks = 0;
    while (from <= newest) {
      const next = await this.scalar(`SELECT MIN("bucket") AS "v" FROM "pnl_bars" WHERE "resolution" = '1m' AND "bucket" >= ?`, [from]);
      if (next === null) break;
      from = next;
      const { bucket, end } = span(from);
      const to = Math.min(end, newest + 1);
      await this.database.transaction(async (m) => {
        await this.sql.query(
          `INSERT INTO "pnl_bars" (${BAR_COLUMNS}) ` +
            `SELECT '${target}', g."scope", g."scopeId", g."bucket", f."firstTime", l."lastTime", f."totalOpenCents", g."hi", g."lo", ` +
            `l."totalCloseCents", l."realizedCents", l."peakCents" ` +
            `FROM (SELECT "scope", "scopeId", ${bucket} AS "bucket", MIN("bucket") AS "b0", MAX("bucket") AS "b1", ` +
            `MAX("totalHighCents") AS "hi", MIN("totalLowCents") AS "lo" FROM "pnl_bars" ` +
            `WHERE "resolution" = '1m' AND "bucket" >= ? AND "bucket" < ? GROUP BY 1, 2, 3) AS g ` +
            `JOIN "pnl_bars" AS f ON f."resolution" = '1m' AND f."scope" = g."scope" AND f."scopeId" = g."scopeId" AND f."bucket" = g."b0" ` +
            `JOIN "pnl_bars" AS l ON l."resolution" = '1m' AND l."scope" = g."scope" AND l."scopeId" = g."scopeId" AND l."bucket" = g."b1" ` +
            `WHERE true ${MERGE}`,
          [from, to],
          m,
        );
        await this.setMark(m, target, Math.min(to, newest));
      });
      chunks++;
      if (to > newest) break;
      from = to;
      await yieldToEventLoop();
      if (this.stopping) break;
    }
    return chunks;
  }

  /** Drops what retention no longer keeps, never anything a coarser tier has not read yet. */
  private async prune(cut: number): Promise<RollupResult['pruned']> {
    const { secondsDays, minutesDays, hoursDays } = this.config.pnl.retention;
    const read = async (tier: BarResolution) => (await this.mark(tier)) ?? 0;
    const points = await this.deleteBefore(
      `"pnl_points"`,
      `"time"`,
      Math.min(cut - secondsDays * DAY_MS, await read('1m')),
      this.chunk.points,
    );
    const minutes = await this.deleteBefore(
      `"pnl_bars"`,
      `"bucket"`,
      Math.min(cut - minutesDays * DAY_MS, await read('1h'), await read('1d')),
      this.chunk.bars,
      `"resolution" = '1m'`,
    );
    const hours = await this.deleteBefore(`"pnl_bars"`, `"bucket"`, cut - hoursDays * DAY_MS, this.chunk.hourBars, `"resolution" = '1h'`);
    return { points, minutes, hours };
  }

  /** Deletes rows with `column` < `bound`, oldest first, one `slice` of time per transaction. */
  private async deleteBefore(table: string, column: string, bound: number, slice: number, filter = 'true'): Promise<number> {
    let deleted = 0;
    for (;;) {
      const oldest = await this.scalar(`SELECT MIN(${column}) AS "v" FROM ${table} WHERE ${filter} AND ${column} < ?`, [bound]);
      if (oldest === null) return deleted;
      const upTo = Math.min(bound, oldest + slice);
      deleted += await this.database.transaction((m) =>
        this.sql.execute(m, `DELETE FROM ${table} WHERE ${filter} AND ${column} < ?`, [upTo]),
      );
      await yieldToEventLoop();
      if (this.stopping) return deleted;
    }
  }

  private async mark(tier: BarResolution): Promise<number | null> {
    return this.scalar(`SELECT "sourceFrom" AS "v" FROM "pnl_rollup_marks" WHERE "resolution" = ?`, [tier]);
  }

  private async setMark(m: EntityManager, tier: BarResolution, sourceFrom: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO "pnl_rollup_marks" ("resolution", "sourceFrom") VALUES (?, ?) ON CONFLICT ("resolution") DO UPDATE SET "sourceFrom" = excluded."sourceFrom"`,
      [tier, sourceFrom],
      m,
    );
  }

  private async scalar(sql: string, params: unknown[] = []): Promise<number | null> {
    const [row] = await this.sql.query<{ v: unknown }>(sql, params);
    return maybeNum(row?.v);
  }
}
