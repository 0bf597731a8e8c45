import { describe, expect, it } from '@jest/globals';
import {
  PLUGIN_API_VERSION,
  type BrokerContext,
  type BrokerFill,
  type Instrument,
  type OrderRequest,
  type OrderUpdate,
  type Quote,
} from '@tradeloop/contracts';
import { defineBrokerContractTests } from '@tradeloop/broker-contract';
import paperBroker, { crossingPrice, PaperBroker } from './index.js';
import { REMEMBERED_PLACEMENTS } from './paper-broker.js';

const NQ: Instrument = { root: 'NQ', description: 'E-mini Nasdaq-100', kind: 'future', tickSize: 0.25, tickValue: 5 };

/** A real, in-memory BrokerContext: a quote source with listeners and arrays that capture what the broker reports. */
function memoryContext(config: Record<string, unknown> = {}) {
  const latest = new Map<string, Quote>();
  const listeners = new Set<(quote: Quote) => void>();
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const hooks = { failFills: 0 };
  const context: BrokerContext = {
    config,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string): Instrument =>
      /NQ/i.test(ticker)
        ? NQ
        : { root: ticker.toUpperCase(), description: ticker.toUpperCase(), kind: 'equity', tickSize: 0.01, tickValue: 0.01 },
    quotes: {
      latest: (ticker) => latest.get(ticker),
      onQuote: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    reportFill: async (fill) => {
      await Promise.resolve();
      if (hooks.failFills > 0) {
        hooks.failFills--;
        throw new Error('ledger unavailable');
      }
      fills.push(fill);
    },
    reportOrderUpdate: async (update) => {
      await Promise.resolve();
      updates.push(update);
    },
    accounts: async () => [],
    onAccountsChanged: () => () => undefined,
  };
  /** Like the server's MarketService: cache first, then every listener, synchronously. */
  const publishQuote = (quote: Quote) => {
    latest.set(quote.ticker, quote);
    for (const listener of listeners) listener(quote);
  };
  return { context, publishQuote, fills, updates, logs, listeners, hooks };
}

function harness(config: Record<string, unknown> = {}) {
  const memory = memoryContext(config);
  const plugin = paperBroker.create(memory.context);
  return { ...memory, plugin, teardown: async () => undefined };
}

defineBrokerContractTests('paper-broker', async () => harness());

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

let seq = 0;
const order = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `paper-spec-${++seq}`,
  brokerAccountId: 'paper',
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'market',
  ...fields,
});

