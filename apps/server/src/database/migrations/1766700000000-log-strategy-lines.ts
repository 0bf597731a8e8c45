import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id } from './migration-columns.js';

/**
 * A strategy's lines of the log are indexed in a table of their own, `log_strategy_lines`, instead
 * of by an index on `log_entries`. On SQLite each line's entry in that index changed one page of
 * the B-tree for its strategy in the commit that wrote it, and the batches of a busy moment hold
 * lines of dozens of strategies: about a sixth of the main thread's time an alert went to writing
 * those pages. SQLite now indexes lines there once a second, sorted by strategy (LogsService);
 * PostgreSQL writes a line and its entry in one statement.
 */
export class LogStrategyLines1766700000000 implements MigrationInterface {
  name = 'LogStrategyLines1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'log_strategy_lines',
        columns: [
          { ...id('strategyId'), isPrimary: true },
          { name: 'id', type: 'integer', isNullable: false, isPrimary: true },
        ],
        withoutRowid: true,
      }),
    );
    await queryRunner.query(
      'INSERT INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "log_entries" WHERE "strategyId" IS NOT NULL',
    );
    await queryRunner.dropIndex('log_entries', 'ix_log_entries_strategy');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('log_entries', new TableIndex({ name: 'ix_log_entries_strategy', columnNames: ['strategyId', 'id'] }));
    await queryRunner.dropTable('log_strategy_lines');
  }
}
