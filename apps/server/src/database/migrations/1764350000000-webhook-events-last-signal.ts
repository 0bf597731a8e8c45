import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const INDEX = 'ix_webhook_events_strategy_received';

/** Each strategy's newest accepted alert (the Control Center's "last signal") read from an index, not a scan. */
export class WebhookEventsLastSignal1764350000000 implements MigrationInterface {
  name = 'WebhookEventsLastSignal1764350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('webhook_events', new TableIndex({ name: INDEX, columnNames: ['strategyId', 'receivedAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', INDEX);
  }
}
