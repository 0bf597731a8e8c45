import type { BrokerAccount, BrokerPlugin, DataFeedPlugin, Quote } from '@tradeloop/contracts';
import { orders, serverSide, type RecordEntry, type ServerSide } from '@tradeloop/broker-contract';
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

export { pause, until, type RecordEntry } from '@tradeloop/broker-contract';

export interface Harness extends ServerSide {
  fake: FakeAlpaca;
  broker: BrokerPlugin;
  feed: DataFeedPlugin;
  publishQuote(quote: Quote): void;
  teardown(): Promise<void>;
}

const catalog = new InstrumentCatalog();

export async function harness(
  options: { reuse?: FakeAlpaca; accounts?: BrokerAccount[]; config?: Record<string, unknown>; records?: RecordEntry[] } = {},
): Promise<Harness> {
  const fake = options.reuse ?? (await FakeAlpaca.start({ accounts: [CONTRACT_ACCOUNT], assets: ASSETS }));
  const server = serverSide({
    config: {
      restUrl: fake.restUrl,
      streamUrl: fake.streamUrl,
      dataUrl: fake.dataUrl,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      ackWaitMs: 500,
      ...options.config,
    },
    catalog,
    accounts: options.accounts ?? [account()],
    records: options.records,
  });
  const created = alpaca.create({ broker: server.brokerContext, datafeed: server.feedContext });
  const broker = server.recording(created.broker);
  return Object.assign(server, {
    fake,
    broker,
    feed: created.datafeed,
    publishQuote: (quote: Quote) => fake.quote(quote.ticker, quote.bid, quote.ask),
    teardown: async () => {
      await broker.stop?.();
      await created.datafeed.stop?.();
      if (!options.reuse) await fake.close();
    },
  });
}

export const orderRequest = orders({ brokerAccountId: 'contract-account', ticker: 'AAPL', side: 'buy', quantity: 1, type: 'market' });
