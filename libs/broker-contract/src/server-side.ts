import type {
  BrokerAccount,
  BrokerContext,
  BrokerFill,
  BrokerPlugin,
  DataFeedContext,
  FeedStatusReport,
  Instrument,
  OrderRequest,
  OrderUpdate,
  Quote,
  RecordedOrder,
} from '@tradeloop/contracts';
import { afterEach } from '@jest/globals';
import type { BrokerContractHarness } from './broker.contract.js';

/** An order as the server keeps it: recorded before the broker is asked, its id stored from the answer. */
export interface RecordEntry {
  order: RecordedOrder;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
}

export interface ServerSideOptions {
  /** The plugin's settings, as the server merges them. */
  config: Record<string, unknown>;
  /** The server's instrument catalog: instruments for the contexts, canonical tickers for published quotes. */
  catalog: { instrument(ticker: string): Instrument; canonical(ticker: string): string };
  accounts: BrokerAccount[];
  /** The orders on record to start from (a restart keeps them); shared, not copied. */
  records?: RecordEntry[];
  /** The server's latest quote of a ticker (none by default). */
  latest?: (ticker: string) => Quote | undefined;
  /** The first this many fills are refused, like a ledger that is not there. */
  failFills?: number;
  /** A fill whose fillId is booked already is let go, as the ledger does; otherwise every report is kept, to be counted. */
  ignoreRepeatedFills?: boolean;
}

/** The server as a plugin meets it in tests: its two contexts, and what the plugin reported through them. */
export interface ServerSide {
  brokerContext: BrokerContext;
  feedContext: DataFeedContext;
  records: RecordEntry[];
  fills: BrokerFill[];
  updates: OrderUpdate[];
  quotes: Quote[];
  statuses: FeedStatusReport[];
  /** Every log line, `level: message`. */
  logs: string[];
  readonly accounts: BrokerAccount[];
  /** Replaces the accounts and tells the plugin, like PATCH /api/accounts does. */
  setAccounts(accounts: BrokerAccount[]): void;
  /** The plugin as the server calls it: each order on record before the plugin is asked, its broker id and status stored from the answer. */
  recording<P extends BrokerPlugin>(plugin: P): P;
}

/** Contexts like the server's, in memory, that record everything the plugin reports (after one turn of the event loop's microtasks, as a real ledger answers later). */
export function serverSide(options: ServerSideOptions): ServerSide {
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const quotes: Quote[] = [];
  const statuses: FeedStatusReport[] = [];
  const logs: string[] = [];
  const records = options.records ?? [];
  let accounts = options.accounts;
  let failFills = options.failFills ?? 0;
  const listeners = new Set<() => void>();
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const base = {
    config: options.config,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string) => options.catalog.instrument(ticker),
  };
  const broker: BrokerContext = {
    ...base,
    quotes: { latest: (ticker) => options.latest?.(ticker), onQuote: () => () => undefined },
    reportFill: async (fill) => {
      await Promise.resolve();
      if (failFills > 0) {
        failFills--;
        throw new Error('ledger unavailable');
      }
      if (options.ignoreRepeatedFills && fills.some((f) => f.fillId === fill.fillId)) return;
      fills.push(fill);
    },
    reportOrderUpdate: async (update) => {
      await Promise.resolve();
      updates.push(update);
      const entry = records.find((r) => r.order.clientOrderId === update.clientOrderId);
      if (entry) entry.status = update.status;
    },
    openOrders: async () => records.filter((r) => r.status === 'pending' || r.status === 'working').map((r) => ({ ...r.order })),
    accounts: async () => structuredClone(accounts),
    onAccountsChanged: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const datafeed: DataFeedContext = {
    ...base,
    publish: (quote) => quotes.push({ ...quote, ticker: options.catalog.canonical(quote.ticker) }),
    reportStatus: (status) => statuses.push(status),
  };
  return {
    brokerContext: broker,
    feedContext: datafeed,
    records,
    fills,
    updates,
    quotes,
    statuses,
    logs,
    get accounts() {
      return accounts;
    },
    setAccounts: (next) => {
      accounts = next;
      for (const listener of listeners) listener();
    },
    recording: (plugin) => ({
      ...plugin,
      placeOrder: async (order: OrderRequest) => {
        let entry = records.find((r) => r.order.clientOrderId === order.clientOrderId);
        if (!entry) {
          entry = { order: recordOf(order), status: 'pending' };
          records.push(entry);
        }
        const ack = await plugin.placeOrder(order);
        entry.order.brokerOrderId = ack.brokerOrderId || entry.order.brokerOrderId;
        if (entry.status === 'pending' || entry.status === 'working') entry.status = ack.status;
        return ack;
      },
    }),
  };
}

/** An order as the server records it just before it asks the plugin. */
export const recordOf = (order: OrderRequest): RecordedOrder => ({
  clientOrderId: order.clientOrderId,
  brokerAccountId: order.brokerAccountId,
  brokerOrderId: null,
  ticker: order.ticker,
  side: order.side,
  quantity: order.quantity,
  type: order.type,
  limitPrice: order.limitPrice ?? null,
  stopPrice: order.stopPrice ?? null,
  createdAt: Date.now(),
});

export { pause, until } from './waiting.js';

let seq = 0;
/** Orders for the tests' account, each with a clientOrderId of its own; `defaults` fill what a test leaves out. */
export const orders =
  (defaults: Omit<OrderRequest, 'clientOrderId'>) =>
  (fields: Partial<OrderRequest> = {}): OrderRequest => ({
    clientOrderId: `spec-${Date.now()}-${++seq}`,
    ...defaults,
    ...fields,
  });

/** What the contract suite needs of a plugin's own test harness. */
export const contractView = (h: {
  broker: BrokerPlugin;
  publishQuote(quote: Quote): Promise<void> | void;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  teardown(): Promise<void>;
}): BrokerContractHarness => ({ plugin: h.broker, publishQuote: h.publishQuote, fills: h.fills, updates: h.updates, teardown: h.teardown });

/**
 * For a describe block: tears down the harnesses each test made, the last made first, after the
 * test. Returns the function a test hands each harness to as it makes it.
 */
export function tornDownAfterEach<H extends { teardown(): Promise<void> }>(): (harness: H) => H {
  const made: H[] = [];
  afterEach(async () => {
    for (const harness of made.splice(0).reverse()) await harness.teardown();
  });
  return (harness) => {
    made.push(harness);
    return harness;
  };
}
