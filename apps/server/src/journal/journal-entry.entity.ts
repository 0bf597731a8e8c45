import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

/** Tags and a note on a trade (`trade:<id>`) or a trading day (`day:YYYY-MM-DD`). */
@Entity('journal_entries')
@Index('ix_journal_entries_day', ['day'])
export class JournalEntry {
  @PrimaryColumn({ type: 'varchar', length: 48 }) entryKey!: string;
  @IdColumn({ nullable: true }) tradeId!: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) day!: string | null;
  @Column({ type: 'text' }) note!: string;
  /** JSON array of the tags, in the order given (journal_tags indexes them). */
  @Column({ type: 'text' }) tags!: string;
  @TimeColumn() updatedAt!: number;
}

/** One tag of one entry: what tag filters select trades and days by. */
@Entity('journal_tags')
@Index('ix_journal_tags_tag', ['tag', 'tradeId'])
export class JournalTag {
  @PrimaryColumn({ type: 'varchar', length: 48 }) entryKey!: string;
  @PrimaryColumn({ type: 'varchar', length: 32 }) tag!: string;
  @IdColumn({ nullable: true }) tradeId!: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) day!: string | null;
}
