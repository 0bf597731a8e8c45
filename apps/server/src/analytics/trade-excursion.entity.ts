import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CentsColumn, PriceColumn, TimeColumn } from '../database/columns.js';

/** A closed trade's excursions while it was open, its stop and R-multiple (see libs/domain trade-analytics). */
@Entity('trade_excursions')
export class TradeExcursionRow {
  @PrimaryColumn({ type: 'varchar', length: 36 }) tradeId!: string;
  @Column({ type: 'double precision' }) mfeTicks!: number;
  @CentsColumn() mfeCents!: number;
  @PriceColumn() mfePrice!: number;
  @TimeColumn() mfeTime!: number;
  @Column({ type: 'double precision' }) maeTicks!: number;
  @CentsColumn() maeCents!: number;
  @PriceColumn() maePrice!: number;
  @TimeColumn() maeTime!: number;
  @TimeColumn() holdingMs!: number;
  @PriceColumn({ nullable: true }) stopPrice!: number | null;
  /** Cents (a bigint column without a default, like the times). */
  @TimeColumn({ nullable: true }) riskCents!: number | null;
  @Column({ type: 'double precision', nullable: true }) rMultiple!: number | null;
  /** From when this server saw the ticker's quotes; after the entry means the figures cover part of the trade. */
  @TimeColumn({ nullable: true }) observedFrom!: number | null;
  @TimeColumn() createdAt!: number;
}
