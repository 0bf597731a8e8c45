import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { SecretBox } from '../../infra/secrets/secret-box.js';
import { str } from './migration-columns.js';

/**
 * Webhook tokens leave the database in clear: each is kept sealed (AES-256-GCM, the broker
 * secrets' key) beside the SHA-256 that intake looks it up by. Existing strategies keep their
 * URLs. Built with the key, so the migration can seal (and, undone, open) what is there.
 */
export const sealedWebhookTokens = (secrets: () => SecretBox) =>
  class SealedWebhookTokens1765100000000 implements MigrationInterface {
    name = 'SealedWebhookTokens1765100000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.addColumn('strategies', new TableColumn(str('webhookTokenSealed', 255, true)));
      const rows: { id: string; webhookToken: string }[] = await queryRunner.query('SELECT "id", "webhookToken" FROM "strategies"');
      for (const row of rows) {
        await queryRunner.query(update(queryRunner, 'webhookTokenSealed'), [secrets().seal(row.webhookToken), row.id]);
      }
      await queryRunner.changeColumn('strategies', 'webhookTokenSealed', new TableColumn(str('webhookTokenSealed', 255)));
      await queryRunner.dropColumn('strategies', 'webhookToken');
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.addColumn('strategies', new TableColumn(str('webhookToken', 64, true)));
      const rows: { id: string; webhookTokenSealed: string }[] = await queryRunner.query(
        'SELECT "id", "webhookTokenSealed" FROM "strategies"',
      );
      for (const row of rows) {
        await queryRunner.query(update(queryRunner, 'webhookToken'), [secrets().open(row.webhookTokenSealed), row.id]);
      }
      await queryRunner.changeColumn('strategies', 'webhookToken', new TableColumn({ ...str('webhookToken', 64), isUnique: true }));
      await queryRunner.dropColumn('strategies', 'webhookTokenSealed');
    }
  };

const update = (queryRunner: QueryRunner, column: string) =>
  queryRunner.connection.options.type === 'postgres'
    ? `UPDATE "strategies" SET "${column}" = $1 WHERE "id" = $2`
    : `UPDATE "strategies" SET "${column}" = ? WHERE "id" = ?`;
