import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { AnalyticsSql } from '../../../apps/server/src/analytics/analytics-sql.js';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import { openSchema } from '../../support/schema.js';

const COLUMNS = ['orderId', 'strategyId', 'signalAt', 'sentAt', 'filledAt', 'referencePrice', 'createdAt'];

/**
 * The recorder writes a second's timelines in chunks of 64, 16, 4 and 1 rows, so that each of its
 * few statements is prepared once. Whatever the count, every row lands once, a stamp already on a
 * row is never overwritten (a worker's stamps and an api process's `/ws` push may each come
 * first), and a stamp not taken is stored as NULL.
 */
describe.each(['sqlite', 'postgres'] as const)("the recorder's timeline writes on %s", (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let database: DatabaseService;
  let sql: AnalyticsSql;

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
    database = new DatabaseService(dataSource);
    sql = new AnalyticsSql(database, new Statements(database));
  });
  afterAll(() => close?.());

  const timelines = async () =>
    ((await dataSource.query('SELECT * FROM "order_timelines" ORDER BY "orderId"')) as Record<string, unknown>[]).map((r) => ({
      orderId: r.orderId,
      strategyId: r.strategyId,
      signalAt: r.signalAt === null ? null : Number(r.signalAt),
      sentAt: r.sentAt === null ? null : Number(r.sentAt),
      filledAt: r.filledAt === null ? null : Number(r.filledAt),
      referencePrice: r.referencePrice === null ? null : Number(r.referencePrice),
    }));
  const row = (i: number, stamps: { sentAt?: number; filledAt?: number }) => [
    `order-${String(i).padStart(3, '0')}`,
    `s${i % 3}`,
    1_000 + i,
    stamps.sentAt,
    stamps.filledAt,
    i % 2 ? 25_000.25 : null,
    2_000 + i,
  ];

  it('writes 85 rows (64 + 16 + 4 + 1) once each, and a second pass only fills in what is missing', async () => {
    await database.bookkeeping((m) =>
      sql.fillIn(
        m,
        'order_timelines',
        COLUMNS,
        'orderId',
        Array.from({ length: 85 }, (_, i) => row(i, { sentAt: 5_000 + i })),
      ),
    );
    let rows = await timelines();
    expect(rows).toHaveLength(85);
    expect(rows[84]).toEqual({
      orderId: 'order-084',
      strategyId: 's0',
      signalAt: 1_084,
      sentAt: 5_084,
      filledAt: null,
      referencePrice: null,
    });
    expect(rows[7]).toEqual({
      orderId: 'order-007',
      strategyId: 's1',
      signalAt: 1_007,
      sentAt: 5_007,
      filledAt: null,
      referencePrice: 25_000.25,
    });

    // 23 of them again (16 + 4 + 1 + 1 + 1), now filled, with another send time that must not win.
    await database.bookkeeping((m) =>
      sql.fillIn(
        m,
        'order_timelines',
        COLUMNS,
        'orderId',
        Array.from({ length: 23 }, (_, k) => row(k * 3, { sentAt: 9_999, filledAt: 7_000 + k * 3 })),
      ),
    );
    rows = await timelines();
    expect(rows).toHaveLength(85);
    const filled = rows.filter((r) => r.filledAt !== null);
    expect(filled.map((r) => r.orderId)).toEqual(Array.from({ length: 23 }, (_, k) => `order-${String(k * 3).padStart(3, '0')}`));
    expect(filled.every((r) => r.filledAt === 7_000 + Number(String(r.orderId).slice(-3)))).toBe(true);
    expect(rows.every((r) => r.sentAt === 5_000 + Number(String(r.orderId).slice(-3)))).toBe(true);
  });
});
