import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

@Entity('log_entries')
// A strategy's lines in the order the log is paged (newest first, by id). No index on time: no
// query asks by it, and every line would pay for one more B-tree.
@Index('ix_log_entries_strategy', ['strategyId', 'id'])
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
