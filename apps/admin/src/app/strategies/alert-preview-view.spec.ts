import type { AlertPreview } from '@tradeloop/contracts';
import { previewView, sampleAlert } from './alert-preview-view';

const accepted: AlertPreview = {
  accepted: true,
  status: 202,
  alert: { ticker: 'NQ1!', action: 'buy', quantity: 2, signalPrice: 25000, stopLoss: { points: 10 }, stopLossType: 'stop_limit' },
  notes: ['NQH2022 is the March 2022 contract, which has expired: traded as NQ1!, the front month'],
  delaySeconds: 60,
  quantity: { value: 2, how: 'as sent' },
  position: { ticker: 'NQ1!', current: -1, target: 2 },
  cancels: { tickers: ['NQ1!', 'MNQ1!'], workingNow: 1 },
  orders: [
    {
      leg: 'recorder',
      account: 'Paper',
      ticker: 'NQ1!',
      side: 'buy',
      quantity: 3,
      type: 'market',
      timeInForce: 'day',
      expectedPrice: 25000,
      priceSource: 'alert',
      bracket: {
        takeProfit: 25020,
        stopLoss: 24990,
        stopLossType: 'stop_limit',
        stopLossLimitPrice: 24990,
        trailingTicks: null,
        breakEvenTicks: null,
      },
    },
    {
      leg: 'link 1a2b3c4d',
      account: 'Apex 1',
      ticker: 'MNQ1!',
      side: 'sell',
      quantity: 1,
      type: 'trailing_stop',
      stopPrice: 25010,
      trailAmount: 10,
      expectedPrice: 25010,
      priceSource: 'at market once the stop is touched',
      bracket: null,
    },
  ],
};

describe('previewView', () => {
  it('puts an accepted alert in words: fields, position, quantity, cancels, delay, orders with prices and exits', () => {
    expect(previewView(accepted)).toEqual({
      verdict: { tone: 'good', text: 'The webhook would accept it (202)' },
      fields: [
        { name: 'ticker', value: 'NQ1!' },
        { name: 'action', value: 'buy' },
        { name: 'quantity', value: '2' },
        { name: 'signalPrice', value: '25000' },
        { name: 'stopLoss', value: '{"points":10}' },
        { name: 'stopLossType', value: 'stop_limit' },
      ],
      position: 'NQ1!: -1 → 2',
      quantity: '2 (as sent)',
      cancels: 'first cancels 1 working order(s) in NQ1!, MNQ1!',
      delay: 'held 60 s before it trades',
      orders: [
        {
          leg: 'Paper',
          order: 'buy 3 NQ1! market',
          price: "fills near 25000, from the alert's price · day",
          exits: 'take profit 25020 · stop-limit 24990 (limit 24990)',
        },
        { leg: 'Apex 1 (link 1a2b3c4d)', order: 'sell 1 MNQ1! trailing stop', price: 'stop starts at 25010 · trails 10', exits: null },
      ],
      notes: accepted.notes,
    });
  });

  it('gives a refusal as the webhook would, and flags a disabled strategy', () => {
    expect(previewView({ accepted: false, status: 400, error: 'action must be one of buy, sell', notes: [], orders: [] }).verdict).toEqual({
      tone: 'bad',
      text: 'The webhook would refuse it (400): action must be one of buy, sell',
    });
    const disabled = previewView({ ...accepted, accepted: false, status: 409, error: 'strategy "x" is disabled' });
    expect(disabled.verdict).toEqual({ tone: 'warn', text: 'The webhook would answer 409: strategy "x" is disabled' });
    expect(disabled.orders).toHaveLength(2);
    expect(previewView({ ...accepted, position: { ticker: 'NQ1!', current: 2, target: null } }).position).toBe('NQ1!: 2, left as it is');
  });

  it("starts with a sample on the strategy's ticker", () => {
    expect(JSON.parse(sampleAlert('ES1!'))).toEqual(expect.objectContaining({ ticker: 'ES1!', action: 'buy' }));
    expect(JSON.parse(sampleAlert(null)).ticker).toBe('NQ1!');
  });
});
