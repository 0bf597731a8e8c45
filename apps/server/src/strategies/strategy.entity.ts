import type { RiskLimits, ScriptParams, StrategyExits, StrategyStatus } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

@Entity('strategies')
export class Strategy {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) name!: string;
  /** SHA-256 of the webhook token (the secret part of the URL): intake looks strategies up by it. */
  @Column({ type: 'varchar', length: 64, unique: true }) webhookTokenHash!: string;
  /** The token itself, sealed (AES-256-GCM) under the secret key: shown only to callers who may trade. */
  @Column({ type: 'varchar', length: 255 }) webhookTokenSealed!: string;
  /** Addresses or CIDR ranges allowed to call the webhook (`tradingview` for its published ones); empty: any. */
  @Column({ type: 'simple-json', nullable: true }) allowedIps!: string[] | null;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @IdColumn() accountId!: string;
  /** Contracts per alert when the alert carries no quantity. */
  @Column({ type: 'double precision', default: 1 }) defaultQuantity!: number;
  /** Ticker used when an alert names none; canonical (`NQ1!`). */
  @Column({ type: 'varchar', length: 64, nullable: true }) defaultTicker!: string | null;
  @Column({ type: 'varchar', length: 500, default: '' }) description!: string;
  /** The script in `strategies.dir` that decides what this strategy does; null: alerts pass straight through. */
  @Column({ type: 'varchar', length: 120, nullable: true }) script!: string | null;
  /** The user's values for the script's params, over the defaults the script declares. */
  @Column({ type: 'simple-json', nullable: true }) params!: ScriptParams | null;
  /** `ctx.state` as the script last saved it: JSON text, compared as text to skip writes that change nothing. */
  @Column({ type: 'text', nullable: true }) state!: string | null;
  /** `enabled` follows it: errored and disabled strategies take no alerts. */
  @Column({ type: 'varchar', length: 12, default: 'enabled' }) status!: StrategyStatus;
  /** Why the strategy is errored (or was disabled by the server). */
  @Column({ type: 'varchar', length: 500, nullable: true }) statusReason!: string | null;
  /** Default take profit / stop loss (and break-even, trailing) for entries its alerts open. */
  @Column({ type: 'simple-json', nullable: true }) exits!: StrategyExits | null;
  @Column({ type: 'simple-json', nullable: true }) risk!: RiskLimits | null;
  /** A daily limit was hit: no new exposure until this instant (the next trading day). */
  @TimeColumn({ nullable: true }) haltedUntil!: number | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
