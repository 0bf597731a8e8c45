import type { OrderSide, OrderStatus, OrderType } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

@Entity('orders')
@Index('ix_orders_strategy', ['strategyId', 'createdAt'])
@Index('ix_orders_status', ['status'])
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  /** Derived from the webhook event, so a redelivered event never orders twice. */
  @Column({ type: 'varchar', length: 100, unique: true }) clientOrderId!: string;
  @IdColumn({ nullable: true }) strategyId!: string | null;
  /** The strategy's copy to another account this order belongs to; its position and trades are keyed under it. */
  @IdColumn({ nullable: true }) linkId!: string | null;
  @IdColumn() accountId!: string;
  @IdColumn({ nullable: true }) eventId!: string | null;
  @Column({ type: 'varchar', length: 64 }) ticker!: string;
  @Column({ type: 'varchar', length: 4 }) side!: OrderSide;
  @Column({ type: 'double precision' }) quantity!: number;
  @Column({ type: 'varchar', length: 8 }) type!: OrderType;
  @PriceColumn({ nullable: true }) limitPrice!: number | null;
  @PriceColumn({ nullable: true }) stopPrice!: number | null;
  @Column({ type: 'varchar', length: 12 }) status!: OrderStatus;
  @Column({ type: 'double precision', default: 0 }) filledQuantity!: number;
  @PriceColumn({ nullable: true }) avgFillPrice!: number | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) brokerOrderId!: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) reason!: string | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
