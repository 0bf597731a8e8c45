import type { BrokerAccount, BrokerPlugin, DataFeedPlugin, Quote } from '@tradeloop/contracts';
import { orders, serverSide, type RecordEntry, type ServerSide } from '@tradeloop/broker-contract';
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

export { pause, until, type RecordEntry } from '@tradeloop/broker-contract';

export interface Harness extends ServerSide {
  fake: FakeProjectX;
  broker: BrokerPlugin & { modifyOrder?: unknown };
  feed: DataFeedPlugin;
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
  const server = serverSide({
    config: { apiUrl: fake.url, rtcUrl: fake.url, reconnectMaxMs: 200, requestTimeoutMs: 2000, rateLimitWaitSeconds: 1, ...options.config },
    catalog,
    accounts: options.accounts ?? [account()],
    records: options.records,
    ignoreRepeatedFills: true,
  });
  const created = projectx.create({ broker: server.brokerContext, datafeed: server.feedContext });
  const broker = server.recording(created.broker);
  return Object.assign(server, {
    fake,
    broker,
    feed: created.datafeed,
    publishQuote: (quote: Quote) => fake.quote(frontName(quote.ticker), quote.bid, quote.ask),
    teardown: async () => {
      await broker.stop?.();
      await created.datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  });
}

export const orderRequest = orders({ brokerAccountId: 'contract-account', ticker: 'NQ1!', side: 'buy', quantity: 1, type: 'market' });

/** A started broker with NQ quoted at 25300 / 25300.25. */
export async function started(options: HarnessOptions = {}): Promise<Harness> {
  const h = await harness(options);
  await h.broker.start?.();
  h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
  return h;
}
