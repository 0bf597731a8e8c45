import { describe, expect, it } from '@jest/globals';
import { heldOrderStep, initialTrailingStop, type HeldOrder } from './held-orders.js';

describe('orders the server holds', () => {
  it("follows TradersPost's trailing stop example: from 71 with $1 the stop is 70, at 72 it is 71, and 70.99 sells", () => {
    let order: HeldOrder = {
      side: 'sell',
      type: 'trailing_stop',
      stopPrice: initialTrailingStop('sell', 71, { trailAmount: 1 }, 0.01),
      trailAmount: 1,
    };
    expect(order.stopPrice).toBe(70);
    const steps = [
      { bid: 71.5, ask: 71.51 },
      { bid: 72, ask: 72.01 },
      { bid: 71.4, ask: 71.41 },
    ].map((quote) => {
      const step = heldOrderStep(order, quote, 0.01);
      order = { ...order, stopPrice: step.stopPrice };
      return step;
    });
    expect(steps).toEqual([
      { stopPrice: 70.5, triggered: false },
      { stopPrice: 71, triggered: false },
      { stopPrice: 71, triggered: false },
    ]);
    expect(heldOrderStep(order, { bid: 70.99, ask: 71 }, 0.01)).toEqual({ stopPrice: 71, triggered: true });
  });

  it('trails a buy above the lowest ask, by percent, on the tick grid', () => {
    // NQ: 1 % of 25,000 = 250 points; the stop starts at 25,250 and comes down with the ask.
    const start = initialTrailingStop('buy', 25000, { trailPercent: 1 }, 0.25);
    expect(start).toBe(25250);
    const down = heldOrderStep(
      { side: 'buy', type: 'trailing_stop', stopPrice: start, trailPercent: 1 },
      { bid: 24899.75, ask: 24900 },
      0.25,
    );
    expect(down).toEqual({ stopPrice: 25149, triggered: false }); // 24,900 × 1.01 = 25,149
    expect(
      heldOrderStep({ side: 'buy', type: 'trailing_stop', stopPrice: 25149, trailPercent: 1 }, { bid: 25148.75, ask: 25149 }, 0.25)
        .triggered,
    ).toBe(true);
  });

  it('triggers a stop-limit when the stop is touched, and never moves it', () => {
    const buy: HeldOrder = { side: 'buy', type: 'stop_limit', stopPrice: 60 };
    expect(heldOrderStep(buy, { bid: 59.98, ask: 59.99 }, 0.01)).toEqual({ stopPrice: 60, triggered: false });
    expect(heldOrderStep(buy, { bid: 59.99, ask: 60 }, 0.01)).toEqual({ stopPrice: 60, triggered: true });
    const sell: HeldOrder = { side: 'sell', type: 'stop_limit', stopPrice: 10.71 };
    expect(heldOrderStep(sell, { bid: 10.72, ask: 10.73 }, 0.01).triggered).toBe(false);
    expect(heldOrderStep(sell, { bid: 10.71, ask: 10.72 }, 0.01).triggered).toBe(true);
  });
});
