import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, booleanDefault, double, id, primaryId, str, text } from './migration-columns.js';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const TRUE = booleanDefault(queryRunner, true);
    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          primaryId,
          { ...str('name', 100), isUnique: true },
          str('broker', 100),
          str('brokerAccountId', 100),
          bigint('startingBalanceCents', false, 0),
          bigint('createdAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'strategies',
        columns: [
          primaryId,
          { ...str('name', 100), isUnique: true },
          { ...str('webhookToken', 64), isUnique: true },
          { name: 'enabled', type: 'boolean', default: TRUE },
          id('accountId'),
          double('defaultQuantity', false, 1),
          str('defaultTicker', 64, true),
          { ...str('description', 500), default: "''" },
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          primaryId,
          id('strategyId'),
          str('idempotencyKey', 200, true),
          str('status', 16),
          text('alert'),
          str('sourceIp', 64, true),
          bigint('receivedAt'),
          bigint('processedAt', true),
          text('error', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_webhook_events_strategy_key', columnNames: ['strategyId', 'idempotencyKey'], isUnique: true }),
          new TableIndex({ name: 'ix_webhook_events_status', columnNames: ['status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          primaryId,
          { ...str('clientOrderId', 100), isUnique: true },
          id('strategyId', true),
          id('accountId'),
          id('eventId', true),
          str('ticker', 64),
          str('side', 4),
          double('quantity'),
          str('type', 8),
          double('limitPrice', true),
          double('stopPrice', true),
          str('status', 12),
          double('filledQuantity', false, 0),
          double('avgFillPrice', true),
          str('brokerOrderId', 100, true),
          str('reason', 500, true),
          bigint('createdAt'),
          bigint('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'ix_orders_strategy', columnNames: ['strategyId', 'createdAt'] }),
          new TableIndex({ name: 'ix_orders_status', columnNames: ['status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'fills',
        columns: [
          primaryId,
          str('brokerFillId', 200),
          id('orderId'),
          id('strategyId', true),
          id('accountId'),
          str('ticker', 64),
          str('side', 4),
          double('quantity'),
          double('price'),
          bigint('commissionCents', false, 0),
          bigint('realizedCents', false, 0),
          bigint('time'),
        ],
        indices: [
          new TableIndex({ name: 'uq_fills_broker_fill', columnNames: ['accountId', 'brokerFillId'], isUnique: true }),
          new TableIndex({ name: 'ix_fills_strategy', columnNames: ['strategyId', 'time'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'positions',
        columns: [
          primaryId,
          id('accountId'),
          str('strategyId', 36),
          str('ticker', 64),
          double('quantity', false, 0),
          double('avgPrice', true),
          bigint('realizedCents', false, 0),
          text('lots'),
          bigint('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_positions_key', columnNames: ['accountId', 'strategyId', 'ticker'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trades',
        columns: [
          primaryId,
          id('accountId'),
          str('strategyId', 36),
          str('ticker', 64),
          str('direction', 5),
          double('quantity'),
          double('entryPrice'),
          double('exitPrice'),
          bigint('entryTime'),
          bigint('exitTime'),
          bigint('grossCents', false, 0),
          bigint('commissionCents', false, 0),
          bigint('pnlCents', false, 0),
          id('exitFillId'),
        ],
        indices: [
          new TableIndex({ name: 'ix_trades_strategy_exit', columnNames: ['strategyId', 'exitTime'] }),
          new TableIndex({ name: 'ix_trades_account_exit', columnNames: ['accountId', 'exitTime'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'log_entries',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          bigint('time'),
          str('level', 8),
          str('category', 32),
          str('strategyId', 36, true),
          text('message'),
          text('context', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_log_entries_strategy_time', columnNames: ['strategyId', 'time'] }),
          new TableIndex({ name: 'ix_log_entries_time', columnNames: ['time'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['log_entries', 'trades', 'positions', 'fills', 'orders', 'webhook_events', 'strategies', 'accounts']) {
      await queryRunner.dropTable(table);
    }
  }
}
