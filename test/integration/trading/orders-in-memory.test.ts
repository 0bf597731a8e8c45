import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import type { Order } from '../../../apps/server/src/execution/order.entity.js';
import { MAX_HELD_ORDERS, OrderStore } from '../../../apps/server/src/execution/order-store.js';
import { newRowId } from '../../../apps/server/src/common/row-id.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { hook } from '../../support/scripts.js';

const tableRow = async (server: TestServer, id: string) =>
  (
    (await server.app
      .get(DatabaseService)
      .dataSource.query(`SELECT "status", "filledQuantity", "avgFillPrice", "brokerOrderId" FROM orders WHERE id = ?`, [id])) as Record<
      string,
      unknown
    >[]
  )[0];

/** Behind the store's back (what no code of the server does): shows whether a read went to the table. */
const renameBehindItsBack = (server: TestServer, id: string, reason: string) =>
  server.app.get(DatabaseService).dataSource.query(`UPDATE orders SET "reason" = ? WHERE id = ?`, [reason, id]);

function anOrder(accountId: string, overrides: Partial<Order> = {}): Order {
  const now = Date.now();
  return {
    id: newRowId(),
    clientOrderId: `held-test:${newRowId()}`,
    strategyId: null,
    linkId: null,
    accountId,
    eventId: null,
    ticker: 'NQ1!',
    side: 'buy',
    quantity: 1,
    type: 'limit',
    limitPrice: 20000,
    stopPrice: null,
    trailAmount: null,
    trailPercent: null,
    timeInForce: null,
    expiresAt: null,
    extendedHours: false,
    signalPrice: null,
    triggeredAt: null,
    status: 'working',
    filledQuantity: 0,
    avgFillPrice: null,
    brokerOrderId: null,
    reason: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * With one process the orders the hot path writes and reads (the order, its ack, its fill) are
 * held in memory by OrderStore: what it answers must be what the table holds after its last
 * commit — a change that rolled back never shows, a committed one shows at once — and a copy.
 */
describe('orders held in memory (one process, SQLite)', () => {
  let server: TestServer;
  let accountId: string;
  const store = () => server.app.get(OrderStore);
  const database = () => server.app.get(DatabaseService);

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    accountId = ((await http(server.url, 'GET', '/api/accounts')).body as { id: string }[])[0]!.id;
  });
  afterAll(() => server.close());

  it('answers for an alert filled end to end what the table holds, as a copy', async () => {
    server.app.get(MarketService).publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'held orders' })).body as {
      id: string;
      webhookToken: string;
    };
    expect((await hook(server, strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 2 })).status).toBe(202);
    const order = await eventually(
      async () => {
        const rows = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as {
          id: string;
          status: string;
        }[];
        return rows.find((o) => o.status === 'filled');
      },
      10_000,
      'the order filled',
    );
    const held = (await store().byId(order.id))!;
    expect(held).toMatchObject({ status: 'filled', filledQuantity: 2, avgFillPrice: 25000.25 });
    expect(await tableRow(server, order.id)).toEqual({
      status: held.status,
      filledQuantity: held.filledQuantity,
      avgFillPrice: held.avgFillPrice,
      brokerOrderId: held.brokerOrderId,
    });
    expect(await store().byClientOrderId(held.clientOrderId)).toEqual(held);
    held.status = 'cancelled';
    expect((await store().byId(order.id))!.status).toBe('filled');
  });

  it('shows a committed change at the commit, never one that rolled back', async () => {
    const order = anOrder(accountId);
    await database().bookkeeping((m) => store().insert(m, order));
    // Held: a change behind its back is not seen.
    await renameBehindItsBack(server, order.id, 'behind');
    expect((await store().byId(order.id))!.reason).toBeNull();

    await expect(
      database().bookkeeping(async (m) => {
        await store().update(m, order.id, { status: 'cancelled', reason: 'rolled back' });
        throw new Error('the unit fails');
      }),
    ).rejects.toThrow('the unit fails');
    expect((await store().byId(order.id))!.status).toBe('working');

    let seenAtCommit: string | undefined;
    await database().bookkeeping(async (m) => {
      await store().update(m, order.id, { status: 'cancelled', reason: 'by hand' });
      // Inside the unit the table's own (uncommitted) row is read.
      expect((await store().byId(order.id, m))!.status).toBe('cancelled');
      database().onCommitted(
        m,
        () =>
          void store()
            .byId(order.id)
            .then((o) => (seenAtCommit = o!.status)),
      );
    });
    await new Promise((r) => setImmediate(r));
    expect(seenAtCommit).toBe('cancelled');
    expect((await store().byClientOrderId(order.clientOrderId))!).toMatchObject({ status: 'cancelled', reason: 'by hand' });
  });

  it('reads the table again after a change it was told of but not shown (forget)', async () => {
    const order = anOrder(accountId);
    await database().bookkeeping((m) => store().insert(m, order));
    await database().bookkeeping(async (m) => {
      await m.query(`UPDATE orders SET "stopPrice" = 19990 WHERE id = ? AND "triggeredAt" IS NULL`, [order.id]);
      store().forget(m, order.id);
    });
    expect((await store().byId(order.id))!.stopPrice).toBe(19990);
  });

  it(`holds at most ${MAX_HELD_ORDERS.toLocaleString('en')} orders; one let go is read from the table`, async () => {
    const first = anOrder(accountId);
    await database().bookkeeping(async (m) => {
      await store().insert(m, first);
      for (let i = 0; i < MAX_HELD_ORDERS; i++) await store().insert(m, anOrder(accountId));
    });
    expect((store() as unknown as { held: Map<string, Order> }).held.size).toBe(MAX_HELD_ORDERS);
    await renameBehindItsBack(server, first.id, 'read from the table');
    expect((await store().byClientOrderId(first.clientOrderId))!.reason).toBe('read from the table');
  });
});

describe('orders with Redis (several processes)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ redisUrl: REDIS_URL, overrides: { plugins: { disabled: ['sim-feed'] } } });
  });
  afterAll(() => server.close());

  it('reads the table every time: another process may have changed it', async () => {
    const accountId = ((await http(server.url, 'GET', '/api/accounts')).body as { id: string }[])[0]!.id;
    const order = anOrder(accountId);
    const store = server.app.get(OrderStore);
    await server.app.get(DatabaseService).bookkeeping((m) => store.insert(m, order));
    expect((await store.byId(order.id))!.reason).toBeNull();
    await renameBehindItsBack(server, order.id, 'another process');
    expect((await store.byId(order.id))!.reason).toBe('another process');
  });
});
