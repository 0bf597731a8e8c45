import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

/**
 * The outbox: one row per notification per channel, written before anything is sent, so a
 * restart loses nothing (the channel's worker resumes at its oldest pending row). `dedupeKey`
 * names what caused it (a fill's id), so the same event reported twice is queued once.
 */
@Entity('notification_deliveries')
@Index('ix_notification_deliveries_head', ['channelId', 'status', 'createdAt'])
@Index('ux_notification_deliveries_dedupe', ['channelId', 'dedupeKey'], { unique: true })
export class NotificationDelivery {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36 }) channelId!: string;
  @Column({ type: 'varchar', length: 200 }) dedupeKey!: string;
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  /** The formatted message and its event (`SendInput`), as JSON. */
  @Column({ type: 'text' }) input!: string;
  @Column({ type: 'varchar', length: 16 }) status!: 'pending' | 'sent' | 'given-up';
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() nextAttemptAt!: number;
  @TimeColumn({ nullable: true }) finishedAt!: number | null;
}
