import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns.js';

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) username!: string;
  /** `scrypt$N$r$p$salt$hash`; the password itself is never stored. */
  @Column({ type: 'varchar', length: 255 }) passwordHash!: string;
  /** The hash of the ADMIN_PASSWORD last applied to this user: a restart with the same value leaves a password changed since alone. */
  @Column({ type: 'varchar', length: 255, nullable: true }) configPasswordHash!: string | null;
  @TimeColumn() createdAt!: number;
  @TimeColumn() updatedAt!: number;
}
