import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { LeaderLock } from '../infra/leader/leader-lock.js';
import { LogsService } from '../logs/logs.service.js';
import { PnlRecorder } from './pnl-recorder.service.js';
import { PnlRollups } from './pnl-rollup.service.js';

export const PNL_LEADER_LOCK = Symbol('PNL_LEADER_LOCK');

/**
 * The schedule: a recorder pass every second and a rollup every minute, in the one process that
 * holds the recorder lock (always this one without Redis). The jobs only decide whether to run;
 * the work is in PnlRecorder and PnlRollups, which tests call with explicit times.
 */
@Injectable()
export class PnlJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly console = new Logger('PnlRecorder');
  private leading = false;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  /** Passes this process recorded (observability, and the single-recorder test). */
  passes = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PNL_LEADER_LOCK) private readonly lock: LeaderLock,
    private readonly recorder: PnlRecorder,
    private readonly rollups: PnlRollups,
    private readonly logs: LogsService,
  ) {}

  /** Catches the rollups up after downtime, in the background. */
  onApplicationBootstrap(): void {
    void this.rollUpEveryMinute();
  }

  /** Lets a running pass or rollup finish, writes what the recorder still holds, then lets another process lead. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.rollups.stop();
    await Promise.allSettled(this.running);
    try {
      await this.recorder.flush();
    } finally {
      await this.lock.release();
    }
  }

  @Interval('pnl-recorder', 1000)
  recordEverySecond(): Promise<void> {
    return this.track(this.recordPass());
  }

  @Interval('pnl-rollups', 60_000)
  rollUpEveryMinute(): Promise<void> {
    return this.track(this.rollUp());
  }

  private async track(job: Promise<void>): Promise<void> {
    this.running.add(job);
    try {
      await job;
    } finally {
      this.running.delete(job);
    }
  }

  private async recordPass(): Promise<void> {
    if (!(await this.lead())) return;
    try {
      if (await this.recorder.recordPass(Date.now())) this.passes++;
    } catch (error) {
      this.console.error(`recorder pass failed: ${(error as Error).message}`);
    }
  }

  private async rollUp(): Promise<void> {
    if (!(await this.lead())) return;
    try {
      await this.rollups.rollUp(Date.now());
    } catch (error) {
      this.console.error(`rollup failed: ${(error as Error).message}`);
    }
  }

  /** Holds (or takes) the recorder lock. A process that just took over reloads the last recorded state. */
  private async lead(): Promise<boolean> {
    if (!this.config.pnl.recorder || this.stopped) return false;
    const leading = await this.lock.hold();
    if (leading && !this.leading) {
      this.recorder.reset();
      // On record: with several processes, which one records is worth knowing.
      await this.logs
        .write({
          level: 'info',
          category: 'system',
          message: `P&L recorder: this process records now (${this.config.role}, pid ${process.pid})`,
        })
        .catch(() => undefined);
    }
    this.leading = leading;
    return leading;
  }
}
