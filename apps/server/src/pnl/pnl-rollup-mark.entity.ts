import { Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';
import type { BarResolution } from './pnl.types.js';

/** How far each rollup tier has read its source: the next run starts there (re-reading it is harmless). */
@Entity('pnl_rollup_marks')
export class PnlRollupMark {
  @PrimaryColumn({ type: 'varchar', length: 2 }) resolution!: BarResolution;
  @TimeColumn() sourceFrom!: number;
}
