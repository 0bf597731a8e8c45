import { defineBrokerContractTests } from '@tradeloop/broker-contract';
import { harness } from './testing/harness.js';

defineBrokerContractTests('projectx', async () => {
  const h = await harness();
  return { plugin: h.broker, publishQuote: h.publishQuote, fills: h.fills, updates: h.updates, teardown: h.teardown };
});
