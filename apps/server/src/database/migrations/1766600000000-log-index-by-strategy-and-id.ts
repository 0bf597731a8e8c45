import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The log is paged newest first by id, a strategy's alone or everyone's. A strategy's page was
 * read through (`strategyId`, `time`): both databases read every line the strategy ever wrote and
 * sorted them to return the newest hundred. (`strategyId`, `id`) holds them in the page's order.
 * The index on `time` alone served no query, and each line paid for it.
 */
export class LogIndexByStrategyAndId1766600000000 implements MigrationInterface {
  name = 'LogIndexByStrategyAndId1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('log_entries', 'ix_log_entries_strategy_time');
    await queryRunner.dropIndex('log_entries', 'ix_log_entries_time');
    await queryRunner.createIndex('log_entries', new TableIndex({ name: 'ix_log_entries_strategy', columnNames: ['strategyId', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('log_entries', 'ix_log_entries_strategy');
    await queryRunner.createIndex('log_entries', new TableIndex({ name: 'ix_log_entries_time', columnNames: ['time'] }));
    await queryRunner.createIndex(
      'log_entries',
      new TableIndex({ name: 'ix_log_entries_strategy_time', columnNames: ['strategyId', 'time'] }),
    );
  }
}
