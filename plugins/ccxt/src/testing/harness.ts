import type {
  BrokerAccount,
  BrokerContext,
  BrokerFill,
  BrokerPlugin,
  OrderRequest,
  OrderUpdate,
  Quote,
  RecordedOrder,
} from '@tradeloop/contracts';
import { InstrumentCatalog } from '@tradeloop/domain';
import ccxtBroker from '../index.js';
import { FakeBinance, spotSymbol, type FakeSymbol } from './fake-binance.js';

export const API_KEY = 'fake-binance-key';
export const API_SECRET = 'fake-binance-secret-5d4c3b';

export const account = (fields: Partial<BrokerAccount> = {}): BrokerAccount => ({
  id: 'acc-ccxt',
  name: 'Binance testnet',
  brokerAccountId: 'contract-account',
  settings: { exchange: 'binance', sandbox: true },
  secrets: { apiKey: API_KEY, secret: API_SECRET },
  ...fields,
});

/**
 * The symbols the fake lists. The contract suite speaks NQ's prices under `NQ1!`: the fake lists a
 * spot symbol of that id (tick 0.25, whole units) so the suite runs unchanged.
 */
export const SYMBOLS: FakeSymbol[] = [
  spotSymbol('BTCUSDT', 'BTC', 'USDT'),
  spotSymbol('ETHUSDT', 'ETH', 'USDT', { stepSize: '0.0001', minQty: '0.0001' }),
  spotSymbol('NQ1!', 'NQ1!', 'USD', { tickSize: '0.25', stepSize: '1', minQty: '1', minNotional: '0' }),
];

export interface RecordEntry {
  order: RecordedOrder;
  status: 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected';
}

export interface Harness {
  fake: FakeBinance;
  broker: BrokerPlugin;
  fills: BrokerFill[];
  updates: OrderUpdate[];
  logs: string[];
  records: RecordEntry[];
  quotes: Map<string, Quote>;
  setAccounts(accounts: BrokerAccount[]): void;
  publishQuote(quote: Quote): void;
  teardown(): Promise<void>;
}

const catalog = new InstrumentCatalog();

export async function harness(
  options: { reuse?: FakeBinance; accounts?: BrokerAccount[]; config?: Record<string, unknown>; records?: RecordEntry[] } = {},
): Promise<Harness> {
  const fake = options.reuse ?? (await FakeBinance.start({ symbols: SYMBOLS, apiKey: API_KEY }));
  const fills: BrokerFill[] = [];
  const updates: OrderUpdate[] = [];
  const logs: string[] = [];
  const records = options.records ?? [];
  const quotes = new Map<string, Quote>();
  let accounts = options.accounts ?? [account()];
  const listeners = new Set<() => void>();
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const context: BrokerContext = {
    config: { apiUrl: fake.url, pollMs: 30, ...options.config },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    instrument: (ticker: string) => catalog.instrument(ticker),
    quotes: { latest: (ticker) => quotes.get(ticker), onQuote: () => () => undefined },
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
  const created = ccxtBroker.create(context);
  const broker: BrokerPlugin = {
    ...created,
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
      const ack = await created.placeOrder(order);
      entry.order.brokerOrderId = ack.brokerOrderId || entry.order.brokerOrderId;
      if (entry.status === 'pending' || entry.status === 'working') entry.status = ack.status;
      return ack;
    },
  };
  return {
    fake,
    broker,
    fills,
    updates,
    logs,
    records,
    quotes,
    setAccounts: (next) => {
      accounts = next;
      for (const listener of listeners) listener();
    },
    publishQuote: (quote) => {
      quotes.set(quote.ticker, quote);
      fake.quote(quote.ticker, quote.bid, quote.ask);
    },
    teardown: async () => {
      await broker.stop?.();
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

let seq = 0;
export const orderRequest = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `spec-${Date.now()}-${++seq}`,
  brokerAccountId: 'contract-account',
  ticker: 'BTCUSDT',
  side: 'buy',
  quantity: 0.01,
  type: 'market',
  ...fields,
});
