import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The tables, with the time column each is listed by. */
const LISTED = [
  { table: 'orders', time: 'createdAt', was: 'ix_orders_strategy' },
  { table: 'fills', time: 'time', was: 'ix_fills_strategy' },
] as const;

/**
 * A strategy's orders and fills are listed through `listedStrategyId` (see StrategyListing), as its
 * events are, instead of indexes on `strategyId`: on SQLite each order and each fill wrote a page of
 * its strategy's part of those in the commit that held it. Rows of no strategy (manual orders and
 * their fills) are listed under the empty string. The rows already stored are listed here.
 */
export class OrdersAndFillsListedByStrategy1767000000000 implements MigrationInterface {
  name = 'OrdersAndFillsListedByStrategy1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, time, was } of LISTED) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN "listedStrategyId" varchar(36)`);
      await queryRunner.query(`UPDATE "${table}" SET "listedStrategyId" = COALESCE("strategyId", '')`);
      await queryRunner.createIndex(
        table,
        new TableIndex({ name: `ix_${table}_listed`, columnNames: ['listedStrategyId', time], where: '"listedStrategyId" IS NOT NULL' }),
      );
      await queryRunner.createIndex(
        table,
        new TableIndex({ name: `ix_${table}_unlisted`, columnNames: [time], where: '"listedStrategyId" IS NULL' }),
      );
      await queryRunner.dropIndex(table, was);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, time, was } of LISTED) {
      await queryRunner.createIndex(table, new TableIndex({ name: was, columnNames: ['strategyId', time] }));
      await queryRunner.dropIndex(table, `ix_${table}_unlisted`);
      await queryRunner.dropIndex(table, `ix_${table}_listed`);
      await queryRunner.dropColumn(table, 'listedStrategyId');
    }
  }
}
