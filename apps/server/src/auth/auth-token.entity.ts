import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

export type TokenKind = 'session' | 'api';
/** `admin`: everything. `trading`: read and trade, no access control or secrets. `read`: GET only. */
export type TokenScope = 'admin' | 'trading' | 'read';

/**
 * A login session or an API token. Only the SHA-256 of the token is stored: a leaked database
 * hands out no working credential, and lookups by hash leak nothing through timing.
 */
@Entity('auth_tokens')
@Index('ix_auth_tokens_user', ['userId'])
export class AuthToken {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 64, unique: true }) tokenHash!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: TokenKind;
  @Column({ type: 'varchar', length: 16 }) scope!: TokenScope;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  /** The first characters of the token, to tell tokens apart in a list. */
  @Column({ type: 'varchar', length: 16 }) prefix!: string;
  @IdColumn() userId!: string;
  @TimeColumn() createdAt!: number;
  @TimeColumn({ nullable: true }) expiresAt!: number | null;
  @TimeColumn({ nullable: true }) lastUsedAt!: number | null;
  @TimeColumn({ nullable: true }) revokedAt!: number | null;
}
