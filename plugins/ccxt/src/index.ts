import { PLUGIN_API_VERSION, redactingLogger, type BrokerPluginModule } from '@tradeloop/contracts';
import { CcxtBroker } from './broker.js';
import { readSettings } from './settings.js';

export { CcxtBroker, exchangeClientId, marketProblem } from './broker.js';
export { rebase, wordsOf } from './link.js';
export { loginOf, readSettings, type CcxtSettings } from './settings.js';
export { marketFor, stepOf } from './symbols.js';

/** Crypto exchanges through ccxt: one broker plugin, the exchange chosen per account. */
const ccxtBroker: BrokerPluginModule = {
  kind: 'broker',
  apiVersion: PLUGIN_API_VERSION,
  create: (ctx) => {
    const settings = readSettings(ctx.config, (m) => ctx.logger.warn(m));
    const holder: { broker?: CcxtBroker } = {};
    const logger = redactingLogger(ctx.logger, () => holder.broker?.secrets() ?? []);
    const broker = (holder.broker = new CcxtBroker(ctx, settings, logger));
    return {
      start: () => broker.start(),
      stop: () => broker.stop(),
      placeOrder: (order) => broker.placeOrder(order),
      cancelOrder: (id) => broker.cancelOrder(id),
      snapshot: (account) => broker.snapshot(account),
      instrument: (ticker) => broker.instrument(ticker),
    };
  },
};

export default ccxtBroker;
