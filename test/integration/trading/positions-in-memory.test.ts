import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerFill } from '@tradeloop/contracts';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { LedgerService, type FillSubject } from '../../../apps/server/src/ledger/ledger.service.js';
import { PositionsReader } from '../../../apps/server/src/ledger/positions.reader.js';
import { startServer, type TestServer } from '../../support/app.js';

/**
 * One process without Redis holds the positions on record in memory (LedgerStore): what it answers
 * must be what the database holds after its last commit — a booking that rolled back never shows,
 * one that committed shows at once, and a restart starts from the table. NQ: $20 a point.
 */
describe('positions held in memory (one process, SQLite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-book-'));
  let server: TestServer;
  const order: FillSubject = { id: randomUUID(), clientOrderId: 'book-1', accountId: '', strategyId: 'book-strategy', ticker: 'NQ1!' };
  const fill = (side: 'buy' | 'sell', quantity: number, price: number): BrokerFill => ({
    fillId: randomUUID(),
    clientOrderId: order.clientOrderId,
    brokerOrderId: 'b1',
    ticker: 'NQ1!',
    side,
    quantity,
    price,
    commission: 0,
    time: Date.now(),
  });
  const start = async () => {
    server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } });
  };
  const held = () => server.app.get(PositionsReader).held(order.accountId, 'book-strategy', 'NQ1!');
  const book = (f: BrokerFill, then?: () => void) =>
    server.app.get(DatabaseService).bookkeeping(async (m) => {
      await server.app.get(LedgerService).book(m, order, f);
      then?.();
    });

  beforeAll(async () => {
    await start();
    order.accountId = (
      (await server.app.get(DatabaseService).dataSource.query(`SELECT id FROM accounts WHERE name = 'Paper'`)) as { id: string }[]
    )[0].id;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a committed booking at once, never one that rolled back, and answers a copy', async () => {
    expect(await held()).toBeNull();
    await book(fill('buy', 2, 25000));
    expect(await held()).toMatchObject({ quantity: 2, avgPrice: 25000 });
    // The account's net in the ticker counts it for every other position, not for its own.
    const reader = server.app.get(PositionsReader);
    expect(await reader.quantityHeld(order.accountId, 'book-strategy', 'NQ1!')).toBe(2);
    expect(
      (await reader.netQuantity(order.accountId, 'NQ1!', 'another-key')) -
        (await reader.netQuantity(order.accountId, 'NQ1!', 'book-strategy')),
    ).toBe(2);

    await expect(
      book(fill('sell', 2, 25010), () => {
        throw new Error('the rest of the unit failed');
      }),
    ).rejects.toThrow('the rest of the unit failed');
    expect(await held()).toMatchObject({ quantity: 2, avgPrice: 25000, realizedCents: 0 });
    expect(await reader.quantityHeld(order.accountId, 'book-strategy', 'NQ1!')).toBe(2);

    const copy = (await held())!;
    copy.quantity = 99;
    expect((await held())!.quantity).toBe(2);

    await book(fill('sell', 1, 25010));
    // Half closed: 10 points × $20 = $200 realized.
    expect(await held()).toMatchObject({ quantity: 1, realizedCents: 20_000 });
    expect(await reader.quantityHeld(order.accountId, 'book-strategy', 'NQ1!')).toBe(1);
  });

  it('starts again from the table: the same position after a restart', async () => {
    const before = await held();
    await server.close({ keepData: true });
    await start();
    expect(await held()).toEqual(before);
    const rows = (await server.app
      .get(DatabaseService)
      .dataSource.query(`SELECT quantity, "realizedCents" FROM positions WHERE "strategyId" = 'book-strategy'`)) as {
      quantity: number;
      realizedCents: number;
    }[];
    expect(rows.map((r) => ({ quantity: Number(r.quantity), realizedCents: Number(r.realizedCents) }))).toEqual([
      { quantity: 1, realizedCents: 20_000 },
    ]);
  });

  it('books fills of one batch on each other: a booking reads what an earlier unit of its batch wrote, not the book', async () => {
    // Queued in one turn, the four units share one batch (group commit): the book holds none of them until it commits.
    const first = book(fill('buy', 2, 25000)); // 1 → 3
    const failed = book(fill('buy', 5, 25000), () => {
      throw new Error('this unit fails');
    });
    const second = book(fill('sell', 3, 25005)); // 3 → 0, closing the three at 25005
    const third = book(fill('buy', 1, 25010)); // 0 → 1
    await Promise.all([first, failed.catch(() => undefined), second, third]);
    await expect(failed).rejects.toThrow('this unit fails');
    // Held 1 @ 25000 with $200 realized; then 2 more @ 25000; 3 sold @ 25005 = 3 × 5 points × $20 = $300 more.
    expect(await held()).toMatchObject({ quantity: 1, avgPrice: 25010, realizedCents: 50_000 });
    const rows = (await server.app
      .get(DatabaseService)
      .dataSource.query(`SELECT quantity, "realizedCents" FROM positions WHERE "strategyId" = 'book-strategy'`)) as {
      quantity: number;
      realizedCents: number;
    }[];
    expect(rows.map((r) => [Number(r.quantity), Number(r.realizedCents)])).toEqual([[1, 50_000]]);
  });
});
