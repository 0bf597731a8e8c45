import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Before each order of a signal, the planner asks for the strategy's open orders in its tickers.
 * Both databases answered that from the strategy's index of every order it ever placed, filtering
 * as they went: a cost that grew with the strategy's history, paid on every such alert. An index
 * of the open orders alone (`pending`, `working`) stays a page or two however long the history,
 * and an order leaves it as it fills or is cancelled.
 */
export class OpenOrdersIndex1766500000000 implements MigrationInterface {
  name = 'OpenOrdersIndex1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'orders',
      new TableIndex({ name: 'ix_orders_open', columnNames: ['strategyId', 'ticker'], where: `"status" IN ('pending', 'working')` }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('orders', 'ix_orders_open');
  }
}
