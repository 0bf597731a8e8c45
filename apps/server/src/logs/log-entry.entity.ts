import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

@Entity('log_entries')
// No index but the id: a strategy's lines are found through log_strategy_lines (see there), and no
// query asks by time, while every line would pay for one more B-tree.
export class LogEntry {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @TimeColumn() time!: number;
  @Column({ type: 'varchar', length: 8 }) level!: LogLevel;
  /** webhook, order, fill, plugin, system, ... */
  @Column({ type: 'varchar', length: 32 }) category!: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) strategyId!: string | null;
  @Column({ type: 'text' }) message!: string;
  /** Extra detail as JSON. */
  @Column({ type: 'text', nullable: true }) context!: string | null;
}
