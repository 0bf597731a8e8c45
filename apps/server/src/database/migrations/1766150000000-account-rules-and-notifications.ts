import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, id, primaryId, str, text } from './migration-columns.js';

/**
 * Prop-firm rules per account (with the state a restart must keep: the drawdown's high and floor,
 * closed days, locks) and notifications: channels with sealed secrets, and the outbox every
 * notification is written to before it is sent.
 */
export class AccountRulesAndNotifications1766150000000 implements MigrationInterface {
  name = 'AccountRulesAndNotifications1766150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'account_rule_sets',
        columns: [
          { ...id('accountId'), isPrimary: true },
          str('preset', 100, true),
          text('rules'),
          text('state', true),
          bigint('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notification_channels',
        columns: [
          primaryId,
          str('name', 100),
          str('type', 16),
          text('settings'),
          text('secrets', true),
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notification_deliveries',
        columns: [
          primaryId,
          id('channelId'),
          str('dedupeKey', 200),
          str('kind', 32),
          text('input'),
          str('status', 16),
          { name: 'attempts', type: 'integer', isNullable: false, default: 0 },
          text('lastError', true),
          bigint('createdAt'),
          bigint('nextAttemptAt'),
          bigint('finishedAt', true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'notification_deliveries',
      new TableIndex({ name: 'ix_notification_deliveries_head', columnNames: ['channelId', 'status', 'createdAt'] }),
    );
    await queryRunner.createIndex(
      'notification_deliveries',
      new TableIndex({ name: 'ux_notification_deliveries_dedupe', columnNames: ['channelId', 'dedupeKey'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notification_deliveries');
    await queryRunner.dropTable('notification_channels');
    await queryRunner.dropTable('account_rule_sets');
  }
}
