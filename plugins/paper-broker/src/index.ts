import { PLUGIN_API_VERSION, type BrokerContext, type BrokerPluginModule } from '@tradeloop/contracts';
import { PaperBroker } from './paper-broker.js';

export { crossingPrice, PaperBroker, readSettings, type PaperBrokerSettings } from './paper-broker.js';

/** The built-in paper broker: fills against the live quotes, in memory. */
const paperBroker: BrokerPluginModule = {
  kind: 'broker',
  apiVersion: PLUGIN_API_VERSION,
  create: (context: BrokerContext) => new PaperBroker(context),
};

export default paperBroker;
