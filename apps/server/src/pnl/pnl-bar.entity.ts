import { Entity, Index, PrimaryColumn } from 'typeorm';
import { CentsColumn, TimeColumn } from '../database/columns.js';
import { TimeKeyColumn } from './pnl-columns.js';
import type { PnlScopeKind, BarResolution } from './pnl.types.js';

/** Open/high/low/close of total P&L over one bucket (1m, 1h: UTC-aligned; 1d: a trading day). */
@Entity({ name: 'pnl_bars', withoutRowid: true })
@Index('ix_pnl_bars_bucket', ['resolution', 'bucket'])
export class PnlBar {
  @PrimaryColumn({ type: 'varchar', length: 2 }) resolution!: BarResolution;
  @PrimaryColumn({ type: 'varchar', length: 8 }) scope!: PnlScopeKind;
  @PrimaryColumn({ type: 'varchar', length: 36 }) scopeId!: string;
  /** The bucket's first instant. */
  @TimeKeyColumn() bucket!: number;
  /** Times of the first and last snapshot inside: merges keep the earliest open and the latest close. */
  @TimeColumn() firstTime!: number;
  @TimeColumn() lastTime!: number;
  @CentsColumn() totalOpenCents!: number;
  @CentsColumn() totalHighCents!: number;
  @CentsColumn() totalLowCents!: number;
  @CentsColumn() totalCloseCents!: number;
  /** Realized P&L and peak at the close. */
  @CentsColumn() realizedCents!: number;
  @CentsColumn() peakCents!: number;
}
