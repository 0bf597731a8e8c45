import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import type { Lot } from '@tradeloop/domain';
import { CentsColumn, IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/**
 * One strategy's position in one ticker on one account. Manual trades (no strategy) use
 * strategyId '' so the unique key works the same on SQLite and PostgreSQL.
 */
@Entity('positions')
@Index('uq_positions_key', ['accountId', 'strategyId', 'ticker'], { unique: true })
/** Who holds a ticker on an account (each risk check where the database is shared). */
@Index('ix_positions_ticker', ['accountId', 'ticker'])
export class Position {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @IdColumn() accountId!: string;
  @Column({ type: 'varchar', length: 36 }) strategyId!: string;
  @Column({ type: 'varchar', length: 64 }) ticker!: string;
  /** Signed: positive long, negative short. */
  @Column({ type: 'double precision', default: 0 }) quantity!: number;
  @PriceColumn({ nullable: true }) avgPrice!: number | null;
  @CentsColumn() realizedCents!: number;
  /** Open lots, oldest first, for FIFO matching. */
  @Column({ type: 'simple-json' }) lots!: Lot[];
  @TimeColumn() updatedAt!: number;
}
