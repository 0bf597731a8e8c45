import type { StopLossType } from '@tradeloop/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/**
 * waiting: the entry has not filled yet · open: take-profit / stop-loss legs are working ·
 * closed: every leg is done · cancelled: the entry or the legs were cancelled.
 */
export type BracketStatus = 'waiting' | 'open' | 'closed' | 'cancelled';

/**
 * A take profit and a stop loss the server places for an entry order once it fills, as a
 * one-cancels-the-other pair per fill of the entry. Legs are orders whose clientOrderId is the
 * entry's plus `:tp<n>` / `:sl<n>`.
 */
@Entity('order_brackets')
@Index('ix_order_brackets_status', ['status'])
export class OrderBracket {
  /** The entry order's clientOrderId: known before the order is sent, so the bracket is on record before any fill. */
  @PrimaryColumn({ type: 'varchar', length: 100 }) parentClientOrderId!: string;
  @IdColumn({ nullable: true }) strategyId!: string | null;
  @PriceColumn({ nullable: true }) takeProfitPrice!: number | null;
  @Column({ type: 'double precision', nullable: true }) takeProfitTicks!: number | null;
  @PriceColumn({ nullable: true }) stopLossPrice!: number | null;
  @Column({ type: 'double precision', nullable: true }) stopLossTicks!: number | null;
  /** Absent: a stop. A stop-limit's limit is `stopLossLimitPrice`, or the stop price itself. */
  @Column({ type: 'varchar', length: 16, nullable: true }) stopLossType!: StopLossType | null;
  @PriceColumn({ nullable: true }) stopLossLimitPrice!: number | null;
  /** Move the stop to the entry once this many ticks in profit. */
  @Column({ type: 'double precision', nullable: true }) breakEvenTicks!: number | null;
  /** Trail the stop this many ticks behind the best price since the entry. */
  @Column({ type: 'double precision', nullable: true }) trailingTicks!: number | null;
  /** How much of the entry's filled quantity legs already cover. */
  @Column({ type: 'double precision', default: 0 }) coveredQuantity!: number;
  /** Leg pairs placed so far. */
  @Column({ type: 'integer', default: 0 }) legs!: number;
  @Column({ type: 'varchar', length: 12 }) status!: BracketStatus;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
