import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that takes 300 ms to accept an order and rests it; it cancels only what it holds. What
 * it was asked, in order, is kept in `globalThis.slowAckJournal` (plugins run in the server's process).
 */
const SLOW_ACK_BROKER = `
const journal = (globalThis.slowAckJournal ??= []);
export default {
  kind: 'broker',
  apiVersion: 1,
  create() {
    const resting = new Set();
    return {
      async placeOrder(order) {
        // A limit at 1 stands for a broker that does not answer for 7 s.
        await new Promise((resolve) => setTimeout(resolve, order.limitPrice === 1 ? 7000 : 300));
        resting.add(order.clientOrderId);
        journal.push('place ' + order.clientOrderId);
        return { brokerOrderId: 'A-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        const held = resting.delete(clientOrderId);
        journal.push((held ? 'cancel ' : 'cancel unknown ') + clientOrderId);
        return held;
      },
    };
  },
};
`;

const journal = () => ((globalThis as { slowAckJournal?: string[] }).slowAckJournal ??= []);

/** A cancel that comes while its order is still on its way to the broker cancels it there, once it is placed. */
describe.each(['sqlite', 'postgres'] as const)('a cancel while the order is being sent (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let account: { id: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'slow-ack-broker': SLOW_ACK_BROKER }));
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Slow ack', broker: 'slow-ack-broker', brokerAccountId: 'A1' }))
      .body;
  });
  afterAll(async () => {
    await close?.();
  });

  it('is cancelled at the broker, not only on record', async () => {
    journal().length = 0;
    const placing = http(server.url, 'POST', '/api/orders', {
      accountId: account.id,
      ticker: 'ES1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 6000,
    });
    const pending = await eventually(
      async () => {
        const items = (await http(server.url, 'GET', `/api/orders?accountId=${account.id}`)).body.items as { id: string; status: string }[];
        return items.find((o) => o.status === 'pending');
      },
      5_000,
      'the order on record, not yet at the broker',
    );
    const cancelled = await http(server.url, 'DELETE', `/api/orders/${pending.id}`);
    const placed = await placing;
    expect(placed.status).toBe(201);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const clientOrderId = placed.body.clientOrderId as string;
    expect(journal()).toEqual([`place ${clientOrderId}`, `cancel ${clientOrderId}`]);
    const onRecord = (await http(server.url, 'GET', `/api/orders?accountId=${account.id}`)).body.items as { id: string; status: string }[];
    expect(onRecord.find((o) => o.id === pending.id)?.status).toBe('cancelled');
  });

  it('is refused after a while when the broker does not answer, and then stands as the broker has it', async () => {
    journal().length = 0;
    const placing = http(server.url, 'POST', '/api/orders', {
      accountId: account.id,
      ticker: 'ES1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 1,
    });
    const pending = await eventually(
      async () => {
        const items = (await http(server.url, 'GET', `/api/orders?accountId=${account.id}`)).body.items as {
          id: string;
          status: string;
          limitPrice: number;
        }[];
        return items.find((o) => o.status === 'pending' && o.limitPrice === 1);
      },
      5_000,
      'the order on record, not yet at the broker',
    );
    const started = Date.now();
    const cancelled = await http(server.url, 'DELETE', `/api/orders/${pending.id}`);
    // Waited for the send (5 s at most), not for the broker's 7 s.
    expect(Date.now() - started).toBeLessThan(6_500);
    expect(cancelled.status).toBe(409);
    const placed = await placing;
    expect(placed.body.status).toBe('working');
    expect(journal()).toEqual([`place ${placed.body.clientOrderId as string}`]);
  }, 20_000);
});
