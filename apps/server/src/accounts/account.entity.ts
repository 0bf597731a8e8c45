import { Entity, PrimaryColumn, Column } from 'typeorm';
import { CentsColumn, TimeColumn } from '../database/columns.js';

@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) name!: string;
  /** Broker plugin that executes this account's orders. */
  @Column({ type: 'varchar', length: 100 }) broker!: string;
  /** The account as the broker knows it. */
  @Column({ type: 'varchar', length: 100 }) brokerAccountId!: string;
  @CentsColumn() startingBalanceCents!: number;
  @TimeColumn() createdAt!: number;
}
