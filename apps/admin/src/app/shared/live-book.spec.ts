import type { OrderData, PositionData, PositionView } from '@tradeloop/contracts';
import { type WorkingOrder, withOrderUpdate, withPositionUpdate } from './live-book';

const T0 = Date.parse('2026-11-03T14:30:00Z');

const listed: WorkingOrder = {
  id: 'o1',
  accountId: 'a',
  strategyId: null,
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 25000,
  stopPrice: null,
  status: 'working',
  filledQuantity: 0,
  avgFillPrice: null,
  reason: null,
  createdAt: '2026-11-03T14:00:00.000Z',
  updatedAt: '2026-11-03T14:00:00.000Z',
};

const message = (o: Partial<OrderData>): OrderData => ({
  id: 'o1',
  clientOrderId: 'manual:1',
  accountId: 'a',
  strategyId: null,
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  status: 'working',
  filledQuantity: 0,
  avgFillPrice: null,
  reason: null,
  time: T0,
  ...o,
});

describe('withOrderUpdate', () => {
  it('keeps a listed order working with its price and age, and moves it to the top', () => {
    const other = { ...listed, id: 'o0' };
    const next = withOrderUpdate([other, listed], message({ filledQuantity: 0 }));
    expect(next.map((o) => o.id)).toEqual(['o1', 'o0']);
    expect(next[0]).toEqual({ ...listed, updatedAt: '2026-11-03T14:30:00.000Z' });
  });

  it('drops an order once it is filled, cancelled or rejected', () => {
    for (const status of ['filled', 'cancelled', 'rejected'] as const) {
      expect(withOrderUpdate([listed], message({ status }))).toEqual([]);
    }
  });

  it('lists an order it did not know from the message alone: no price, made when the message says', () => {
    const [o] = withOrderUpdate([], message({ id: 'o2', type: 'stop', status: 'pending' }));
    expect(o).toEqual(
      expect.objectContaining({
        id: 'o2',
        type: 'stop',
        status: 'pending',
        limitPrice: null,
        stopPrice: null,
        createdAt: '2026-11-03T14:30:00.000Z',
      }),
    );
  });
});

describe('withPositionUpdate', () => {
  const held: PositionView = {
    id: 'p1',
    accountId: 'a',
    strategyId: 's',
    ticker: 'NQ1!',
    quantity: 2,
    side: 'long',
    avgPrice: 25000.25,
    markPrice: 25010,
    openPnl: 390,
    realizedPnl: 0,
    updatedAt: '2026-11-03T14:00:00.000Z',
  };
  const update = (p: Partial<PositionData>): PositionData => ({
    accountId: 'a',
    strategyId: 's',
    ticker: 'NQ1!',
    quantity: -1,
    avgPrice: 25020,
    realizedPnl: 125.5,
    time: T0,
    ...p,
  });

  it('replaces the position of the same account, owner and ticker, keeping its id, mark and open P&L', () => {
    const manual = { ...held, id: 'p2', strategyId: null };
    const next = withPositionUpdate([held, manual], update({}));
    expect(next).toEqual([
      manual,
      { ...held, quantity: -1, side: 'short', avgPrice: 25020, realizedPnl: 125.5, updatedAt: '2026-11-03T14:30:00.000Z' },
    ]);
  });

  it('adds a position it did not know, flat ones included, with no mark until the next load', () => {
    const [p] = withPositionUpdate([], update({ strategyId: null, quantity: 0, avgPrice: null }));
    expect(p).toEqual(expect.objectContaining({ id: 'a|null|NQ1!', strategyId: null, side: 'flat', markPrice: null, openPnl: null }));
  });
});