describe('paper broker', () => {
  it('exports a broker module for this plugin API', () => {
    expect(paperBroker.kind).toBe('broker');
    expect(paperBroker.apiVersion).toBe(PLUGIN_API_VERSION);
    expect(typeof paperBroker.create).toBe('function');
  });

  it('charges commissionPerContract per contract on every fill', async () => {
    const h = harness({ commissionPerContract: 2.25 });
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    await h.plugin.placeOrder(order({ quantity: 3 }));
    await h.plugin.placeOrder(order({ side: 'sell', quantity: 1 }));
    expect(h.fills.map((f) => f.commission)).toEqual([6.75, 2.25]);
  });

  it('rounds commission to whole cents', async () => {
    const h = harness({ commissionPerContract: 0.62 });
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    await h.plugin.placeOrder(order({ quantity: 3 }));
    expect(h.fills[0]!.commission).toBe(1.86);
  });

  it('charges no commission by default, and none for a nonsense setting (with a warning)', async () => {
    const h = harness({ commissionPerContract: 'lots' });
    expect(h.logs.some((l) => l.startsWith('warn:') && l.includes('commissionPerContract'))).toBe(true);
    await h.plugin.placeOrder(order({ referencePrice: 25300 }));
    expect(h.fills[0]!.commission).toBe(0);
  });

  it('fills a market order at the alert price when there is no quote', async () => {
    const h = harness();
    const ack = await h.plugin.placeOrder(order({ side: 'sell', quantity: 2, referencePrice: 25301.5 }));
    expect(ack.status).toBe('filled');
    expect(h.fills).toEqual([expect.objectContaining({ price: 25301.5, quantity: 2, side: 'sell' })]);
  });

  it("prefers a fresh quote from a real feed over the alert's price, and says so", async () => {
    const h = harness();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now(), feed: 'tradovate' });
    await h.plugin.placeOrder(order({ referencePrice: 25000 }));
    expect(h.fills[0]).toEqual(expect.objectContaining({ price: 25300.25, priceSource: 'quote:tradovate' }));
  });

  it("prefers the alert's price over the simulated feed, an old real quote and one whose feed is down", async () => {
    const h = harness({ maxQuoteAgeSeconds: 30 });
    h.publishQuote({ ticker: 'AAPL', bid: 335.1, ask: 335.11, time: Date.now(), feed: 'sim-feed', simulated: true });
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() - 31_000, feed: 'tradovate' });
    h.publishQuote({ ticker: 'ES1!', bid: 6800, ask: 6800.25, time: Date.now(), feed: 'tradovate', stale: true });
    await h.plugin.placeOrder(order({ ticker: 'AAPL', quantity: 10, referencePrice: 231.42 }));
    await h.plugin.placeOrder(order({ side: 'sell', referencePrice: 25001.5 }));
    await h.plugin.placeOrder(order({ ticker: 'ES1!', referencePrice: 6799 }));
    expect(h.fills.map((f) => [f.ticker, f.price, f.priceSource])).toEqual([
      ['AAPL', 231.42, 'alert'],
      ['NQ1!', 25001.5, 'alert'],
      ['ES1!', 6799, 'alert'],
    ]);
  });

  it('takes the simulated feed only when the alert has no price, and says so', async () => {
    const h = harness();
    h.publishQuote({ ticker: 'AAPL', bid: 335.1, ask: 335.11, time: Date.now(), feed: 'sim-feed', simulated: true });
    await h.plugin.placeOrder(order({ ticker: 'AAPL', quantity: 1 }));
    expect(h.fills[0]).toEqual(expect.objectContaining({ price: 335.11, priceSource: 'simulated' }));
  });

  it("fills a limit order at once when the alert's price reaches it, else rests it for the quotes", async () => {
    const h = harness();
    await h.plugin.start?.();
    await h.plugin.placeOrder(order({ ticker: 'SPY', type: 'limit', limitPrice: 661, referencePrice: 660 }));
    const resting = order({ ticker: 'SPY', type: 'limit', limitPrice: 650, referencePrice: 660 });
    expect((await h.plugin.placeOrder(resting)).status).toBe('working');
    h.publishQuote({ ticker: 'SPY', bid: 649.98, ask: 649.99, time: Date.now(), feed: 'sim-feed', simulated: true });
    await flush();
    expect(h.fills.map((f) => [f.price, f.priceSource])).toEqual([
      [660, 'alert'],
      [649.99, 'simulated'],
    ]);
  });

  it('cancels an ioc or fok limit order that is not marketable at once', async () => {
    const h = harness();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now(), feed: 'tradovate' });
    for (const timeInForce of ['ioc', 'fok'] as const) {
      expect(await h.plugin.placeOrder(order({ type: 'limit', limitPrice: 25290, timeInForce }))).toEqual(
        expect.objectContaining({ status: 'cancelled', reason: `${timeInForce}: not marketable when placed, so cancelled at once` }),
      );
    }
    expect((await h.plugin.placeOrder(order({ type: 'limit', limitPrice: 25301, timeInForce: 'ioc' }))).status).toBe('filled');
  });

  it('cancels a day order when its trading day ends, and refuses one placed after', async () => {
    const h = harness();
    await h.plugin.start?.();
    const day = order({ type: 'limit', limitPrice: 25000, timeInForce: 'day', expiresAt: Date.now() + 150, referencePrice: 25300 });
    expect((await h.plugin.placeOrder(day)).status).toBe('working');
    const gtc = order({ type: 'limit', limitPrice: 25000, timeInForce: 'gtc', referencePrice: 25300 });
    await h.plugin.placeOrder(gtc);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(h.updates).toEqual([
      {
        clientOrderId: day.clientOrderId,
        brokerOrderId: expect.any(String),
        status: 'cancelled',
        reason: 'day order expired at the end of its trading day',
      },
    ]);
    expect(await h.plugin.cancelOrder(gtc.clientOrderId)).toBe(true);
    expect(await h.plugin.placeOrder(order({ type: 'limit', limitPrice: 1, timeInForce: 'day', expiresAt: Date.now() - 1 }))).toEqual(
      expect.objectContaining({ status: 'cancelled', reason: 'day order placed after its trading day ended' }),
    );
  });

  it('rejects a market order with neither a quote nor an alert price', async () => {
    const h = harness();
    const ack = await h.plugin.placeOrder(order());
    expect(ack).toEqual(expect.objectContaining({ status: 'rejected', reason: 'no quote for NQ1! and no price in the alert' }));
    expect(h.fills).toHaveLength(0);
  });

  it('fills market orders of other symbols at their quote', async () => {
    const h = harness();
    h.publishQuote({ ticker: 'AAPL', bid: 231.41, ask: 231.42, time: Date.now() });
    await h.plugin.placeOrder(order({ ticker: 'AAPL', quantity: 10 }));
    expect(h.fills[0]).toEqual(expect.objectContaining({ ticker: 'AAPL', price: 231.42, quantity: 10 }));
  });

  it('rests a limit or stop order when there is no quote yet, and fills it on the first crossing quote', async () => {
    const h = harness();
    await h.plugin.start?.();
    const limit = order({ type: 'limit', limitPrice: 25290 });
    expect((await h.plugin.placeOrder(limit)).status).toBe('working');
    h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
    await flush();
    expect(h.fills).toEqual([expect.objectContaining({ clientOrderId: limit.clientOrderId, price: 25290 })]);
  });

  it('fills a gapped-through limit at the better quote price, a triggered stop at the quote', async () => {
    const h = harness();
    await h.plugin.start?.();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    const limit = order({ type: 'limit', side: 'buy', limitPrice: 25290 });
    const stop = order({ type: 'stop', side: 'sell', stopPrice: 25295 });
    await h.plugin.placeOrder(limit);
    await h.plugin.placeOrder(stop);
    h.publishQuote({ ticker: 'NQ1!', bid: 25280, ask: 25280.25, time: Date.now() });
    await flush();
    const price = (id: string) => h.fills.find((f) => f.clientOrderId === id)?.price;
    expect(price(limit.clientOrderId)).toBe(25280.25);
    expect(price(stop.clientOrderId)).toBe(25280);
    // The fill is reported before the order is reported filled.
    expect(h.updates.map((u) => u.clientOrderId).sort()).toEqual([limit.clientOrderId, stop.clientOrderId].sort());
  });

  it('acks "filled" for an immediate fill only after the fill is reported', async () => {
    const h = harness();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    const placing = h.plugin.placeOrder(order());
    expect(h.fills).toHaveLength(0);
    const ack = await placing;
    expect(ack.status).toBe('filled');
    expect(h.fills).toHaveLength(1);
  });

  it('makes fillIds unique and stamps the fill time', async () => {
    const h = harness();
    const before = Date.now();
    await h.plugin.placeOrder(order({ clientOrderId: 'same-suffix', referencePrice: 25300 }));
    await h.plugin.placeOrder(order({ referencePrice: 25300 }));
    expect(h.fills[0]!.fillId).toMatch(/^paper-\d+-same-suffix$/);
    expect(new Set(h.fills.map((f) => f.fillId)).size).toBe(2);
    expect(h.fills[0]!.time).toBeGreaterThanOrEqual(before);
    expect(h.fills[0]!.time).toBeLessThanOrEqual(Date.now());
  });

  it('lets a redelivered order try again when reporting its immediate fill failed, with the same fillId', async () => {
    const h = harness();
    h.hooks.failFills = 1;
    const request = order({ referencePrice: 25300 });
    await expect(h.plugin.placeOrder(request)).rejects.toThrow('ledger unavailable');
    const ack = await h.plugin.placeOrder({ ...request });
    expect(ack.status).toBe('filled');
    expect(h.fills).toHaveLength(1);
  });

  it('keeps a resting order working when reporting its fill failed, and fills it on the next crossing quote', async () => {
    const h = harness();
    await h.plugin.start?.();
    const request = order({ type: 'limit', limitPrice: 25290 });
    await h.plugin.placeOrder(request);
    h.hooks.failFills = 1;
    h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
    await flush();
    expect(h.fills).toHaveLength(0);
    expect(h.logs.some((l) => l.startsWith('error:') && l.includes(request.clientOrderId))).toBe(true);
    h.publishQuote({ ticker: 'NQ1!', bid: 25289.5, ask: 25289.75, time: Date.now() });
    await flush();
    expect(h.fills).toHaveLength(1);
    expect(h.fills[0]!.price).toBe(25289.75);
    expect(h.updates).toEqual([expect.objectContaining({ clientOrderId: request.clientOrderId, status: 'filled' })]);
  });

  it('cannot cancel an order while its fill is being reported', async () => {
    const h = harness();
    await h.plugin.start?.();
    const request = order({ type: 'limit', limitPrice: 25290 });
    await h.plugin.placeOrder(request);
    h.publishQuote({ ticker: 'NQ1!', bid: 25289.75, ask: 25290, time: Date.now() });
    await Promise.resolve();
    expect(await h.plugin.cancelOrder(request.clientOrderId)).toBe(false);
    await flush();
    expect(h.fills).toHaveLength(1);
  });

  it('remembers a bounded number of placements for redeliveries, and every resting order', async () => {
    // Every order it had ever taken stayed in two maps: a long-running paper account grew without end.
    const h = harness();
    const broker = h.plugin as PaperBroker;
    await broker.start?.();
    const resting = order({ type: 'limit', limitPrice: 20000, referencePrice: 25300 });
    expect((await broker.placeOrder(resting)).status).toBe('working');
    const placed: OrderRequest[] = [];
    for (let i = 0; i < REMEMBERED_PLACEMENTS + 50; i++) {
      const request = order({ referencePrice: 25300 });
      placed.push(request);
      await broker.placeOrder(request);
    }
    expect(h.fills).toHaveLength(REMEMBERED_PLACEMENTS + 50);
    expect(broker.remembered).toBe(REMEMBERED_PLACEMENTS);
    // A recent order sent again gets its first answer and fills no second time.
    expect(await broker.placeOrder({ ...placed.at(-1)! })).toEqual({ brokerOrderId: expect.any(String), status: 'filled' });
    // The resting order, the oldest of all, is kept: sent again, it does not rest twice.
    expect((await broker.placeOrder({ ...resting })).status).toBe('working');
    expect(h.fills).toHaveLength(REMEMBERED_PLACEMENTS + 50);
    h.publishQuote({ ticker: 'NQ1!', bid: 19999.75, ask: 20000, time: Date.now() });
    await flush();
    expect(h.fills.filter((f) => f.clientOrderId === resting.clientOrderId)).toHaveLength(1);
  });

  it('stops listening to quotes on stop()', async () => {
    const h = harness();
    await h.plugin.start?.();
    expect(h.listeners.size).toBe(1);
    await h.plugin.stop?.();
    expect(h.listeners.size).toBe(0);
  });
});

