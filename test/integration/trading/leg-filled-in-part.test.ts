import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BracketsService } from '../../../apps/server/src/execution/brackets.service.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/**
 * A broker that fills market orders whole at 6,000 a moment after acking them and rests every
 * other order until the test fills it, a piece or all of it, at its own price through
 * `globalThis.legBroker.fill(clientOrderId, quantity)` (plugins run in the server's process);
 * while `globalThis.legBroker.refuseStops` is set it refuses stop orders.
 */
const LEG_BROKER = `
const resting = new Map();
const reporters = [];
globalThis.legBroker = {
  async fill(clientOrderId, quantity) {
    const order = resting.get(clientOrderId);
    if (!order) throw new Error('no resting order ' + clientOrderId);
    order.left -= quantity;
    if (order.left === 0) resting.delete(order.clientOrderId);
    await reporters[0](order, quantity, order.limitPrice ?? order.stopPrice);
  },
};
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    let fills = 0;
    const fill = (order, quantity, price) => ctx.reportFill({ fillId: 'F' + ++fills,
      clientOrderId: order.clientOrderId, brokerOrderId: 'L-' + order.clientOrderId, ticker: order.ticker, side: order.side,
      quantity, price, commission: 0, time: Date.now() });
    reporters.unshift(fill);
    return {
      async placeOrder(order) {
        if (order.type === 'stop' && globalThis.legBroker.refuseStops) throw new Error('stop price is through the market');
        if (order.type === 'market') setTimeout(() => void fill(order, order.quantity, 6000).catch(() => undefined), 20);
        else resting.set(order.clientOrderId, { ...order, left: order.quantity });
        return { brokerOrderId: 'L-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        return resting.delete(clientOrderId);
      },
    };
  },
};
`;

const legBroker = () =>
  (globalThis as unknown as { legBroker: { fill(suffix: string, quantity: number): Promise<void>; refuseStops?: boolean } }).legBroker;

interface OrderRow {
  id: string;
  strategyId: string;
  clientOrderId: string;
  side: string;
  status: string;
  type: string;
  quantity: number;
  filledQuantity: number;
  limitPrice: number | null;
  stopPrice: number | null;
}

/**
 * A bracket's legs close no more than its entry opened when one of them fills a piece at a time:
 * the other leg is cut to what is still held, at its own price. ES (0.25 a tick): a buy of 3 at
 * 6,000, take profit 40 ticks up (6,010), stop 8 ticks down (5,998).
 */
describe.each(['sqlite', 'postgres'] as const)('a bracket leg filled in part (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let account: { id: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'leg-broker': LEG_BROKER }));
    server.app.get(MarketService).publish({ ticker: 'ES1!', bid: 6000, ask: 6000.25, time: Date.now() });
    account = (await http(server.url, 'POST', '/api/accounts', { name: 'Legs', broker: 'leg-broker', brokerAccountId: 'L1' })).body;
  });
  afterAll(async () => {
    await close?.();
  });

  it('says as an error that a position has no stop loss when the broker refused it', async () => {
    legBroker().refuseStops = true;
    try {
      const strategy = (
        await http(server.url, 'POST', '/api/strategies', {
          name: 'refused stop',
          accountId: account.id,
          exits: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 8 } },
        })
      ).body;
      await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 1, price: 6000 });
      const line = await eventually(
        async () =>
          ((await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&level=error&limit=20`)).body as { message: string }[]).find(
            (l) => l.message.startsWith('bracket for buy 1 ES1!'),
          ),
        5_000,
        'the bracket logged as an error',
      );
      expect(line.message).toMatch(
        /take profit sell 1 @ 6010 → working, stop loss sell 1 @ 5998 → rejected \(.*stop price is through the market\): the position has no stop loss/,
      );
    } finally {
      legBroker().refuseStops = false;
    }
  });

  async function boughtWithBracket(
    name: string,
  ): Promise<{ orders(): Promise<OrderRow[]>; position(): Promise<number[]>; fill(suffix: string, quantity: number): Promise<void> }> {
    const strategy = (
      await http(server.url, 'POST', '/api/strategies', {
        name,
        accountId: account.id,
        exits: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 8 } },
      })
    ).body;
    const webhook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      quantity: 3,
      price: 6000,
    });
    expect(webhook.status).toBe(202);
    const orders = async () => (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=50`)).body.items as OrderRow[];
    const position = async () =>
      ((await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as { quantity: number }[]).map((p) => p.quantity);
    await eventually(
      async () => (await orders()).filter((o) => /:(tp|sl)1$/.test(o.clientOrderId) && o.status === 'working').length === 2,
      5_000,
      'both legs working',
    );
    // This strategy's leg: the broker holds every test's orders.
    const fill = async (suffix: string, quantity: number) =>
      legBroker().fill((await orders()).find((o) => o.clientOrderId.endsWith(suffix) && o.status === 'working')!.clientOrderId, quantity);
    return { orders, position, fill };
  }
  const leg = (orders: OrderRow[], suffix: RegExp) => orders.find((o) => suffix.test(o.clientOrderId));
  /** The leg once it rests at the broker (a new one is on record, pending, a moment before). */
  const working = async (orders: () => Promise<OrderRow[]>, suffix: RegExp, what: string) =>
    eventually(
      async () => {
        const found = leg(await orders(), suffix);
        return found?.status === 'working' ? found : undefined;
      },
      5_000,
      what,
    );

  it('a stop filled in part cuts the take profit to what is held, and the take profit then closes the rest', async () => {
    const { orders, position, fill } = await boughtWithBracket('stop in part');
    await fill(':sl1', 2);
    const cut = await working(orders, /:tp1\.1$/, 'the take profit cut');
    expect([cut.type, cut.quantity, cut.limitPrice, cut.status]).toEqual(['limit', 1, 6010, 'working']);
    const first = leg(await orders(), /:tp1$/)!;
    expect([first.status, first.filledQuantity]).toEqual(['cancelled', 0]);
    expect(await position()).toEqual([1]);

    // The cut take profit fills: the position is flat, not short 2, and the stop's last contract is cancelled.
    await fill(':tp1.1', 1);
    await eventually(async () => leg(await orders(), /:sl1$/)!.status === 'cancelled', 5_000, 'the stop cancelled');
    const stop = leg(await orders(), /:sl1$/)!;
    expect([stop.quantity, stop.filledQuantity]).toEqual([3, 2]);
    expect(await position()).toEqual([]); // flat: no open position
    expect((await orders()).filter((o) => o.status === 'working')).toEqual([]);
  });

  it('a take profit filled in part cuts the stop, once for each piece', async () => {
    const { orders, position, fill } = await boughtWithBracket('take profit in part');
    await fill(':tp1', 1);
    const once = await working(orders, /:sl1\.1$/, 'the stop cut');
    expect([once.type, once.quantity, once.stopPrice, once.status]).toEqual(['stop', 2, 5998, 'working']);
    await fill(':tp1', 1);
    const twice = await working(orders, /:sl1\.2$/, 'the stop cut again');
    expect([twice.quantity, twice.stopPrice]).toEqual([1, 5998]);
    expect(leg(await orders(), /:sl1\.1$/)!.status).toBe('cancelled');
    expect(await position()).toEqual([1]);

    // The stop's last contract: the take profit's last one is cancelled, and the position is flat.
    await fill(':sl1.2', 1);
    await eventually(async () => leg(await orders(), /:tp1$/)!.status === 'cancelled', 5_000, 'the take profit cancelled');
    expect(await position()).toEqual([]); // flat: no open position
    expect((await orders()).filter((o) => o.status === 'working')).toEqual([]);
  });

  it("cuts a manual order's leg too (no strategy)", async () => {
    const entry = await http(server.url, 'POST', '/api/orders', {
      accountId: account.id,
      ticker: 'ES1!',
      side: 'sell',
      quantity: 2,
      takeProfit: { ticks: 40 },
      stopLoss: { ticks: 8 },
    });
    expect(entry.status).toBe(201);
    const parent = entry.body.clientOrderId as string;
    const orders = async () =>
      ((await http(server.url, 'GET', `/api/orders?accountId=${account.id}&limit=200`)).body.items as OrderRow[]).filter((o) =>
        o.clientOrderId.startsWith(`${parent}:`),
      );
    const stop = await working(orders, /:sl1$/, 'the stop working');
    await working(orders, /:tp1$/, 'the take profit working');
    await legBroker().fill(stop.clientOrderId, 1);
    const cut = await working(orders, /:tp1\.1$/, 'the take profit cut');
    // A short's take profit is a buy 40 ticks below the entry at 6,000.
    expect([cut.side, cut.quantity, cut.limitPrice]).toEqual(['buy', 1, 5990]);
    expect(cut.strategyId).toBeNull();
    for (const open of (await orders()).filter((o) => o.status === 'working'))
      expect((await http(server.url, 'DELETE', `/api/orders/${open.id}`)).status).toBe(200);
  });

  it('places no cut leg for a bracket cancelled meanwhile (a flatten is cancelling its legs)', async () => {
    const { orders, fill } = await boughtWithBracket('cancelled bracket');
    const strategyId = (await orders())[0].strategyId;
    // The flatten's first step: the bracket stops; its legs are still working when a piece of the stop fills.
    expect(await server.app.get(BracketsService).cancelBrackets(strategyId)).toBe(1);
    await fill(':sl1', 1);
    await eventually(async () => leg(await orders(), /:tp1$/)!.status === 'cancelled', 5_000, 'the take profit cut');
    await server.app.get(BracketsService).idle();
    expect((await orders()).filter((o) => /\.\d+$/.test(o.clientOrderId))).toEqual([]);
    // The flatten's next step, by hand: the stop's last contracts are cancelled.
    expect((await http(server.url, 'DELETE', `/api/orders/${leg(await orders(), /:sl1$/)!.id}`)).status).toBe(200);
  });
});
