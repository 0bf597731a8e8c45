import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const index = (name: string, columnNames: string[], options: { isUnique?: boolean; where?: string } = {}) =>
  new TableIndex({ name, columnNames, ...options });

/**
 * The two duplicate checks of `webhook_events` look up by the alert's id, or, for an alert without
 * one, by its body's hash; the intake sets one of the two, and the other is NULL. Both indexes
 * begin with the strategy, so each entry lands in that strategy's part of the B-tree: with many
 * strategies, every accepted alert dirtied a page of each for an entry no lookup could ever find
 * (a NULL key is no duplicate of anything). Partial indexes hold only the rows that have the key.
 * `ON CONFLICT DO NOTHING` still meets the unique one, and `= ?` on the key lets both databases use it.
 */
export class PartialEventKeyIndexes1766400000000 implements MigrationInterface {
  name = 'PartialEventKeyIndexes1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', 'uq_webhook_events_strategy_key');
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_body');
    await queryRunner.createIndex(
      'webhook_events',
      index('uq_webhook_events_strategy_key', ['strategyId', 'idempotencyKey'], { isUnique: true, where: '"idempotencyKey" IS NOT NULL' }),
    );
    await queryRunner.createIndex(
      'webhook_events',
      index('ix_webhook_events_body', ['strategyId', 'bodyHash', 'receivedAt'], { where: '"bodyHash" IS NOT NULL' }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', 'uq_webhook_events_strategy_key');
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_body');
    await queryRunner.createIndex(
      'webhook_events',
      index('uq_webhook_events_strategy_key', ['strategyId', 'idempotencyKey'], { isUnique: true }),
    );
    await queryRunner.createIndex('webhook_events', index('ix_webhook_events_body', ['strategyId', 'bodyHash', 'receivedAt']));
  }
}
