import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CentsColumn, TimeColumn } from '../database/columns.js';
import { MaybeCentsColumn } from './pnl-columns.js';
import type { PnlScopeKind } from './pnl.types.js';

/** The last recorded state of each scope: what the recorder resumes from and the listings read. */
@Entity({ name: 'pnl_latest', withoutRowid: true })
export class PnlLatest {
  @PrimaryColumn({ type: 'varchar', length: 8 }) scope!: PnlScopeKind;
  @PrimaryColumn({ type: 'varchar', length: 36 }) scopeId!: string;
  @TimeColumn() time!: number;
  @CentsColumn() realizedCents!: number;
  @MaybeCentsColumn() openCents!: number | null;
  @MaybeCentsColumn() totalCents!: number | null;
  @CentsColumn() peakCents!: number;
  /** Deepest drawdown ever recorded (zero or negative). */
  @CentsColumn() maxDrawdownCents!: number;
  @Column({ type: 'integer', default: 0 }) positions!: number;
  @MaybeCentsColumn() equityCents!: number | null;
  /** First instant of the trading day `time` falls in, and the open P&L held when that day began. */
  @TimeColumn() dayStart!: number;
  @MaybeCentsColumn() dayOpenCents!: number | null;
}
