import { Entity, PrimaryColumn, Column, Index } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns.js';

/** `delayed`: accepted with a `delay`, held until `notBefore`. `dismissed`: a failed event the trader has let go of. */
export type WebhookEventStatus = 'delayed' | 'accepted' | 'processing' | 'done' | 'failed' | 'dismissed';

/** An accepted alert, durable before the 202 goes out; the engine works from this row. */
@Entity('webhook_events')
// Partial: the intake sets an alert's id or its body hash, never both, and an entry for a NULL key is never looked up.
@Index('uq_webhook_events_strategy_key', ['strategyId', 'idempotencyKey'], { unique: true, where: '"idempotencyKey" IS NOT NULL' })
@Index('ix_webhook_events_body', ['strategyId', 'bodyHash', 'receivedAt'], { where: '"bodyHash" IS NOT NULL' })
// A strategy's events by time, through their place in its list (see StrategyListing): on SQLite
// an event is listed within a second of its commit; until then it is found by time.
@Index('ix_webhook_events_listed', ['listedStrategyId', 'receivedAt'], { where: '"listedStrategyId" IS NOT NULL' })
@Index('ix_webhook_events_unlisted', ['receivedAt'], { where: '"listedStrategyId" IS NULL' })
// Also every lookup by status alone (the unfinished events at start, the stale ones).
@Index('ix_webhook_events_due', ['status', 'notBefore'])
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @IdColumn() strategyId!: string;
  /** Its place in its strategy's list, written by the intake (StrategyListing); the engine never reads it. */
  @IdColumn({ nullable: true }) listedStrategyId?: string | null;
  /** The alert's `id`; a second alert with the same key for the same strategy is a duplicate. */
  @Column({ type: 'varchar', length: 200, nullable: true }) idempotencyKey!: string | null;
  /** SHA-256 of the parsed alert: an alert without an id repeating it within the duplicate window is a double delivery. */
  @Column({ type: 'varchar', length: 64, nullable: true }) bodyHash!: string | null;
  @Column({ type: 'varchar', length: 16 }) status!: WebhookEventStatus;
  /** The parsed alert, as JSON. */
  @Column({ type: 'text' }) alert!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) sourceIp!: string | null;
  @TimeColumn() receivedAt!: number;
  @TimeColumn({ nullable: true }) processedAt!: number | null;
  /** A delayed alert trades at this time. */
  @TimeColumn({ nullable: true }) notBefore!: number | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
}
