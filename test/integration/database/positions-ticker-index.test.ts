import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { NET_IN_TICKER } from '../../../apps/server/src/ledger/ledger-store.js';
import { indexDefinitions, openSchema, placeholders, planOf } from '../../support/schema.js';

/**
 * Each risk check asks the account's net position in a ticker; where the database is shared (BullMQ,
 * PostgreSQL) the ledger asks the database. Both must answer from the index by account and ticker,
 * as the store runs the query, not by reading every position the account's strategies hold.
 */
describe.each(['sqlite', 'postgres'] as const)('positions by ticker on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const $ = (sql: string) => placeholders(kind, sql);

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it('indexes positions by account and ticker alone', async () => {
    const sql = (await indexDefinitions(dataSource, kind, 'positions')).get('ix_positions_ticker') ?? '';
    expect(sql).toMatch(/\(\s*"?accountId"?\s*,\s*"?ticker"?\s*\)/);
    expect(sql).not.toMatch(/UNIQUE/i);
  });

  it('sums the net position in a ticker through that index', async () => {
    const plan = await planOf(dataSource, kind, NET_IN_TICKER, ['an-account', 'NQ1!', 's1']);
    expect(plan).toContain('ix_positions_ticker');
    if (kind === 'sqlite') expect(plan).toMatch(/ix_positions_ticker \(accountId=\? AND ticker=\?\)/);
  });

  it("answers the net of that ticker on that account but the asking position's, among many strategies' others", async () => {
    const insert = $(
      'INSERT INTO "positions" ("id", "accountId", "strategyId", "ticker", "quantity", "realizedCents", "lots", "updatedAt") VALUES (?, ?, ?, ?, ?, 0, \'[]\', 0)',
    );
    let n = 0;
    for (let s = 0; s < 50; s++) {
      for (const ticker of ['ES1!', 'CL1!', 'GC1!']) await dataSource.query(insert, [`p${++n}`, 'acc', `s${s}`, ticker, 1]);
    }
    await dataSource.query(insert, [`p${++n}`, 'acc', 's1', 'NQ1!', 2]);
    await dataSource.query(insert, [`p${++n}`, 'acc', 's2', 'NQ1!', -3]);
    await dataSource.query(insert, [`p${++n}`, 'acc', 's3', 'NQ1!', 0]); // flat: holds nothing
    await dataSource.query(insert, [`p${++n}`, 'other', 's1', 'NQ1!', 5]); // another account
    const net = async (exceptKey: string, account = 'acc', ticker = 'NQ1!') =>
      Number(((await dataSource.query($(NET_IN_TICKER), [account, ticker, exceptKey])) as { net: unknown }[])[0].net);
    // s1 holds 2, s2 -3, s3 nothing; 'other' holds 5 on another account.
    expect(await net('s1')).toBe(-3);
    expect(await net('s2')).toBe(2);
    expect(await net('nobody')).toBe(-1);
    expect(await net('s1', 'acc', 'ZN1!')).toBe(0); // no one holds it
    expect(await net('s9', 'acc', 'ES1!')).toBe(49); // fifty strategies hold 1 each
    // The position's own key is still unique.
    await expect(dataSource.query(insert, [`p${++n}`, 'acc', 's1', 'NQ1!', 1])).rejects.toThrow(/unique|UNIQUE/);
  });
});
