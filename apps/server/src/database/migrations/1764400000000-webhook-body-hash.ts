import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { str } from './migration-columns.js';

/** The hash of an alert's body, to spot a double delivery of an alert that carries no id. */
export class WebhookBodyHash1764400000000 implements MigrationInterface {
  name = 'WebhookBodyHash1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('webhook_events', new TableColumn(str('bodyHash', 64, true)));
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({ name: 'ix_webhook_events_body', columnNames: ['strategyId', 'bodyHash', 'receivedAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_body');
    await queryRunner.dropColumn('webhook_events', 'bodyHash');
  }
}
