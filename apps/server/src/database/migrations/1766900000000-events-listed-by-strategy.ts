import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A strategy's events are listed through `listedStrategyId` (see StrategyListing) instead of an
 * index on `strategyId`. On SQLite every accepted alert wrote a page of that index for its
 * strategy, inside the commit its 202 waits for; an event is now written unlisted, under an index
 * by time that grows at its end, and listed within a second, one page per strategy for all of them.
 * The events already stored are listed here. The column is added with `ALTER TABLE` on both
 * databases: TypeORM's own rebuilds a SQLite table to add one.
 */
export class EventsListedByStrategy1766900000000 implements MigrationInterface {
  name = 'EventsListedByStrategy1766900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "webhook_events" ADD COLUMN "listedStrategyId" varchar(36)');
    await queryRunner.query('UPDATE "webhook_events" SET "listedStrategyId" = "strategyId"');
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({
        name: 'ix_webhook_events_listed',
        columnNames: ['listedStrategyId', 'receivedAt'],
        where: '"listedStrategyId" IS NOT NULL',
      }),
    );
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({
        name: 'ix_webhook_events_unlisted',
        columnNames: ['receivedAt'],
        where: '"listedStrategyId" IS NULL',
      }),
    );
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_strategy_received');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({ name: 'ix_webhook_events_strategy_received', columnNames: ['strategyId', 'receivedAt'] }),
    );
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_unlisted');
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_listed');
    await queryRunner.dropColumn('webhook_events', 'listedStrategyId');
  }
}
