import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

/**
 * One account a strategy's signal is copied to: scaled by the multiplier, on another symbol if
 * overridden (alerts on `NQ1!`, trade `MNQ1!`), the other way round if inverse. A link's orders,
 * fills, positions and trades are its own: positions and trades are keyed under the link's id.
 */
@Entity('strategy_links')
@Index('uq_strategy_links_account', ['strategyId', 'accountId'], { unique: true })
export class StrategyLink {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @IdColumn() strategyId!: string;
  @IdColumn() accountId!: string;
  @Column({ type: 'double precision', default: 1 }) multiplier!: number;
  /** Canonical ticker to trade instead of the alert's. */
  @Column({ type: 'varchar', length: 64, nullable: true }) symbolOverride!: string | null;
  @Column({ type: 'boolean', default: false }) inverse!: boolean;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