describe('crossingPrice', () => {
  const q: Quote = { ticker: 'NQ1!', bid: 100, ask: 100.25, time: 0 };
  it.each([
    [{ type: 'limit', side: 'buy', limitPrice: 100.25 }, 100.25],
    [{ type: 'limit', side: 'buy', limitPrice: 101 }, 100.25],
    [{ type: 'limit', side: 'buy', limitPrice: 100 }, undefined],
    [{ type: 'limit', side: 'sell', limitPrice: 100 }, 100],
    [{ type: 'limit', side: 'sell', limitPrice: 99 }, 100],
    [{ type: 'limit', side: 'sell', limitPrice: 100.25 }, undefined],
    [{ type: 'stop', side: 'buy', stopPrice: 100.25 }, 100.25],
    [{ type: 'stop', side: 'buy', stopPrice: 100.5 }, undefined],
    [{ type: 'stop', side: 'sell', stopPrice: 100 }, 100],
    [{ type: 'stop', side: 'sell', stopPrice: 99.75 }, undefined],
    [{ type: 'market', side: 'buy' }, 100.25],
    [{ type: 'market', side: 'sell' }, 100],
  ] as const)('%o against 100 / 100.25 → %p', (fields, expected) => {
    expect(crossingPrice(order(fields), q)).toBe(expected);
  });
});
