import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

/** Server-wide settings that must survive a restart: the kill switch, the watchlist once edited. */
@Entity('system_settings')
export class SystemSetting {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key!: string;
  /** JSON. */
  @Column({ type: 'text' }) value!: string;
  @TimeColumn() updatedAt!: number;
}
