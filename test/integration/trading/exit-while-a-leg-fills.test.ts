import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that fills market orders at 6,000 a moment after acking them and rests every other
 * order. While `globalThis.raceBroker.fillOnCancel` is set, a resting stop asked to cancel fills
 * instead: the market reached it while the cancel was on its way, so the fill is reported and the
 * cancel comes too late (false), as a real broker answers it.
 */
const RACE_BROKER = `
const resting = new Map();
globalThis.raceBroker = { fillOnCancel: false };
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    let fills = 0;
    const fill = (order, quantity, price) => ctx.reportFill({ fillId: 'R' + ++fills,
      clientOrderId: order.clientOrderId, brokerOrderId: 'R-' + order.clientOrderId, ticker: order.ticker, side: order.side,
      quantity, price, commission: 0, time: Date.now() });
    return {
      async placeOrder(order) {
        if (order.type === 'market') setTimeout(() => void fill(order, order.quantity, 6000).catch(() => undefined), 20);
        else resting.set(order.clientOrderId, order);
        return { brokerOrderId: 'R-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        const order = resting.get(clientOrderId);
        if (!order) return false;
        resting.delete(clientOrderId);
        if (globalThis.raceBroker.fillOnCancel && order.type === 'stop') {
          await fill(order, order.quantity, order.stopPrice);
          return false;
        }
        return true;
      },
    };
  },
};
`;

const raceBroker = () => (globalThis as unknown as { raceBroker: { fillOnCancel: boolean } }).raceBroker;

/**
 * A Pine strategy's exit alert and the bracket's stop often come at the same price, at the same
 * moment: the alert arrives while the position is still open, and the stop fills while the alert's
 * cancel of the bracket is on its way. The exit's own order was worked out from the position before
 * the cancels, so it sold again what the stop had sold, and the long of 1 became a short of 1. It
 * is worked out again once the cancels are done, from the position as they left it.
 */
describe.each(['sqlite', 'postgres'] as const)('an exit alert while its stop fills (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let account: { id: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'race-broker': RACE_BROKER }));
    server.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Race', broker: 'race-broker', brokerAccountId: 'R1' })).body;
  });
  afterAll(async () => {
    raceBroker().fillOnCancel = false;
    await close?.();
  });

  /** A long of 1 with its take profit and stop working, and ways to look at it. */
  async function longWithBracket(name: string) {
    raceBroker().fillOnCancel = false;
    const strategy = (
      await http(server.url, 'POST', '/api/strategies', {
        name,
        accountId: account.id,
        exits: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 8 } },
      })
    ).body;
    const hook = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', ...body });
    const working = async () =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=working`)).body.items as { type: string }[]).length;
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body as { quantity: number }[])[0]
        ?.quantity;
    await hook({ action: 'buy', quantity: 1, price: 6000 });
    await eventually(async () => (await working()) === 2, 5_000, 'the take profit and the stop working');
    expect(await position()).toBe(1);
    return { strategy, hook, working, position };
  }

  it('leaves the position flat: the exit sells nothing the stop already sold', async () => {
    const { strategy, hook, position } = await longWithBracket('exit as the stop fills');
    raceBroker().fillOnCancel = true;
    const exit = await hook({ action: 'exit', price: 5998 });
    expect(exit.status).toBe(202);
    const event = await eventually(
      async () => {
        const body = (await http(server.url, 'GET', `/api/events/${exit.body.eventId}`)).body;
        return body.status === 'done' ? body : undefined;
      },
      10_000,
      'the exit handled',
    );
    const orders = await eventually(
      async () => {
        const list = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=20`)).body.items as {
          clientOrderId: string;
          status: string;
        }[];
        return list.every((o) => o.status !== 'pending' && o.status !== 'working') ? list : undefined;
      },
      10_000,
      'every order at rest',
    );
    // Whatever was sent has filled by now (the broker fills market orders 20 ms after their ack).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await position()).toBe(0);
    // The stop's fill closed the one trade; the exit placed nothing.
    expect(orders.filter((o) => o.clientOrderId.startsWith(`${exit.body.eventId}:`))).toEqual([]);
    const trades = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body;
    expect(trades.total).toBe(1);
    expect(trades.items[0].exitPrice).toBe(5998);
    // The event's line in the log says what became of it: the take profit cancelled, and nothing left to sell.
    const lines = ((await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=50`)).body as { message: string }[]).map(
      (l) => l.message,
    );
    const outcome = lines.find((m) => m.startsWith(`alert #${String(event.id).slice(0, 8)}`));
    expect(outcome).toMatch(/cancelled 1 working order\(s\).*already at target position 0/);
  });

  it('leaves the position flat when a flatten meets the stop filling: it closes what the cancels left', async () => {
    const { strategy, working, position } = await longWithBracket('flatten as the stop fills');
    raceBroker().fillOnCancel = true;
    const flattened = await http(server.url, 'POST', '/api/positions/flatten', { strategyId: strategy.id });
    expect(flattened.status).toBe(200);
    expect(flattened.body.orders).toEqual([]);
    await eventually(async () => (await working()) === 0, 5_000, 'nothing working');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await position()).toBe(0);
  });
});
