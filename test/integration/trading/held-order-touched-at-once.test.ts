import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HeldOrdersService } from '../../../apps/server/src/execution/held-orders.service.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/** A broker that rests every order it is sent. */
const RESTING_BROKER = `
export default {
  kind: 'broker',
  apiVersion: 1,
  create() {
    return {
      async placeOrder(order) { return { brokerOrderId: 'R-' + order.clientOrderId, status: 'working' }; },
      async cancelOrder() { return true; },
    };
  },
};
`;

/**
 * A stop-limit the server holds is touched by the quote that comes right after it is held, before
 * its own "working" is on record: it is sent, never left working on record and watched by no one.
 */
describe.each(['sqlite', 'postgres'] as const)('a held order touched as it is held (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'resting-broker': RESTING_BROKER }));
    const account = (await http(server.url, 'POST', '/api/accounts', { name: 'Resting', broker: 'resting-broker', brokerAccountId: 'R1' }))
      .body;
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'stops', accountId: account.id })).body;
  });
  afterAll(async () => {
    await close?.();
  });

  it('is sent, every time', async () => {
    const market = server.app.get(MarketService);
    const held = server.app.get(HeldOrdersService);
    // An ask of 7,000 on every turn: a buy stop below it is touched by the first quote after it is held.
    let quoting = true;
    const quote = () => {
      if (!quoting) return;
      market.publish({ ticker: 'ES1!', bid: 6999.75, ask: 7000, time: Date.now() });
      setImmediate(quote);
    };
    quote();
    try {
      for (let i = 0; i < 10; i++) {
        const stop = 6500 + i;
        const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
          ticker: 'ES1!',
          action: 'buy',
          quantity: 1,
          orderType: 'stop_limit',
          stopPrice: stop,
          limitPrice: stop,
          cancel: false,
        });
        expect(sent.status).toBe(202);
      }
      await new Promise((resolve) => setTimeout(resolve, 600));
      await held.idle();
    } finally {
      quoting = false;
    }
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=50`)).body.items as {
      id: string;
      status: string;
      triggeredAt: string | null;
    }[];
    expect(orders).toHaveLength(10);
    const holding = new Set(held.holding().map((o) => o.id));
    const stranded = orders.filter((o) => o.status === 'working' && o.triggeredAt === null && !holding.has(o.id));
    expect(stranded).toEqual([]);
    expect(orders.map((o) => [o.status, o.triggeredAt !== null])).toEqual(Array(10).fill(['working', true]));
  });
});
