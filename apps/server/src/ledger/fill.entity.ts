import type { OrderSide } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { CentsColumn, IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

@Entity('fills')
@Index('uq_fills_broker_fill', ['accountId', 'brokerFillId'], { unique: true })
@Index('ix_fills_strategy', ['strategyId', 'time'])
export class Fill {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) brokerFillId!: string;
  @IdColumn() orderId!: string;
  @IdColumn({ nullable: true }) strategyId!: string | null;
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
