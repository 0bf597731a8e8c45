import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { SAME_BODY, SAME_KEY } from '../../../apps/server/src/webhooks/webhooks.service.js';
import { indexDefinitions, openSchema, placeholders, planOf } from '../../support/schema.js';

/**
 * The intake's duplicate checks run on every alert; their indexes hold only the rows that have the
 * key (an alert's id, or the hash of a body without one). Both databases must still answer each
 * check from its index, as the intake runs it: with parameters (on PostgreSQL a named statement,
 * whose generic plan cannot see the values).
 */
describe.each(['sqlite', 'postgres'] as const)('the duplicate checks on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it('keeps index entries only for rows that have the key', async () => {
    const definitions = await indexDefinitions(dataSource, kind, 'webhook_events');
    expect(definitions.get('uq_webhook_events_strategy_key')).toMatch(/UNIQUE INDEX[\s\S]*WHERE[\s\S]*idempotencyKey"?\)? IS NOT NULL/i);
    expect(definitions.get('ix_webhook_events_body')).toMatch(/WHERE[\s\S]*bodyHash"?\)? IS NOT NULL/i);
  });

  it.each([
    ['the same id', SAME_KEY, 'uq_webhook_events_strategy_key', ['a-strategy', 'alert-1']],
    ['the same body within the window', SAME_BODY, 'ix_webhook_events_body', ['a-strategy', 'f'.repeat(64), 0]],
  ])('looks for %s through its index', async (_, query, index, params) => {
    expect(await planOf(dataSource, kind, query, params)).toContain(index);
  });

  it('refuses a second row with the same id for the strategy, and takes any number without one', async () => {
    const insert = (id: string, key: string | null) =>
      dataSource.query(
        placeholders(
          kind,
          `INSERT INTO "webhook_events" ("id", "strategyId", "idempotencyKey", "status", "alert", "receivedAt") VALUES (?, 's', ?, 'done', '{}', 1) ON CONFLICT DO NOTHING`,
        ),
        [id, key],
      );
    for (const [id, key] of [
      ['e1', 'k'],
      ['e2', 'k'],
      ['e3', null],
      ['e4', null],
    ] as const)
      await insert(id, key);
    const rows: { id: string }[] = await dataSource.query(`SELECT "id" FROM "webhook_events" WHERE "strategyId" = 's' ORDER BY "id"`);
    expect(rows.map((r) => r.id)).toEqual(['e1', 'e3', 'e4']);
  });
});
