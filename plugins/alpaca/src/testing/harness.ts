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
import alpaca from '../index.js';
import { asset, DEFAULT_ACCOUNT, FakeAlpaca, type FakeAccount, type FakeAsset } from './fake-alpaca.js';

/** The Tradeloop account of the fake's account `contract-account`. */
export const account = (fields: Partial<BrokerAccount> = {}, fake: FakeAccount = CONTRACT_ACCOUNT): BrokerAccount => ({
  id: 'acc-1',
  name: 'Alpaca paper',
  brokerAccountId: fake.accountNumber,
  settings: { environment: 'paper', keyId: fake.keyId },
  secrets: { secretKey: fake.secretKey },
  ...fields,
});

export const CONTRACT_ACCOUNT: FakeAccount = { ...DEFAULT_ACCOUNT, accountNumber: 'contract-account', cash: 10_000_000 };

/**
 * The assets the tests trade. The contract suite speaks NQ's prices under the ticker `NQ1!`: the
 * fake lists it as an asset with a 0.25 increment so the suite runs unchanged (Alpaca itself lists
 * no futures).
 */
export const ASSETS: FakeAsset[] = [
  asset('AAPL'),
  asset('NQ1!', { fractionable: false, price_increment: '0.25' }),
  asset('ES1!', { fractionable: false, price_increment: '0.25' }),
  asset('BRK.A', { fractionable: false }),
];

export interface RecordEntry {
  order: RecordedOrder;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
}

export interface Harness {
  fake: FakeAlpaca;
  broker: BrokerPlugin;
  feed: DataFeedPlugin;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  quotes: Quote[];
  statuses: FeedStatusReport[];
  logs: string[];
  records: RecordEntry[];
  setAccounts(accounts: BrokerAccount[]): void;
  publishQuote(quote: Quote): void;
  teardown(): Promise<void>;
}

const catalog = new InstrumentCatalog();

export async function harness(
  options: { reuse?: FakeAlpaca; accounts?: BrokerAccount[]; config?: Record<string, unknown>; records?: RecordEntry[] } = {},
): Promise<Harness> {
  const fake = options.reuse ?? (await FakeAlpaca.start({ accounts: [CONTRACT_ACCOUNT], assets: ASSETS }));
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const quotes: Quote[] = [];
  const statuses: FeedStatusReport[] = [];
  const logs: string[] = [];
  const records = options.records ?? [];
  let accounts = options.accounts ?? [account()];
  const listeners = new Set<() => void>();
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const base = {
    config: {
      restUrl: fake.restUrl,
      streamUrl: fake.streamUrl,
      dataUrl: fake.dataUrl,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      ackWaitMs: 500,
      ...options.config,
    },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string) => catalog.instrument(ticker),
  };
  const brokerContext: BrokerContext = {
    ...base,
    quotes: { latest: () => undefined, onQuote: () => () => undefined },
    reportFill: async (fill) => void fills.push(fill),
    reportOrderUpdate: async (update) => {
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
  const feedContext: DataFeedContext = { ...base, publish: (quote) => quotes.push(quote), reportStatus: (status) => statuses.push(status) };
  const created = alpaca.create({ broker: brokerContext, datafeed: feedContext });
  // Like the server: the order is on record before the plugin is asked, its id stored from the answer.
  const broker: BrokerPlugin = {
    ...created.broker,
    placeOrder: async (order: OrderRequest) => {
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
  return {
    fake,
    broker,
    feed: created.datafeed,
    fills,
    updates,
    quotes,
    statuses,
    logs,
    records,
    setAccounts: (next) => {
      accounts = next;
      for (const listener of listeners) listener();
    },
    publishQuote: (quote) => fake.quote(quote.ticker, quote.bid, quote.ask),
    teardown: async () => {
      await broker.stop?.();
      await created.datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  };
}

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
  ticker: 'AAPL',
  side: 'buy',
  quantity: 1,
  type: 'market',
  ...fields,
});
