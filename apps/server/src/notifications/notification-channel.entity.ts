import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

/** A place notifications go. Its secrets are sealed with the broker credentials' key and never read back. */
@Entity('notification_channels')
export class NotificationChannel {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 16 }) type!: string;
  /** The channel's configuration without its secrets, as JSON. */
  @Column({ type: 'text' }) settings!: string;
  /** The secret fields, sealed (AES-256-GCM); null when the channel has none. */
  @Column({ type: 'text', nullable: true }) secrets!: string | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
