import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `webhook_events` had two indexes starting with `status`: (status) and (status, notBefore). Every
 * lookup by status can use the second, and every accepted alert changes its status twice: the
 * first was one more B-tree to update three times per alert for nothing.
 */
export class OneStatusIndexOnEvents1766300000000 implements MigrationInterface {
  name = 'OneStatusIndexOnEvents1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_status');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('webhook_events', new TableIndex({ name: 'ix_webhook_events_status', columnNames: ['status'] }));
  }
}
