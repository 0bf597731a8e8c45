import { PLUGIN_API_VERSION, type DataFeedContext, type DataFeedPluginModule } from '@tradeloop/contracts';
import { SimFeed } from './sim-feed.js';

export { DEFAULT_QUOTES_PER_SECOND, readSettings, SimFeed, type SimFeedSettings } from './sim-feed.js';
export * from './walk.js';

/** The built-in simulated data feed: quotes every ticker with a seeded or random bid/ask walk. */
const simFeed: DataFeedPluginModule = {
  kind: 'datafeed',
  apiVersion: PLUGIN_API_VERSION,
  create: (context: DataFeedContext) => new SimFeed(context),
};

export default simFeed;
