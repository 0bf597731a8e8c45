import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DUE_DELAYED } from '../../../apps/server/src/webhooks/delayed-alerts.service.js';
import { openSchema, placeholders, planOf } from '../../support/schema.js';

/**
 * Every server asks four times a second which delayed alerts are due, almost always for none: the
 * question is a prepared statement, and both databases must answer it from the (status, notBefore)
 * index as the server runs it (on PostgreSQL a named statement's generic plan), not by reading
 * every event ever received.
 */
describe.each(['sqlite', 'postgres'] as const)('the due delayed alerts on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it('are found through the index by status and due time', async () => {
    expect(await planOf(dataSource, kind, DUE_DELAYED, [Date.now()])).toContain('ix_webhook_events_due');
  });

  it('are the delayed alerts due by then, earliest first, a hundred at most', async () => {
    const insert = placeholders(
      kind,
      'INSERT INTO "webhook_events" ("id", "strategyId", "status", "alert", "receivedAt", "notBefore") VALUES (?, ?, ?, \'{}\', 1, ?)',
    );
    const now = 1_800_000_000_000;
    // 120 due ones, inserted latest first, so that the order comes from the query, not the table.
    for (let i = 120; i >= 1; i--)
      await dataSource.query(insert, [`due-${String(i).padStart(3, '0')}`, `s${i % 7}`, 'delayed', now - i * 1000]);
    await dataSource.query(insert, ['due-now', 's1', 'delayed', now]);
    await dataSource.query(insert, ['not-yet', 's1', 'delayed', now + 1]);
    await dataSource.query(insert, ['claimed', 's2', 'accepted', now - 500_000]);
    await dataSource.query(insert, ['traded', 's3', 'done', now - 600_000]);

    const rows = (await dataSource.query(placeholders(kind, DUE_DELAYED), [now])) as {
      id: string;
      strategyId: string;
      notBefore: unknown;
    }[];
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({
      id: 'due-120',
      strategyId: `s${120 % 7}`,
      notBefore: kind === 'postgres' ? String(now - 120_000) : now - 120_000,
    });
    const times = rows.map((r) => Number(r.notBefore));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, k) => `due-${String(120 - k).padStart(3, '0')}`));

    // Once the earlier ones are claimed, the rest come, up to the alert due exactly now.
    await dataSource.query(placeholders(kind, 'UPDATE "webhook_events" SET "status" = \'accepted\' WHERE "notBefore" < ?'), [now - 20_000]);
    const rest = (await dataSource.query(placeholders(kind, DUE_DELAYED), [now])) as { id: string }[];
    expect(rest.map((r) => r.id)).toEqual([...Array.from({ length: 20 }, (_, k) => `due-${String(20 - k).padStart(3, '0')}`), 'due-now']);
  });
});
