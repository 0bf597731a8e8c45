import { priceSourceLabel } from './price-source';

describe('priceSourceLabel', () => {
  it('names each source shortly, explains it, and marks demo prices', () => {
    expect(priceSourceLabel('alert')).toEqual({
      text: 'alert',
      title: 'The price TradingView put in the alert (no real feed quoted the ticker)',
      demo: false,
    });
    expect(priceSourceLabel('simulated')).toEqual(expect.objectContaining({ text: 'demo', demo: true }));
    expect(priceSourceLabel('quote:tradovate')).toEqual({ text: 'quote', title: 'A live quote from tradovate', demo: false });
    expect(priceSourceLabel('broker')).toEqual(expect.objectContaining({ text: 'broker', demo: false }));
  });

  it('shows nothing for fills booked before sources were kept', () => {
    expect(priceSourceLabel('unrecorded')).toBeNull();
    expect(priceSourceLabel(undefined)).toBeNull();
  });
});
