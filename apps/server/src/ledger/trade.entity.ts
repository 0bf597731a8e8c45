import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { CentsColumn, IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/** A closed round trip, matched FIFO. */
@Entity('trades')
@Index('ix_trades_strategy_exit', ['strategyId', 'exitTime'])
@Index('ix_trades_account_exit', ['accountId', 'exitTime'])
export class Trade {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @IdColumn() accountId!: string;
  @Column({ type: 'varchar', length: 36 }) strategyId!: string;
  @Column({ type: 'varchar', length: 64 }) ticker!: string;
  @Column({ type: 'varchar', length: 5 }) direction!: 'long' | 'short';
  @Column({ type: 'double precision' }) quantity!: number;
  @PriceColumn() entryPrice!: number;
  @PriceColumn() exitPrice!: number;
  @TimeColumn() entryTime!: number;
  @TimeColumn() exitTime!: number;
  @CentsColumn() grossCents!: number;
  @CentsColumn() commissionCents!: number;
  @CentsColumn() pnlCents!: number;
  @IdColumn() exitFillId!: string;
  /** Where the entry's and the exit's prices came from (see Fill.priceSource). */
  @Column({ type: 'varchar', length: 80, default: 'unrecorded' }) entryPriceSource!: string;
  @Column({ type: 'varchar', length: 80, default: 'unrecorded' }) exitPriceSource!: string;
}
