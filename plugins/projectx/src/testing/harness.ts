import type {
  BrokerAccount,
  BrokerContext,
  BrokerFill,
  BrokerPlugin,
  DataFeedContext,
  DataFeedPlugin,
  FeedStatusReport,
  OrderRequest,
  OrderUpdate,
  Quote,
  RecordedOrder,
} from '@tradeloop/contracts';
import { InstrumentCatalog } from '@tradeloop/domain';
import projectx from '../index.js';
import { rootOf } from '../contracts.js';
import { FRONT } from './fake-exchange.js';
import { DEFAULT_USER, FakeProjectX, type FakeOptions, type FakeUser } from './fake-projectx.js';

/** The Tradeloop account the tests trade: the fake's user, its account `contract-account`. */
export const account = (fields: Partial<BrokerAccount> = {}, user: FakeUser = DEFAULT_USER): BrokerAccount => ({
  id: 'px-1',
  name: 'TopstepX practice',
  brokerAccountId: 'contract-account',
  settings: { userName: user.userName },
  secrets: { apiKey: user.apiKey },
  ...fields,
});

export interface RecordEntry {
  order: RecordedOrder;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
}

export interface Harness {
  fake: FakeProjectX;
  records: RecordEntry[];
  broker: BrokerPlugin & { modifyOrder?: unknown };
  feed: DataFeedPlugin;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  quotes: Quote[];
  statuses: FeedStatusReport[];
  logs: string[];
  setAccounts(accounts: BrokerAccount[]): void;
  /** Sets the fake's quote for the front month of a continuous ticker. */
  publishQuote(quote: Quote): void;
  teardown(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeOptions;
  reuse?: FakeProjectX;
  accounts?: BrokerAccount[];
  config?: Record<string, unknown>;
  records?: RecordEntry[];
}

const catalog = new InstrumentCatalog();

/** The front-month contract name the fake lists for a continuous ticker (`NQ1!` → `NQZ6`). */
export const frontName = (ticker: string) => `${rootOf(ticker)}${FRONT}`;

/** The plugin created the way the server creates it, against a fake ProjectX, with contexts that record what it reports. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.reuse ?? (await FakeProjectX.start({ keepAliveMs: 200, ...options.fake }));
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const quotes: Quote[] = [];
  const statuses: FeedStatusReport[] = [];
  const logs: string[] = [];
  const records: RecordEntry[] = options.records ?? [];
  let accounts = options.accounts ?? [account()];
  const listeners = new Set<() => void>();
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const base = {
    config: { apiUrl: fake.url, rtcUrl: fake.url, reconnectMaxMs: 200, requestTimeoutMs: 2000, rateLimitWaitSeconds: 1, ...options.config },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string) => catalog.instrument(ticker),
  };
  const brokerContext: BrokerContext = {
    ...base,
    quotes: { latest: () => undefined, onQuote: () => () => undefined },
    reportFill: async (fill) => {
      await Promise.resolve();
      if (!fills.some((f) => f.fillId === fill.fillId)) fills.push(fill);
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
  const feedContext: DataFeedContext = {
    ...base,
    publish: (quote) => quotes.push({ ...quote, ticker: catalog.canonical(quote.ticker) }),
    reportStatus: (status) => statuses.push(status),
  };
  const created = projectx.create({ broker: brokerContext, datafeed: feedContext });
  // Like the server: the order is on record before the plugin is asked, its id stored from the answer.
  const broker: BrokerPlugin = {
    ...created.broker,
    placeOrder: async (order) => {
      let entry = records.find((r) => r.order.clientOrderId === order.clientOrderId);
      if (!entry) {
        entry = { order: recordOf(order), status: 'pending' };
        records.push(entry);
      }
      const ack = await created.broker.placeOrder(order);
      entry.order.brokerOrderId = ack.brokerOrderId || entry.order.brokerOrderId;
      if (entry.status === 'pending' || entry.status === 'working') entry.status = ack.status;
      return ack;
    },
  };
  return {
    fake,
    records,
    broker,
    feed: created.datafeed,
    fills,
    updates,
    quotes,
    statuses,
    logs,
    setAccounts: (next) => {
      accounts = next;
      for (const listener of listeners) listener();
    },
    publishQuote: (quote) => fake.quote(frontName(quote.ticker), quote.bid, quote.ask),
    teardown: async () => {
      await broker.stop?.();
      await created.datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  };
}

const recordOf = (order: OrderRequest): RecordedOrder => ({
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

/** Waits for a condition the plugin reaches asynchronously. */
export async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let seq = 0;
export const orderRequest = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `spec-${Date.now()}-${++seq}`,
  brokerAccountId: 'contract-account',
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'market',
  ...fields,
});

/** A started broker with NQ quoted at 25300 / 25300.25. */
export async function started(options: HarnessOptions = {}): Promise<Harness> {
  const h = await harness(options);
  await h.broker.start?.();
  h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
  return h;
}
