import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, booleanDefault, double, str } from './migration-columns.js';

/**
 * What alerts can now ask for and what paper fills now record: orders of the types the server holds
 * itself (stop-limit, trailing stop) with their trail, time in force, extended hours and the
 * alert's price; where each fill's price came from, on fills and on both sides of a trade; a stop
 * loss's type and limit on brackets; and when a delayed alert is due.
 */
export class AlertControlsAndPriceSources1765000000000 implements MigrationInterface {
  name = 'AlertControlsAndPriceSources1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // 'trailing_stop' does not fit the old 8 characters (PostgreSQL checks; SQLite rebuilds the table, which has no foreign keys).
    await queryRunner.changeColumn('orders', 'type', new TableColumn(str('type', 16)));
    await queryRunner.addColumns('orders', [
      new TableColumn(double('trailAmount', true)),
      new TableColumn(double('trailPercent', true)),
      new TableColumn(str('timeInForce', 4, true)),
      new TableColumn(bigint('expiresAt', true)),
      new TableColumn({ name: 'extendedHours', type: 'boolean', default: booleanDefault(queryRunner, false) }),
      new TableColumn(double('signalPrice', true)),
      new TableColumn(bigint('triggeredAt', true)),
    ]);
    await queryRunner.addColumn('fills', new TableColumn({ ...str('priceSource', 80), default: "'unrecorded'" }));
    await queryRunner.addColumns('trades', [
      new TableColumn({ ...str('entryPriceSource', 80), default: "'unrecorded'" }),
      new TableColumn({ ...str('exitPriceSource', 80), default: "'unrecorded'" }),
    ]);
    await queryRunner.addColumns('order_brackets', [
      new TableColumn(str('stopLossType', 16, true)),
      new TableColumn(double('stopLossLimitPrice', true)),
    ]);
    await queryRunner.addColumn('webhook_events', new TableColumn(bigint('notBefore', true)));
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({ name: 'ix_webhook_events_due', columnNames: ['status', 'notBefore'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('webhook_events', 'ix_webhook_events_due');
    await queryRunner.dropColumn('webhook_events', 'notBefore');
    await queryRunner.dropColumns('order_brackets', ['stopLossType', 'stopLossLimitPrice']);
    await queryRunner.dropColumns('trades', ['entryPriceSource', 'exitPriceSource']);
    await queryRunner.dropColumn('fills', 'priceSource');
    await queryRunner.dropColumns('orders', [
      'trailAmount',
      'trailPercent',
      'timeInForce',
      'expiresAt',
      'extendedHours',
      'signalPrice',
      'triggeredAt',
    ]);
    await queryRunner.changeColumn('orders', 'type', new TableColumn(str('type', 8)));
  }
}
