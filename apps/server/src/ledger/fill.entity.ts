import type { OrderSide } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { CentsColumn, IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

@Entity('fills')
@Index('uq_fills_broker_fill', ['accountId', 'brokerFillId'], { unique: true })
// A strategy's fills by time, through their place in its list (see StrategyListing): on SQLite a
// fill is listed within a second of its commit; until then it is found by time.
@Index('ix_fills_listed', ['listedStrategyId', 'time'], { where: '"listedStrategyId" IS NOT NULL' })
@Index('ix_fills_unlisted', ['time'], { where: '"listedStrategyId" IS NULL' })
export class Fill {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) brokerFillId!: string;
  @IdColumn() orderId!: string;
  @IdColumn({ nullable: true }) strategyId!: string | null;
  /** Its place in its strategy's list, written by the store (StrategyListing); the ledger never reads it. */
  @IdColumn({ nullable: true }) listedStrategyId?: string | null;
  @IdColumn() accountId!: string;
  @Column({ type: 'varchar', length: 64 }) ticker!: string;
  @Column({ type: 'varchar', length: 4 }) side!: OrderSide;
  @Column({ type: 'double precision' }) quantity!: number;
  @PriceColumn() price!: number;
  @CentsColumn() commissionCents!: number;
  /** Realized P&L this fill produced (net of commissions of the trades it closed). */
  @CentsColumn() realizedCents!: number;
  /** `quote:<feed>`, `alert`, `simulated` (paper), or `broker` (a real broker's fill). */
  @Column({ type: 'varchar', length: 80, default: 'unrecorded' }) priceSource!: string;
  @TimeColumn() time!: number;
}
