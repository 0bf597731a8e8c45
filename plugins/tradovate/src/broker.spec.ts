import { afterEach, describe, expect, it } from '@jest/globals';
import { defineBrokerContractTests } from '../../../test/plugin-contracts/broker.contract.js';
import { account, harness, type Harness } from './testing/harness.js';

defineBrokerContractTests('tradovate', async () => {
  const h = await harness();
  return { plugin: h.broker, publishQuote: h.publishQuote, fills: h.fills, updates: h.updates, teardown: h.teardown };
});

describe('tradovate broker smoke', () => {
  let h: Harness;
  afterEach(async () => h?.teardown());

  it('places a market order and reports the fill', async () => {
    h = await harness();
    await h.broker.start?.();
    h.publishQuote({ ticker: 'NQ1!', bid: 25300, ask: 25300.25, time: Date.now() });
    const ack = await h.broker.placeOrder({
      clientOrderId: 'c1',
      brokerAccountId: 'contract-account',
      ticker: 'NQ1!',
      side: 'buy',
      quantity: 1,
      type: 'market',
    });
    expect(ack.status).toBe('filled');
    expect(h.fills).toHaveLength(1);
    expect(account().brokerAccountId).toBe('contract-account');
  });
});
