import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, booleanDefault, double, id, str, text } from './migration-columns.js';

const STRATEGY_COLUMNS = ['script', 'params', 'state', 'status', 'statusReason'];

/** Strategy scripts: the script a strategy runs, its params, saved state and status; server-managed brackets. */
export class StrategyScripts1764200000000 implements MigrationInterface {
  name = 'StrategyScripts1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('strategies', [
      new TableColumn(str('script', 120, true)),
      new TableColumn(text('params', true)),
      new TableColumn(text('state', true)),
      new TableColumn({ ...str('status', 12), default: "'enabled'" }),
      new TableColumn(str('statusReason', 500, true)),
    ]);
    await queryRunner.query(`UPDATE strategies SET status = 'disabled' WHERE enabled = ${booleanDefault(queryRunner, false)}`);
    await queryRunner.createTable(
      new Table({
        name: 'order_brackets',
        columns: [
          { ...str('parentClientOrderId', 100), isPrimary: true },
          id('strategyId', true),
          double('takeProfitPrice', true),
          double('takeProfitTicks', true),
          double('stopLossPrice', true),
          double('stopLossTicks', true),
          double('coveredQuantity', false, 0),
          { name: 'legs', type: 'integer', isNullable: false, default: 0 },
          str('status', 12),
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'ix_order_brackets_status', columnNames: ['status'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('order_brackets');
    await queryRunner.dropColumns('strategies', STRATEGY_COLUMNS);
  }
}
