import { dataFeedOf, PLUGIN_API_VERSION, redactingLogger, type BrokerAndDataFeedPluginModule } from '@tradeloop/contracts';
import { AlpacaBroker } from './broker.js';
import { AlpacaFeed } from './feed.js';
import { readSettings } from './settings.js';

export { AlpacaBroker } from './broker.js';
export { AlpacaFeed } from './feed.js';
export { alpacaClientId, alpacaSymbol, CLIENT_PREFIX, orderBody, statusOf } from './orders.js';
export { AlpacaError, AlpacaRest } from './rest.js';
export { ENDPOINTS, loginOf, readSettings, type AlpacaSettings } from './settings.js';

/**
 * Alpaca as a broker and a data feed in one package: both halves read the same accounts' keys
 * (the feed uses one account's keys for the market-data stream).
 */
const alpaca: BrokerAndDataFeedPluginModule = {
  kind: ['broker', 'datafeed'],
  apiVersion: PLUGIN_API_VERSION,
  create: ({ broker, datafeed }) => {
    const settings = readSettings(broker.config, (message) => broker.logger.warn(message));
    const halves: { broker?: AlpacaBroker; feed?: AlpacaFeed } = {};
    const secrets = () => [...(halves.broker?.secrets() ?? []), halves.feed?.secret() ?? ''];
    const brokerHalf = (halves.broker = new AlpacaBroker(broker, settings, redactingLogger(broker.logger, secrets)));
    const feedHalf = (halves.feed = new AlpacaFeed(
      datafeed,
      settings,
      () => broker.accounts(),
      broker.onAccountsChanged,
      redactingLogger(datafeed.logger, secrets),
    ));
    return {
      broker: {
        start: () => brokerHalf.start(),
        stop: () => brokerHalf.stop(),
        placeOrder: (order) => brokerHalf.placeOrder(order),
        cancelOrder: (id) => brokerHalf.cancelOrder(id),
        snapshot: (account) => brokerHalf.snapshot(account),
        instrument: (ticker) => brokerHalf.instrument(ticker),
      },
      datafeed: dataFeedOf(feedHalf),
    };
  },
};

export default alpaca;
