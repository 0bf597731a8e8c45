import type { BrokerAccount, BrokerPlugin, DataFeedPlugin, Quote } from '@tradeloop/contracts';
import { orders, serverSide, type RecordEntry, type ServerSide } from '@tradeloop/broker-contract';
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

export { pause, until, type RecordEntry } from '@tradeloop/broker-contract';

/** The plugin against a fake Tradovate, and what it reported to the server (`records` shared with a harness that reuses this one's fake: a restart). */
export interface Harness extends ServerSide {
  fake: FakeTradovate;
  broker: BrokerPlugin;
  feed: DataFeedPlugin;
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
  const server = serverSide({
    config: {
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
    },
    catalog,
    accounts: options.accounts ?? [account()],
    records: options.records,
    failFills: options.failFills,
  });
  const created = tradovate.create({ broker: server.brokerContext, datafeed: server.feedContext });
  const datafeed = created.datafeed;
  const broker = server.recording(created.broker);
  const symbol = (ticker: string) => frontMonth(catalog.instrument(ticker).root, new Date(), 8).symbol;
  return Object.assign(server, {
    fake,
    broker,
    feed: datafeed,
    publishQuote: (quote: Quote) => fake.quote(symbol(quote.ticker), quote.bid, quote.ask),
    symbol,
    teardown: async () => {
      await broker.stop?.();
      await datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  });
}

/** An order for the tests' account, unique by clientOrderId. */
export const orderRequest = orders({ brokerAccountId: 'contract-account', ticker: 'NQ1!', side: 'buy', quantity: 1, type: 'market' });

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
