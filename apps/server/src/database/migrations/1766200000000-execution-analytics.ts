import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bigint, double, id, str, text } from './migration-columns.js';

/**
 * Execution analytics and the journal: each order's timeline from the alert to `/ws`, each
 * closed trade's excursions (MFE/MAE, R), and tags and notes on trades and trading days. Rows
 * hang off orders and trades by id and are never pruned apart from them (trades are kept).
 */
export class ExecutionAnalytics1766200000000 implements MigrationInterface {
  name = 'ExecutionAnalytics1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'order_timelines',
        columns: [
          { ...id('orderId'), isPrimary: true },
          id('eventId', true),
          id('strategyId', true),
          id('accountId', true),
          str('ticker', 64, true),
          str('side', 4, true),
          ...['signalAt', 'receivedAt', 'acceptedAt', 'handledAt', 'sentAt', 'acknowledgedAt', 'filledAt', 'pushedAt'].map((name) =>
            bigint(name, true),
          ),
          double('referencePrice', true),
          str('referenceSource', 8, true),
          bigint('createdAt'),
        ],
        indices: [
          new TableIndex({ name: 'ix_order_timelines_strategy', columnNames: ['strategyId', 'createdAt'] }),
          new TableIndex({ name: 'ix_order_timelines_account', columnNames: ['accountId', 'createdAt'] }),
          new TableIndex({ name: 'ix_order_timelines_created', columnNames: ['createdAt'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trade_excursions',
        columns: [
          { ...id('tradeId'), isPrimary: true },
          double('mfeTicks'),
          bigint('mfeCents', false, 0),
          double('mfePrice'),
          bigint('mfeTime'),
          double('maeTicks'),
          bigint('maeCents', false, 0),
          double('maePrice'),
          bigint('maeTime'),
          bigint('holdingMs'),
          double('stopPrice', true),
          bigint('riskCents', true),
          double('rMultiple', true),
          bigint('observedFrom', true),
          bigint('createdAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'journal_entries',
        columns: [
          { ...str('entryKey', 48), isPrimary: true },
          id('tradeId', true),
          str('day', 10, true),
          text('note'),
          text('tags'),
          bigint('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'ix_journal_entries_day', columnNames: ['day'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'journal_tags',
        columns: [
          { ...str('entryKey', 48), isPrimary: true },
          { ...str('tag', 32), isPrimary: true },
          id('tradeId', true),
          str('day', 10, true),
        ],
        indices: [new TableIndex({ name: 'ix_journal_tags_tag', columnNames: ['tag', 'tradeId'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['journal_tags', 'journal_entries', 'trade_excursions', 'order_timelines']) await queryRunner.dropTable(table);
  }
}
