import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { bigint, id, str } from './migration-columns.js';

const scopeKey = [
  { ...str('scope', 8), isPrimary: true },
  { ...id('scopeId'), isPrimary: true },
];
const integer = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: false, default: 0 });

/**
 * P&L history: per-second points, 1m/1h/1d bars, the latest state per scope, rollup progress.
 * On SQLite the big tables are WITHOUT ROWID: the rows live in their primary-key b-tree, so
 * each snapshot is written once instead of into a table and a key index.
 */
export class PnlHistory1764100000000 implements MigrationInterface {
  name = 'PnlHistory1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'pnl_points',
        withoutRowid: true,
        columns: [
          ...scopeKey,
          { ...bigint('time'), isPrimary: true },
          bigint('realizedCents', false, 0),
          bigint('openCents', true),
          bigint('totalCents', true),
          bigint('peakCents', false, 0),
          integer('positions'),
          bigint('equityCents', true),
        ],
        indices: [new TableIndex({ name: 'ix_pnl_points_time', columnNames: ['time'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pnl_bars',
        withoutRowid: true,
        columns: [
          { ...str('resolution', 2), isPrimary: true },
          ...scopeKey,
          { ...bigint('bucket'), isPrimary: true },
          bigint('firstTime'),
          bigint('lastTime'),
          bigint('totalOpenCents', false, 0),
          bigint('totalHighCents', false, 0),
          bigint('totalLowCents', false, 0),
          bigint('totalCloseCents', false, 0),
          bigint('realizedCents', false, 0),
          bigint('peakCents', false, 0),
        ],
        indices: [new TableIndex({ name: 'ix_pnl_bars_bucket', columnNames: ['resolution', 'bucket'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pnl_latest',
        withoutRowid: true,
        columns: [
          ...scopeKey,
          bigint('time'),
          bigint('realizedCents', false, 0),
          bigint('openCents', true),
          bigint('totalCents', true),
          bigint('peakCents', false, 0),
          bigint('maxDrawdownCents', false, 0),
          integer('positions'),
          bigint('equityCents', true),
          bigint('dayStart'),
          bigint('dayOpenCents', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pnl_rollup_marks',
        columns: [{ ...str('resolution', 2), isPrimary: true }, bigint('sourceFrom')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['pnl_rollup_marks', 'pnl_latest', 'pnl_bars', 'pnl_points']) await queryRunner.dropTable(table);
  }
}
