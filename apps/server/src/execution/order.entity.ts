import type { OrderSide, OrderStatus, ServerOrderType, TimeInForce } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/** An order a broker may still fill: written as the open-orders index's condition and as each query's that uses it. */
export const OPEN_ORDER = `"status" IN ('pending', 'working')`;

@Entity('orders')
// A strategy's orders by time, through their place in its list (see StrategyListing): on SQLite
// an order is listed within a second of its commit; until then it is found by time.
@Index('ix_orders_listed', ['listedStrategyId', 'createdAt'], { where: '"listedStrategyId" IS NOT NULL' })
@Index('ix_orders_unlisted', ['createdAt'], { where: '"listedStrategyId" IS NULL' })
@Index('ix_orders_status', ['status'])
@Index('ix_orders_open', ['strategyId', 'ticker'], { where: OPEN_ORDER })
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  /** Derived from the webhook event, so a redelivered event never orders twice. */
  @Column({ type: 'varchar', length: 100, unique: true }) clientOrderId!: string;
  @IdColumn({ nullable: true }) strategyId!: string | null;
  /** Its place in its strategy's list, written by the store (StrategyListing); the engine never reads it. */
  @IdColumn({ nullable: true }) listedStrategyId?: string | null;
  /** The strategy's copy to another account this order belongs to; its position and trades are keyed under it. */
  @IdColumn({ nullable: true }) linkId!: string | null;
  @IdColumn() accountId!: string;
  @IdColumn({ nullable: true }) eventId!: string | null;
  @Column({ type: 'varchar', length: 64 }) ticker!: string;
  @Column({ type: 'varchar', length: 4 }) side!: OrderSide;
  @Column({ type: 'double precision' }) quantity!: number;
  @Column({ type: 'varchar', length: 16 }) type!: ServerOrderType;
  @PriceColumn({ nullable: true }) limitPrice!: number | null;
  /** A trailing stop's current stop follows the market here. */
  @PriceColumn({ nullable: true }) stopPrice!: number | null;
  @Column({ type: 'double precision', nullable: true }) trailAmount!: number | null;
  @Column({ type: 'double precision', nullable: true }) trailPercent!: number | null;
  /** Absent: good until cancelled. */
  @Column({ type: 'varchar', length: 4, nullable: true }) timeInForce!: TimeInForce | null;
  /** A day order's end: the end of the trading day it was placed in. */
  @TimeColumn({ nullable: true }) expiresAt!: number | null;
  @Column({ type: 'boolean', default: false }) extendedHours!: boolean;
  /** The price the alert carried: what slippage is measured from. */
  @PriceColumn({ nullable: true }) signalPrice!: number | null;
  /** A stop-limit or trailing stop the server held: when it triggered and went to the broker as a limit or market order. */
  @TimeColumn({ nullable: true }) triggeredAt!: number | null;
  @Column({ type: 'varchar', length: 12 }) status!: OrderStatus;
  @Column({ type: 'double precision', default: 0 }) filledQuantity!: number;
  @PriceColumn({ nullable: true }) avgFillPrice!: number | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) brokerOrderId!: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) reason!: string | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
