import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CentsColumn, TimeColumn } from '../database/columns.js';
import { MaybeCentsColumn, TimeKeyColumn } from './pnl-columns.js';
import type { PnlScopeKind } from './pnl.types.js';

/** One recorder snapshot of one scope, on a whole second; written only when something changed. */
@Entity({ name: 'pnl_points', withoutRowid: true })
@Index('ix_pnl_points_time', ['time'])
export class PnlPoint {
  @PrimaryColumn({ type: 'varchar', length: 8 }) scope!: PnlScopeKind;
  @PrimaryColumn({ type: 'varchar', length: 36 }) scopeId!: string;
  @TimeKeyColumn() time!: number;
  @CentsColumn() realizedCents!: number;
  @MaybeCentsColumn() openCents!: number | null;
  /** realized + open; null while open P&L is unknown. */
  @MaybeCentsColumn() totalCents!: number | null;
  /** Running maximum of total P&L since recording began, starting at 0: drawdown = total − peak. */
  @CentsColumn() peakCents!: number;
  @Column({ type: 'integer', default: 0 }) positions!: number;
  /** Accounts: starting balance + total P&L. Strategies have no capital of their own: their total P&L. */
  @MaybeCentsColumn() equityCents!: number | null;
}
