import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that fills market orders whole at 6,000 a moment after acking them and rests every
 * other order; cancelling a stop, it reports one contract of it filled at its stop price as it
 * confirms the cancel (filled at the broker just before the cancel took).
 */
const PART_FILL_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const resting = new Map();
    const fill = (order, quantity, price) => ctx.reportFill({ fillId: order.clientOrderId + ':' + quantity + '@' + price,
      clientOrderId: order.clientOrderId, brokerOrderId: 'P-' + order.clientOrderId, ticker: order.ticker, side: order.side,
      quantity, price, commission: 0, time: Date.now() }).catch(() => undefined);
    return {
      async placeOrder(order) {
        if (order.type === 'market') setTimeout(() => void fill(order, order.quantity, 6000), 20);
        else resting.set(order.clientOrderId, order);
        return { brokerOrderId: 'P-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        const order = resting.get(clientOrderId);
        if (!order) return false;
        resting.delete(clientOrderId);
        if (order.type === 'stop') void fill(order, 1, order.stopPrice);
        return true;
      },
    };
  },
};
`;

/**
 * A stop moved to break-even replaces the old one for what is left of it: one contract of the old
 * stop filled as it was cancelled, so the new stop covers the one contract still held (ES: 0.25 a
 * tick; stop 8 ticks below the 6,000 entry, moved to the entry once price is 4 ticks up).
 */
describe.each(['sqlite', 'postgres'] as const)('a moved stop after a piece of the old one filled (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'part-fill-broker': PART_FILL_BROKER }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('covers only the contracts still held', async () => {
    const market = server.app.get(MarketService);
    const quote = (bid: number) => market.publish({ ticker: 'ES1!', bid, ask: bid + 0.25, time: Date.now() });
    quote(6000);
    const account = (
      await http(server.url, 'POST', '/api/accounts', { name: 'Part fill', broker: 'part-fill-broker', brokerAccountId: 'P1' })
    ).body;
    const strategy = (
      await http(server.url, 'POST', '/api/strategies', {
        name: 'break-even',
        accountId: account.id,
        exits: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 8 }, breakEvenTicks: 4 },
      })
    ).body;
    expect(
      (await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 2, price: 6000 }))
        .status,
    ).toBe(202);
    const orders = async () =>
      (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=50`)).body.items as {
        clientOrderId: string;
        status: string;
        quantity: number;
        filledQuantity: number;
        stopPrice: number | null;
      }[];
    await eventually(
      async () => (await orders()).find((o) => /:sl1$/.test(o.clientOrderId) && o.status === 'working'),
      5_000,
      'the stop working',
    );
    quote(6002);
    const moved = await eventually(async () => (await orders()).find((o) => /:sl1\.1$/.test(o.clientOrderId)), 5_000, 'the moved stop');
    const old = (await orders()).find((o) => /:sl1$/.test(o.clientOrderId))!;
    expect([old.status, old.filledQuantity]).toEqual(['cancelled', 1]);
    expect([moved.quantity, moved.stopPrice]).toEqual([1, 6000]);
    const positions = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as { quantity: number }[];
    expect(positions.map((p) => p.quantity)).toEqual([1]);
  });
});
