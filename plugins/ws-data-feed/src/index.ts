import { PLUGIN_API_VERSION, type DataFeedContext, type DataFeedPluginModule } from '@tradeloop/contracts';
import { WsDataFeed } from './ws-data-feed.js';

export { readSettings, WsDataFeed, type WsDataFeedSettings } from './ws-data-feed.js';

/** Quotes from a WebSocket that speaks `{"type":"DATA","data":{"ticker","prices":{"ask","bid"},"tickinfo"}}`. */
const wsDataFeed: DataFeedPluginModule = {
  kind: 'datafeed',
  apiVersion: PLUGIN_API_VERSION,
  create: (context: DataFeedContext) => new WsDataFeed(context),
};

export default wsDataFeed;
