import {
  PLUGIN_API_VERSION,
  dataFeedOf,
  redactingLogger,
  stopsWithLastHalf,
  type BrokerAndDataFeedPluginModule,
} from '@tradeloop/contracts';
import { TradovateBroker } from './broker.js';
import { TradovateFeed } from './feed.js';
import { sessionPool, type SessionPool } from './pool.js';
import { readSettings } from './settings.js';

export { CL_ORD_PREFIX, invalidOrder, TradovateBroker } from './broker.js';
export { contractSymbol, frontMonth, rootOfSymbol, supportedRoots, type FrontMonth } from './contracts.js';
export { TradovateFeed } from './feed.js';
export { sessionPool, type SessionPool } from './pool.js';
export { TradovateError, TradovateRest } from './rest.js';
export { ENDPOINTS, loginOf, readSettings, type Login, type TradovateSettings } from './settings.js';

/**
 * Tradovate as a broker and a data feed in one package: both halves share one session per
 * Tradovate login (one access token, renewed; Tradovate flags accounts that open many sessions).
 */
const tradovate: BrokerAndDataFeedPluginModule = {
  kind: ['broker', 'datafeed'],
  apiVersion: PLUGIN_API_VERSION,
  create: ({ broker, datafeed }) => {
    const settings = readSettings(broker.config, (message) => broker.logger.warn(message));
    // Every message either half logs passes through a redactor: no password or API secret gets out.
    const secrets: { pool?: SessionPool } = {};
    const logger = redactingLogger(broker.logger, () => secrets.pool?.secrets() ?? []);
    const feedLogger = redactingLogger(datafeed.logger, () => secrets.pool?.secrets() ?? []);
    const shared = (secrets.pool = sessionPool(settings, logger));
    const stopping = stopsWithLastHalf(2, () => shared.stop());
    const brokerHalf = new TradovateBroker(broker, settings, shared, logger);
    const feedHalf = new TradovateFeed(datafeed, settings, shared, () => broker.accounts(), broker.onAccountsChanged, feedLogger);
    return {
      broker: {
        start: () => brokerHalf.start(),
        stop: stopping(() => brokerHalf.stop()),
        placeOrder: (order) => brokerHalf.placeOrder(order),
        cancelOrder: (id) => brokerHalf.cancelOrder(id),
        placeBracket: (order, exits) => brokerHalf.placeBracket(order, exits),
        flatten: (account, ticker) => brokerHalf.flatten(account, ticker),
        snapshot: (account) => brokerHalf.snapshot(account),
      },
      datafeed: dataFeedOf(
        feedHalf,
        stopping(() => feedHalf.stop()),
      ),
    };
  },
};

export default tradovate;
