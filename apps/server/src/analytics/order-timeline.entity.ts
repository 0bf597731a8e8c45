import type { OrderSide } from '@tradeloop/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/** One order's stamps from the alert to `/ws` (epoch ms, null where a stage did not happen here). */
@Entity('order_timelines')
@Index('ix_order_timelines_strategy', ['strategyId', 'createdAt'])
@Index('ix_order_timelines_account', ['accountId', 'createdAt'])
@Index('ix_order_timelines_created', ['createdAt'])
export class OrderTimeline {
  @PrimaryColumn({ type: 'varchar', length: 36 }) orderId!: string;
  @IdColumn({ nullable: true }) eventId!: string | null;
  @IdColumn({ nullable: true }) strategyId!: string | null;
  @IdColumn({ nullable: true }) accountId!: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ticker!: string | null;
  @Column({ type: 'varchar', length: 4, nullable: true }) side!: OrderSide | null;
  @TimeColumn({ nullable: true }) signalAt!: number | null;
  @TimeColumn({ nullable: true }) receivedAt!: number | null;
  @TimeColumn({ nullable: true }) acceptedAt!: number | null;
  @TimeColumn({ nullable: true }) handledAt!: number | null;
  @TimeColumn({ nullable: true }) sentAt!: number | null;
  @TimeColumn({ nullable: true }) acknowledgedAt!: number | null;
  @TimeColumn({ nullable: true }) filledAt!: number | null;
  @TimeColumn({ nullable: true }) pushedAt!: number | null;
  @PriceColumn({ nullable: true }) referencePrice!: number | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) referenceSource!: 'signal' | 'quote' | null;
  @TimeColumn() createdAt!: number;
}
