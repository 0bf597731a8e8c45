import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HeldOrdersService } from '../../../apps/server/src/execution/held-orders.service.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, type TestServer } from '../../support/app.js';
import { serverWithBrokers } from '../../support/broker-plugin.js';

/** A broker that rests every order; what it was asked is kept in `globalThis.heldCancelJournal` (plugins run in the server's process). */
const JOURNAL_BROKER = `
const journal = (globalThis.heldCancelJournal ??= []);
export default {
  kind: 'broker',
  apiVersion: 1,
  create() {
    const resting = new Set();
    return {
      async placeOrder(order) {
        resting.add(order.clientOrderId);
        journal.push('place ' + order.clientOrderId);
        return { brokerOrderId: 'J-' + order.clientOrderId, status: 'working' };
      },
      async cancelOrder(clientOrderId) {
        journal.push('cancel ' + clientOrderId);
        return resting.delete(clientOrderId);
      },
    };
  },
};
`;

const journal = () => ((globalThis as { heldCancelJournal?: string[] }).heldCancelJournal ??= []);

/**
 * A stop-limit the server holds, cancelled by hand just as a quote touches its stop: either the
 * cancel takes it (never sent) or the trigger does (sent, then cancelled at the broker, or still
 * working there if the broker refused) — never cancelled on record while it rests at the broker.
 * The cancel and the quote are a few milliseconds apart, 20 times, so both orders of events occur.
 */
describe.each(['sqlite', 'postgres'] as const)('a held order cancelled as it is touched (%s)', (kind) => {
  let server: TestServer;
  let close: () => Promise<void>;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    ({ server, close } = await serverWithBrokers(kind, { 'journal-held-broker': JOURNAL_BROKER }));
    const account = (
      await http(server.url, 'POST', '/api/accounts', { name: 'Held', broker: 'journal-held-broker', brokerAccountId: 'H1' })
    ).body;
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'held-cancel', accountId: account.id })).body;
  });
  afterAll(async () => {
    await close?.();
  });

  it('is never cancelled on record while it rests at the broker', async () => {
    const market = server.app.get(MarketService);
    const held = server.app.get(HeldOrdersService);
    const quote = (ask: number) => market.publish({ ticker: 'ES1!', bid: ask - 0.25, ask, time: Date.now() });
    quote(6000);
    const orders = async () =>
      (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=50`)).body.items as {
        id: string;
        clientOrderId: string;
        status: string;
      }[];
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const stop = 6100 + 10 * i;
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
      const order = await eventually(
        async () => (await orders()).find((o) => o.clientOrderId.startsWith(sent.body.eventId) && o.status === 'working'),
        5_000,
        'the stop held',
      );
      const cancelling = http(server.url, 'DELETE', `/api/orders/${order.id}`);
      await new Promise((resolve) => setTimeout(resolve, i % 6));
      quote(stop);
      const cancelled = await cancelling;
      await held.idle();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const status = (await orders()).find((o) => o.id === order.id)!.status;
      const asked = journal().filter((line) => line.endsWith(` ${order.clientOrderId}`));
      outcomes.push(`${cancelled.status} ${status} [${asked.map((line) => line.split(' ')[0]).join(',')}]`);
    }
    // Cancelled before the touch (never sent), or after it (sent, then cancelled at the broker).
    for (const outcome of outcomes) expect(['200 cancelled []', '200 cancelled [place,cancel]']).toContain(outcome);
  });
});
