import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every risk check asks who holds a ticker on an account. Where several processes share the
 * database (BullMQ) that is read from the database, and the positions' only index begins with the
 * account and then the strategy: the answer read every position the account ever held, in every
 * ticker, to keep those of one. An index by account and ticker reads that ticker's rows alone. Its
 * keys never change — a position's quantity moves, its account and ticker do not — so a fill
 * writes nothing to it; only a new position adds an entry. (Where every strategy on the account
 * trades the one ticker, as in the benchmark, there is nothing to skip: 94 µs a check either way
 * with 100 of them.)
 */
export class PositionsByTicker1766800000000 implements MigrationInterface {
  name = 'PositionsByTicker1766800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('positions', new TableIndex({ name: 'ix_positions_ticker', columnNames: ['accountId', 'ticker'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('positions', 'ix_positions_ticker');
  }
}
