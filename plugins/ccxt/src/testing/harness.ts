import type { BrokerAccount, BrokerPlugin, Quote } from '@tradeloop/contracts';
import { orders, serverSide, type RecordEntry, type ServerSide } from '@tradeloop/broker-contract';
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

export { until, type RecordEntry } from '@tradeloop/broker-contract';

/** The broker against a fake Binance; `latest` holds the quotes published to it, as the server's quote source. */
export interface Harness extends ServerSide {
  fake: FakeBinance;
  broker: BrokerPlugin;
  latest: Map<string, Quote>;
  publishQuote(quote: Quote): void;
  teardown(): Promise<void>;
}

const catalog = new InstrumentCatalog();

export async function harness(
  options: { reuse?: FakeBinance; accounts?: BrokerAccount[]; config?: Record<string, unknown>; records?: RecordEntry[] } = {},
): Promise<Harness> {
  const fake = options.reuse ?? (await FakeBinance.start({ symbols: SYMBOLS, apiKey: API_KEY }));
  const latest = new Map<string, Quote>();
  const server = serverSide({
    config: { apiUrl: fake.url, pollMs: 30, ...options.config },
    catalog,
    accounts: options.accounts ?? [account()],
    records: options.records,
    latest: (ticker) => latest.get(ticker),
  });
  const broker = server.recording(ccxtBroker.create(server.brokerContext));
  return Object.assign(server, {
    fake,
    broker,
    latest,
    publishQuote: (quote: Quote) => {
      latest.set(quote.ticker, quote);
      fake.quote(quote.ticker, quote.bid, quote.ask);
    },
    teardown: async () => {
      await broker.stop?.();
      if (!options.reuse) await fake.close();
    },
  });
}

export const orderRequest = orders({ brokerAccountId: 'contract-account', ticker: 'BTCUSDT', side: 'buy', quantity: 0.01, type: 'market' });
