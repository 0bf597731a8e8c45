import type { RiskLimits } from '@tradeloop/contracts';
import { Entity, PrimaryColumn, Column } from 'typeorm';
import { CentsColumn, TimeColumn } from '../database/columns.js';

/** Plain values only: plugins read them as configuration. */
export type AccountSettings = Record<string, string | number | boolean | null>;

@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) name!: string;
  /** Broker plugin that executes this account's orders. */
  @Column({ type: 'varchar', length: 100 }) broker!: string;
  /** The account as the broker knows it. */
  @Column({ type: 'varchar', length: 100 }) brokerAccountId!: string;
  @CentsColumn() startingBalanceCents!: number;
  /** Broker plugin settings that are not secret (environment, user name, app id). */
  @Column({ type: 'simple-json', nullable: true }) settings!: AccountSettings | null;
  /** Broker credentials, sealed with the server's secret key (AES-256-GCM); never returned by the API. */
  @Column({ type: 'text', nullable: true }) secrets!: string | null;
  @Column({ type: 'simple-json', nullable: true }) risk!: RiskLimits | null;
  /** A daily limit was hit: no new exposure on this account until this instant (the next trading day). */
  @TimeColumn({ nullable: true }) haltedUntil!: number | null;
  @TimeColumn() createdAt!: number;
}
