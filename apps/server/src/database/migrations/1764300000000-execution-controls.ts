import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, booleanDefault, double, id, primaryId, str, text } from './migration-columns.js';

/** Copy trading links, exits and risk limits per strategy and account, halts, and system settings (the kill switch). */
export class ExecutionControls1764300000000 implements MigrationInterface {
  name = 'ExecutionControls1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'strategy_links',
        columns: [
          primaryId,
          id('strategyId'),
          id('accountId'),
          double('multiplier', false, 1),
          str('symbolOverride', 64, true),
          { name: 'inverse', type: 'boolean', default: booleanDefault(queryRunner, false) },
          { name: 'enabled', type: 'boolean', default: booleanDefault(queryRunner, true) },
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_strategy_links_account', columnNames: ['strategyId', 'accountId'], isUnique: true })],
      }),
    );
    await queryRunner.addColumn('orders', new TableColumn(id('linkId', true)));
    await queryRunner.addColumns('strategies', [
      new TableColumn(text('exits', true)),
      new TableColumn(text('risk', true)),
      new TableColumn(bigint('haltedUntil', true)),
    ]);
    await queryRunner.addColumns('accounts', [new TableColumn(text('risk', true)), new TableColumn(bigint('haltedUntil', true))]);
    await queryRunner.addColumns('order_brackets', [
      new TableColumn(double('breakEvenTicks', true)),
      new TableColumn(double('trailingTicks', true)),
    ]);
    await queryRunner.createTable(
      new Table({ name: 'system_settings', columns: [{ ...str('key', 64), isPrimary: true }, text('value'), bigint('updatedAt')] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('system_settings');
    await queryRunner.dropColumns('order_brackets', ['breakEvenTicks', 'trailingTicks']);
    await queryRunner.dropColumns('accounts', ['risk', 'haltedUntil']);
    await queryRunner.dropColumns('strategies', ['exits', 'risk', 'haltedUntil']);
    await queryRunner.dropColumn('orders', 'linkId');
    await queryRunner.dropTable('strategy_links');
  }
}
