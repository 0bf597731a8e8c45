import {
  dataFeedOf,
  PLUGIN_API_VERSION,
  redactingLogger,
  stopsWithLastHalf,
  type BrokerAndDataFeedPluginModule,
  type BrokerPlugin,
} from '@tradeloop/contracts';
import { ProjectXBroker } from './broker.js';
import { ProjectXFeed } from './feed.js';
import { sessionPool, type SessionPool } from './pool.js';
import { readSettings } from './settings.js';

export { ProjectXBroker, type OrderChanges } from './broker.js';
export { ContractBook, frontMonth, rootOf, tickerOfName } from './contracts.js';
export { ProjectXFeed } from './feed.js';
export { sessionPool, type SessionPool } from './pool.js';
export { ProjectXError, ProjectXRest, RequestBudget, retryAfterMs } from './rest.js';
export { loginOf, readSettings, type Login, type ProjectXSettings } from './settings.js';

/**
 * ProjectX's gateway (TopstepX and the prop firms on it) as a broker and a data feed in one package:
 * both halves share one session per login (one token, renewed; one request budget).
 */
const projectx: BrokerAndDataFeedPluginModule = {
  kind: ['broker', 'datafeed'],
  apiVersion: PLUGIN_API_VERSION,
  create: ({ broker, datafeed }) => {
    const settings = readSettings(broker.config, (message) => broker.logger.warn(message));
    const holder: { pool?: SessionPool } = {};
    const logger = redactingLogger(broker.logger, () => holder.pool?.secrets() ?? []);
    const feedLogger = redactingLogger(datafeed.logger, () => holder.pool?.secrets() ?? []);
    const pool = (holder.pool = sessionPool(settings, logger));
    const stopping = stopsWithLastHalf(2, () => pool.stop());
    const brokerHalf = new ProjectXBroker(broker, settings, pool, logger);
    const feedHalf = new ProjectXFeed(datafeed, settings, pool, () => broker.accounts(), broker.onAccountsChanged, feedLogger);
    // The interface's methods, and ProjectX's own beyond it (modify, trailing stops) for callers that know them.
    const brokerApi: BrokerPlugin & Pick<ProjectXBroker, 'modifyOrder' | 'placeTrailingStop'> = {
      start: () => brokerHalf.start(),
      stop: stopping(() => brokerHalf.stop()),
      placeOrder: (order) => brokerHalf.placeOrder(order),
      cancelOrder: (id) => brokerHalf.cancelOrder(id),
      flatten: (account, ticker) => brokerHalf.flatten(account, ticker),
      snapshot: (account) => brokerHalf.snapshot(account),
      instrument: (ticker) => brokerHalf.instrument(ticker),
      modifyOrder: (id, changes) => brokerHalf.modifyOrder(id, changes),
      placeTrailingStop: (order, trailPrice) => brokerHalf.placeTrailingStop(order, trailPrice),
    };
    return {
      broker: brokerApi,
      datafeed: dataFeedOf(
        feedHalf,
        stopping(() => feedHalf.stop()),
      ),
    };
  },
};

export default projectx;
