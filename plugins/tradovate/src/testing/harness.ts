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
import tradovate from '../index.js';
import { frontMonth } from '../contracts.js';
import { DEFAULT_USER, FakeTradovate, type FakeOptions, type FakeUser } from './fake-tradovate.js';

/** The Tradeloop account the tests trade: the fake's user, its account `contract-account`. */
export const account = (fields: Partial<BrokerAccount> = {}, user: FakeUser = DEFAULT_USER): BrokerAccount => ({
  id: 'a1b2c3',
  name: 'Tradovate demo',
  brokerAccountId: 'contract-account',
  settings: { environment: 'demo', username: user.name, appId: 'Tradeloop tests', appVersion: '1.0', cid: 8 },
  secrets: { password: user.password, sec: user.sec },
  ...fields,
});

export const testUser = (): FakeUser => ({
  ...structuredClone(DEFAULT_USER),
  accounts: [
    { id: 501, name: 'DEMO501' },
    { id: 502, name: 'contract-account' },
  ],
});

/** An order as the server keeps it: recorded before the broker is asked, its id stored from the answer. */
export interface RecordEntry {
  order: RecordedOrder;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
}

export interface Harness {
  fake: FakeTradovate;
  /** The orders "on record", shared with a harness that reuses this one's fake and records (a restart). */
  records: RecordEntry[];
  broker: BrokerPlugin;
  feed: DataFeedPlugin;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  quotes: Quote[];
  statuses: FeedStatusReport[];
  logs: string[];
  accounts: BrokerAccount[];
  /** Replaces the accounts and tells the plugin, like PATCH /api/accounts does. */
  setAccounts(accounts: BrokerAccount[]): void;
  /** Sets the fake's quote for the front month of a continuous ticker. */
  publishQuote(quote: Quote): void;
  symbol(ticker: string): string;
  teardown(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeOptions;
  /** Reuse a running fake (a restart test). */
  reuse?: FakeTradovate;
  accounts?: BrokerAccount[];
  config?: Record<string, unknown>;
  failFills?: number;
  /** The server's records to start from (a restart keeps them). */
  records?: RecordEntry[];
}

const catalog = new InstrumentCatalog();

/** The plugin created the way the server creates it, against a fake Tradovate, with contexts that record what it reports. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.reuse ?? (await FakeTradovate.start({ heartbeatMs: 200, users: [testUser()], ...options.fake }));
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const quotes: Quote[] = [];
  const statuses: FeedStatusReport[] = [];
  const logs: string[] = [];
  const records: RecordEntry[] = options.records ?? [];
  let accounts = options.accounts ?? [account()];
  const listeners = new Set<() => void>();
  let failFills = options.failFills ?? 0;
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const config = {
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    mdUrl: fake.mdUrl,
    heartbeatMs: 200,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    requestTimeoutMs: 2000,
    ackTimeoutMs: 1000,
    minSecondsBetweenLogins: 0,
    ...options.config,
  };
  const base = {
    config,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string) => catalog.instrument(ticker),
  };
  const brokerContext: BrokerContext = {
    ...base,
    quotes: { latest: () => undefined, onQuote: () => () => undefined },
    reportFill: async (fill) => {
      await Promise.resolve();
      if (failFills > 0) {
        failFills--;
        throw new Error('ledger unavailable');
      }
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
  const feedContext: DataFeedContext = {
    ...base,
    publish: (quote) => quotes.push({ ...quote, ticker: catalog.canonical(quote.ticker) }),
    reportStatus: (status) => statuses.push(status),
  };
  const created = tradovate.create({ broker: brokerContext, datafeed: feedContext });
  const datafeed = created.datafeed;
  // Like the server: the order is on record before the plugin is asked, its id stored from the answer.
  const broker: BrokerPlugin = {
    ...created.broker,
    placeOrder: async (order) => {
      let entry = records.find((r) => r.order.clientOrderId === order.clientOrderId);
      if (!entry) {
        entry = {
          order: {
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
          },
          status: 'pending',
        };
        records.push(entry);
      }
      const ack = await created.broker.placeOrder(order);
      entry.order.brokerOrderId = ack.brokerOrderId || entry.order.brokerOrderId;
      if (entry.status === 'pending' || entry.status === 'working') entry.status = ack.status;
      return ack;
    },
  };
  const symbol = (ticker: string) => frontMonth(catalog.instrument(ticker).root, new Date(), 8).symbol;
  return {
    fake,
    records,
    broker,
    feed: datafeed,
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
    publishQuote: (quote) => fake.quote(symbol(quote.ticker), quote.bid, quote.ask),
    symbol,
    teardown: async () => {
      await broker.stop?.();
      await datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  };
}

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
/** An order for the tests' account, unique by clientOrderId. */
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

/** A live account on a fake that enforces approved devices. */
export const liveUser = (approvedDevices: string[] = ['desk-1']): FakeUser => ({ ...testUser(), approvedDevices });
export const liveAccount = (deviceId: string | undefined, user: FakeUser = liveUser()): BrokerAccount =>
  account({ settings: { ...account({}, user).settings, environment: 'live', ...(deviceId ? { deviceId } : {}) } }, user);
