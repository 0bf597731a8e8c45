import { createHash } from 'node:crypto';
import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, id, primaryId, str, text } from './migration-columns.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export class AccessControl1764050000000 implements MigrationInterface {
  name = 'AccessControl1764050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          primaryId,
          { ...str('username', 100), isUnique: true },
          str('passwordHash', 255),
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'auth_tokens',
        columns: [
          primaryId,
          { ...str('tokenHash', 64), isUnique: true },
          str('kind', 16),
          str('scope', 16),
          str('name', 100),
          str('prefix', 16),
          id('userId'),
          bigint('createdAt'),
          bigint('expiresAt', true),
          bigint('lastUsedAt', true),
          bigint('revokedAt', true),
        ],
        indices: [new TableIndex({ name: 'ix_auth_tokens_user', columnNames: ['userId'] })],
      }),
    );

    // Existing strategies keep their webhook URLs: their tokens are hashed in place.
    await queryRunner.addColumn('strategies', new TableColumn(str('webhookTokenHash', 64, true)));
    const strategies: { id: string; webhookToken: string }[] = await queryRunner.query('SELECT "id", "webhookToken" FROM "strategies"');
    for (const strategy of strategies) {
      await queryRunner.query(
        queryRunner.connection.options.type === 'postgres'
          ? 'UPDATE "strategies" SET "webhookTokenHash" = $1 WHERE "id" = $2'
          : 'UPDATE "strategies" SET "webhookTokenHash" = ? WHERE "id" = ?',
        [sha256(strategy.webhookToken), strategy.id],
      );
    }
    await queryRunner.changeColumn('strategies', 'webhookTokenHash', new TableColumn({ ...str('webhookTokenHash', 64), isUnique: true }));
    await queryRunner.addColumn('strategies', new TableColumn(text('allowedIps', true)));

    await queryRunner.addColumn('accounts', new TableColumn(text('settings', true)));
    await queryRunner.addColumn('accounts', new TableColumn(text('secrets', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('accounts', 'secrets');
    await queryRunner.dropColumn('accounts', 'settings');
    await queryRunner.dropColumn('strategies', 'allowedIps');
    await queryRunner.dropColumn('strategies', 'webhookTokenHash');
    await queryRunner.dropTable('auth_tokens');
    await queryRunner.dropTable('users');
  }
}
