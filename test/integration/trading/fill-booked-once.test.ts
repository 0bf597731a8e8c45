import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { BrokerFill } from '@tradeloop/contracts';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { LedgerService, UnbookableFill, type FillSubject } from '../../../apps/server/src/ledger/ledger.service.js';
import { createPostgresDatabase, startServer, type TestServer } from '../../support/app.js';

/**
 * A broker may deliver a fill again (a reconnect, a reconciliation after a restart): the ledger
 * books each broker fill id once. The fill's own insert finds one booked already (its unique key),
 * so a fill delivered again writes nothing and answers null — also when it no longer fits the
 * position as it is now, which a new fill that does not fit is refused for.
 */
describe.each(['sqlite', 'postgres'] as const)('a broker fill booked once (%s)', (kind) => {
  let server: TestServer;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const order: FillSubject = { id: randomUUID(), clientOrderId: 'once-1', accountId: '', strategyId: 'once-strategy', ticker: 'NQ1!' };
  const fill = (side: 'buy' | 'sell', quantity: number, fillId: string = randomUUID()): BrokerFill => ({
    fillId,
    clientOrderId: order.clientOrderId,
    brokerOrderId: 'b1',
    ticker: 'NQ1!',
    side,
    quantity,
    price: 25000,
    commission: 0,
    time: Date.now(),
  });
  const book = (f: BrokerFill) => server.app.get(DatabaseService).bookkeeping((m) => server.app.get(LedgerService).book(m, order, f));
  const rows = async (sql: string) => (await server.app.get(DatabaseService).dataSource.query(sql)) as Record<string, unknown>[];
  const held = async () => Number((await rows(`SELECT "quantity" FROM positions WHERE "strategyId" = 'once-strategy'`))[0]?.quantity ?? 0);

  beforeAll(async () => {
    database = kind === 'postgres' ? await createPostgresDatabase() : undefined;
    server = await startServer({ databaseUrl: database?.url, overrides: { plugins: { disabled: ['sim-feed'] } } });
    order.accountId = String((await rows(`SELECT "id" FROM accounts WHERE "name" = 'Paper'`))[0].id);
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('books a fill delivered twice once: the second answer is null and changes nothing', async () => {
    const first = fill('buy', 2, 'F-twice');
    expect(await book(first)).not.toBeNull();
    expect(await book({ ...first, time: first.time + 5 })).toBeNull();
    expect(await held()).toBe(2);
    expect(await rows(`SELECT "id" FROM fills WHERE "brokerFillId" = 'F-twice'`)).toHaveLength(1);
  });

  it('does not refuse a fill delivered again that no longer fits, and refuses a new one that does not', async () => {
    await book(fill('buy', 999_997)); // 999,999 held
    const last = fill('buy', 1, 'F-last');
    expect(await book(last)).not.toBeNull(); // 1,000,000: the most any position may be
    expect(await book(last)).toBeNull(); // again: it would make 1,000,001, but it is booked already
    await expect(book(fill('buy', 1))).rejects.toBeInstanceOf(UnbookableFill);
    expect(await held()).toBe(1_000_000);
    expect(await rows(`SELECT "id" FROM fills WHERE "brokerFillId" = 'F-last'`)).toHaveLength(1);
  });
});
