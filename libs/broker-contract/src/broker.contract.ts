import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MAX_QUANTITY, type BrokerFill, type BrokerPlugin, type OrderRequest, type OrderUpdate, type Quote } from '@tradeloop/contracts';
import { pause, until } from './waiting.js';

/**
 * What a broker plugin's spec hands the contract suite, fresh for every test: the plugin (not yet
 * started: the suite calls start() and stop()), a way to publish a quote to its BrokerContext,
 * and the fills and order updates the plugin reported through that context.
 */
export interface BrokerContractHarness {
  plugin: BrokerPlugin;
  publishQuote(quote: Quote): Promise<void> | void;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  teardown(): Promise<void>;
}

/** Waits for a condition the plugin reaches asynchronously (a fill reported after a quote). */
const eventually = <T>(check: () => T | undefined | null | false, what: string) => until(check, what, 3000, 5);

/** Gives the plugin time to do something it must not do. */
const settle = (ms = 100) => pause(ms);

/**
 * The behaviour every broker plugin owes the server, tested through the public interface only.
 * Prices are NQ's (tick 0.25) and quoted for `NQ1!`.
 */
export function defineBrokerContractTests(name: string, setup: () => Promise<BrokerContractHarness>): void {
  describe(`broker plugin contract: ${name}`, () => {
    let h: BrokerContractHarness;
    let seq = 0;
    const ticker = 'NQ1!';

    const quote = async (bid: number, ask = bid + 0.25, symbol = ticker) => {
      await h.publishQuote({ ticker: symbol, bid, ask, time: Date.now() });
    };
    const order = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
      clientOrderId: `contract-${name}-${Date.now()}-${++seq}`,
      brokerAccountId: 'contract-account',
      ticker,
      side: 'buy',
      quantity: 1,
      type: 'market',
      ...fields,
    });
    const fillsOf = (clientOrderId: string) => h.fills.filter((f) => f.clientOrderId === clientOrderId);
    const filledFill = (clientOrderId: string) => eventually(() => fillsOf(clientOrderId)[0], `a fill of ${clientOrderId}`);
    const filledUpdate = (clientOrderId: string) =>
      eventually(
        () => h.updates.find((u) => u.clientOrderId === clientOrderId && u.status === 'filled'),
        `${clientOrderId} reported filled`,
      );

    beforeEach(async () => {
      h = await setup();
      await h.plugin.start?.();
      await quote(25300, 25300.25);
    });
    afterEach(async () => {
      await h.plugin.stop?.();
      await h.teardown();
    });

    describe('market orders', () => {
      it('fills a buy at the ask, with the order it belongs to', async () => {
        const request = order({ side: 'buy', quantity: 2 });
        const ack = await h.plugin.placeOrder(request);
        expect(['filled', 'working']).toContain(ack.status);
        expect(typeof ack.brokerOrderId).toBe('string');
        expect(ack.brokerOrderId).not.toBe('');
        const fill = await filledFill(request.clientOrderId);
        expect(fill).toEqual(
          expect.objectContaining({
            clientOrderId: request.clientOrderId,
            brokerOrderId: ack.brokerOrderId,
            ticker,
            side: 'buy',
            quantity: 2,
            price: 25300.25,
          }),
        );
        expect(typeof fill.fillId).toBe('string');
        expect(fill.fillId).not.toBe('');
        expect(Number.isFinite(fill.commission) && fill.commission >= 0).toBe(true);
        expect(Number.isFinite(fill.time) && Math.abs(fill.time - Date.now()) < 60_000).toBe(true);
      });

      it('fills a sell at the bid', async () => {
        const request = order({ side: 'sell', quantity: 3 });
        await h.plugin.placeOrder(request);
        const fill = await filledFill(request.clientOrderId);
        expect(fill).toEqual(expect.objectContaining({ side: 'sell', quantity: 3, price: 25300 }));
      });

      it('fills at the latest quote', async () => {
        await quote(25310.5, 25310.75);
        const buy = order({ side: 'buy' });
        const sell = order({ side: 'sell' });
        await h.plugin.placeOrder(buy);
        await h.plugin.placeOrder(sell);
        expect((await filledFill(buy.clientOrderId)).price).toBe(25310.75);
        expect((await filledFill(sell.clientOrderId)).price).toBe(25310.5);
      });

      it('has booked the fill by the time it acks "filled"', async () => {
        const request = order();
        const ack = await h.plugin.placeOrder(request);
        if (ack.status === 'filled') expect(fillsOf(request.clientOrderId)).toHaveLength(1);
        await filledFill(request.clientOrderId);
      });

      it('gives every fill its own fillId and every order its own brokerOrderId', async () => {
        const requests = [order(), order({ side: 'sell' }), order({ quantity: 5 })];
        const acks = await Promise.all(requests.map((r) => h.plugin.placeOrder(r)));
        for (const r of requests) await filledFill(r.clientOrderId);
        expect(new Set(acks.map((a) => a.brokerOrderId)).size).toBe(3);
        expect(new Set(h.fills.map((f) => f.fillId)).size).toBe(h.fills.length);
      });
    });

    describe('idempotency per clientOrderId', () => {
      it('answers a repeat with the first ack and never fills twice', async () => {
        const request = order({ quantity: 2 });
        const first = await h.plugin.placeOrder(request);
        await filledFill(request.clientOrderId);
        const again = await h.plugin.placeOrder({ ...request });
        expect(again).toEqual(first);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(1);
      });

      it('fills once when the same order arrives twice at the same time', async () => {
        const request = order();
        const [a, b] = await Promise.all([h.plugin.placeOrder(request), h.plugin.placeOrder({ ...request })]);
        expect(b.brokerOrderId).toBe(a.brokerOrderId);
        expect(b.status).toBe(a.status);
        await filledFill(request.clientOrderId);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(1);
      });

      it('does not fill a resting order a second time when it is placed again', async () => {
        const request = order({ type: 'limit', limitPrice: 25290 });
        const first = await h.plugin.placeOrder(request);
        expect(first.status).toBe('working');
        expect(await h.plugin.placeOrder({ ...request })).toEqual(first);
        await quote(25289.75, 25290);
        await filledFill(request.clientOrderId);
        await quote(25280, 25280.25);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(1);
      });
    });

    describe('limit orders', () => {
      it('rests a buy limit below the market, then fills it when the ask comes down to the limit', async () => {
        const request = order({ type: 'limit', side: 'buy', quantity: 2, limitPrice: 25290 });
        const ack = await h.plugin.placeOrder(request);
        expect(ack.status).toBe('working');
        await quote(25295, 25295.25);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);

        await quote(25289.75, 25290);
        const fill = await filledFill(request.clientOrderId);
        expect(fill).toEqual(expect.objectContaining({ side: 'buy', quantity: 2, brokerOrderId: ack.brokerOrderId }));
        expect(fill.price).toBeLessThanOrEqual(25290);
        const update = await filledUpdate(request.clientOrderId);
        expect(update.brokerOrderId).toBe(ack.brokerOrderId);
        expect(fillsOf(request.clientOrderId)).toHaveLength(1);
      });

      it('rests a sell limit above the market, then fills it at the limit or better', async () => {
        const request = order({ type: 'limit', side: 'sell', limitPrice: 25320 });
        expect((await h.plugin.placeOrder(request)).status).toBe('working');
        await quote(25319.75, 25320);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
        await quote(25320, 25320.25);
        const fill = await filledFill(request.clientOrderId);
        expect(fill.side).toBe('sell');
        expect(fill.price).toBeGreaterThanOrEqual(25320);
        await filledUpdate(request.clientOrderId);
      });

      it('fills a limit buy that the market gaps through at the limit or better', async () => {
        const request = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        await h.plugin.placeOrder(request);
        await quote(25270, 25270.25);
        const fill = await filledFill(request.clientOrderId);
        expect(fill.price).toBeLessThanOrEqual(25290);
      });

      it('fills a marketable limit right away, never worse than the limit', async () => {
        const buy = order({ type: 'limit', side: 'buy', limitPrice: 25310 });
        const sell = order({ type: 'limit', side: 'sell', limitPrice: 25290 });
        const buyAck = await h.plugin.placeOrder(buy);
        const sellAck = await h.plugin.placeOrder(sell);
        expect(['filled', 'working']).toContain(buyAck.status);
        expect(['filled', 'working']).toContain(sellAck.status);
        expect((await filledFill(buy.clientOrderId)).price).toBeLessThanOrEqual(25310);
        expect((await filledFill(sell.clientOrderId)).price).toBeGreaterThanOrEqual(25290);
      });

      it('is not filled by a quote of another ticker', async () => {
        const request = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        await h.plugin.placeOrder(request);
        await quote(6800, 6800.25, 'ES1!');
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
      });

      it('fills exactly once when crossing quotes arrive back to back', async () => {
        const request = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        await h.plugin.placeOrder(request);
        await Promise.all([quote(25289.75, 25290), quote(25289.5, 25289.75), quote(25289, 25289.25)]);
        await filledFill(request.clientOrderId);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(1);
        expect(h.updates.filter((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled')).toHaveLength(1);
      });
    });

    describe('stop orders', () => {
      it('rests a buy stop above the market and fills it once the ask reaches the stop', async () => {
        const request = order({ type: 'stop', side: 'buy', stopPrice: 25310 });
        const ack = await h.plugin.placeOrder(request);
        expect(ack.status).toBe('working');
        await quote(25305, 25305.25);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
        await quote(25310, 25310.25);
        const fill = await filledFill(request.clientOrderId);
        expect(fill.side).toBe('buy');
        expect(fill.price).toBeGreaterThanOrEqual(25310);
        expect((await filledUpdate(request.clientOrderId)).brokerOrderId).toBe(ack.brokerOrderId);
      });

      it('rests a sell stop below the market and fills it once the bid reaches the stop', async () => {
        const request = order({ type: 'stop', side: 'sell', stopPrice: 25290 });
        expect((await h.plugin.placeOrder(request)).status).toBe('working');
        await quote(25290.25, 25290.5);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
        await quote(25289.75, 25290);
        const fill = await filledFill(request.clientOrderId);
        expect(fill.side).toBe('sell');
        expect(fill.price).toBeLessThanOrEqual(25290);
        await filledUpdate(request.clientOrderId);
      });

      it('fills a stop the market is already through right away', async () => {
        const request = order({ type: 'stop', side: 'buy', stopPrice: 25290 });
        const ack = await h.plugin.placeOrder(request);
        expect(['filled', 'working']).toContain(ack.status);
        expect((await filledFill(request.clientOrderId)).price).toBeGreaterThanOrEqual(25290);
      });
    });

    describe('cancel', () => {
      it('cancels a working order, which then never fills', async () => {
        const request = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        expect((await h.plugin.placeOrder(request)).status).toBe('working');
        expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(true);
        await quote(25280, 25280.25);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
        expect(h.updates.some((u) => u.clientOrderId === request.clientOrderId && u.status === 'filled')).toBe(false);
        expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(false);
      });

      it('keeps a cancelled order cancelled when it is placed again', async () => {
        const request = order({ type: 'stop', side: 'buy', stopPrice: 25310 });
        await h.plugin.placeOrder(request);
        expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(true);
        await h.plugin.placeOrder({ ...request });
        await quote(25320, 25320.25);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
      });

      it('answers false for an unknown order and for a filled one', async () => {
        expect(await h.plugin.cancelOrder('contract-never-placed')).toBe(false);
        const request = order();
        await h.plugin.placeOrder(request);
        await filledFill(request.clientOrderId);
        expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(false);
      });

      it('leaves other working orders alone', async () => {
        const keep = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        const drop = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
        await h.plugin.placeOrder(keep);
        await h.plugin.placeOrder(drop);
        expect(await h.plugin.cancelOrder(drop.clientOrderId)).toBe(true);
        await quote(25289.75, 25290);
        await filledFill(keep.clientOrderId);
        await settle();
        expect(fillsOf(drop.clientOrderId)).toHaveLength(0);
      });
    });

    describe('rejections', () => {
      const expectRejected = async (request: OrderRequest, reason: RegExp) => {
        const ack = await h.plugin.placeOrder(request);
        expect(ack.status).toBe('rejected');
        expect(typeof ack.reason).toBe('string');
        expect(ack.reason).toMatch(reason);
        return ack;
      };

      it('rejects a quantity that is not a positive number, as an ack and not a throw', async () => {
        for (const quantity of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await expectRejected(order({ quantity }), /quantity/i);
        await settle();
        expect(h.fills).toHaveLength(0);
      });

      it('rejects a quantity beyond the largest order any broker takes (1e300, 1e15, MAX_QUANTITY + 1), naming it', async () => {
        for (const quantity of [1e300, 1e15, MAX_QUANTITY + 1])
          await expectRejected(order({ quantity }), /quantity .* more than any order/);
        for (const quantity of [1e300, 1e15]) await expectRejected(order({ quantity, type: 'limit', limitPrice: 25290 }), /quantity/);
        await quote(25280, 25280.25);
        await settle();
        expect(h.fills).toHaveLength(0);
      });

      it('rejects a limit order without a limitPrice, naming the field', async () => {
        await expectRejected(order({ type: 'limit' }), /limitPrice/);
      });

      it('rejects a stop order without a stopPrice, naming the field', async () => {
        await expectRejected(order({ type: 'stop', side: 'sell' }), /stopPrice/);
      });

      it('answers a repeat of a rejected order with the same rejection', async () => {
        const request = order({ quantity: 0 });
        const first = await expectRejected(request, /quantity/i);
        expect(await h.plugin.placeOrder({ ...request })).toEqual(first);
        await settle();
        expect(fillsOf(request.clientOrderId)).toHaveLength(0);
        expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(false);
      });
    });
  });
}
