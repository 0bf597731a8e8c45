import { Entity, PrimaryColumn, Column } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

@Entity('strategies')
export class Strategy {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) name!: string;
  /** Secret part of the webhook URL; 128+ bits of randomness. */
  @Column({ type: 'varchar', length: 64, unique: true }) webhookToken!: string;
  /** SHA-256 of the token: intake looks strategies up by it, so timing reveals nothing of the token. */
  @Column({ type: 'varchar', length: 64, unique: true }) webhookTokenHash!: string;
  /** Addresses or CIDR ranges allowed to call the webhook (`tradingview` for its published ones); empty: any. */
  @Column({ type: 'simple-json', nullable: true }) allowedIps!: string[] | null;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @IdColumn() accountId!: string;
  /** Contracts per alert when the alert carries no quantity. */
  @Column({ type: 'double precision', default: 1 }) defaultQuantity!: number;
  /** Ticker used when an alert names none; canonical (`NQ1!`). */
  @Column({ type: 'varchar', length: 64, nullable: true }) defaultTicker!: string | null;
  @Column({ type: 'varchar', length: 500, default: '' }) description!: string;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
