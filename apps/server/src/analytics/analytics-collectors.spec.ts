import { describe, expect, it } from '@jest/globals';
import type { TradeData } from '@tradeloop/contracts';
import { ExcursionTracker } from './excursion-tracker.js';
import { ExecutionStamps } from './execution-stamps.js';

const T = Date.UTC(2026, 11, 3, 14, 30, 0);
const order = (id: string, eventId: string | null = 'e1', signalPrice: number | null = null) => ({
  id,
  eventId,
  strategyId: 's1',
  accountId: 'a1',
  ticker: 'NQ1!',
  side: 'buy' as const,
  signalPrice,
});

describe('ExecutionStamps', () => {
  it("joins an alert's stamps to each of its orders and hands a timeline over once it is pushed", () => {
    const stamps = new ExecutionStamps();
    stamps.alertHandled('e1', {
      strategyId: 's1',
      signalAt: T - 900,
      receivedAt: T,
      acceptedAt: T + 1,
      handledAt: T + 2,
      quote: { ticker: 'NQ1!', price: 25000.375 },
    });
    stamps.orderSent(order('o1'), T + 5);
    stamps.orderSent({ ...order('o2'), ticker: 'MNQ1!' }, T + 6); // a link's copy on another symbol
    stamps.orderAcknowledged('o1', T + 8);
    stamps.orderFilled({ orderId: 'o1', accountId: 'a1', strategyId: 's1', ticker: 'NQ1!', side: 'buy' }, T + 9);
    expect(stamps.take(T + 10)).toEqual([]); // waiting for the push
    stamps.fillPushed('o1', T + 11);
    const [o1] = stamps.take(T + 12);
    expect(o1).toMatchObject({
      orderId: 'o1',
      eventId: 'e1',
      signalAt: T - 900,
      receivedAt: T,
      acceptedAt: T + 1,
      handledAt: T + 2,
      sentAt: T + 5,
      acknowledgedAt: T + 8,
      filledAt: T + 9,
      pushedAt: T + 11,
      referencePrice: 25000.375,
      referenceSource: 'quote',
    });
    // The MNQ copy gets no NQ quote as its reference; it is written after 10 s without news.
    expect(stamps.take(T + 15)).toEqual([]);
    expect(stamps.take(T + 6 + 10_000)).toEqual([expect.objectContaining({ orderId: 'o2', referencePrice: null, filledAt: null })]);
    expect(stamps.pending).toBe(0);
  });

  it("prefers the alert's price, keeps the first of each stamp, and lets a filled order go without a push after 2 s", () => {
    const stamps = new ExecutionStamps();
    stamps.orderSent(order('o3', null, 6800.25), T);
    stamps.orderSent(order('o3', null, 6800.25), T + 50); // a held order sent again: the first send counts
    stamps.orderFilled({ orderId: 'o3', accountId: 'a1', strategyId: 's1', ticker: 'NQ1!', side: 'buy' }, T + 60);
    expect(stamps.take(T + 1000)).toEqual([]);
    expect(stamps.take(T + 2060)).toEqual([
      expect.objectContaining({ sentAt: T, filledAt: T + 60, referencePrice: 6800.25, referenceSource: 'signal' }),
    ]);
    // The /ws push heard before the booking (listeners in turn, the same publish): filled is not after it.
    stamps.fillPushed('o5', T + 3);
    stamps.orderFilled({ orderId: 'o5', accountId: 'a1', strategyId: 's1', ticker: 'NQ1!', side: 'buy' }, T + 4);
    expect(stamps.take(T + 5)).toEqual([expect.objectContaining({ orderId: 'o5', filledAt: T + 3, pushedAt: T + 3, accountId: 'a1' })]);
    stamps.orderSent(order('o4', null), T);
    stamps.orderSettled('o4');
    expect(stamps.take(T + 1)).toEqual([expect.objectContaining({ orderId: 'o4' })]);
  });
});

describe('ExcursionTracker', () => {
  const trade = (over: Partial<TradeData> = {}): TradeData => ({
    id: 't1',
    accountId: 'a1',
    strategyId: 's1',
    ticker: 'NQ1!',
    direction: 'long',
    quantity: 1,
    entryPrice: 25000,
    exitPrice: 25002,
    entryTime: T + 500,
    exitTime: T + 3500,
    pnl: 40,
    entryPriceSource: 'broker',
    exitPriceSource: 'broker',
    ...over,
  });
  const q = (bid: number, time: number) => ({ ticker: 'NQ1!', bid, ask: bid + 0.25, time });

  it('keeps per-second highs and lows while a position is open, only within the trade, longs at the bid and shorts at the ask', () => {
    const tracker = new ExcursionTracker();
    tracker.quote(q(1, T)); // nothing open yet: not kept
    tracker.position('a1|s1|NQ1!', 'NQ1!', 1, T);
    tracker.quote(q(24999, T + 100)); // before the entry, same second: left out
    tracker.quote(q(25004, T + 600));
    tracker.quote(q(24998, T + 700));
    tracker.quote(q(25001, T + 1200));
    tracker.quote(q(25009, T + 3600)); // after the exit
    const long = tracker.pathOf(trade());
    expect(long.observedFrom).toBe(T);
    expect(long.points).toEqual([
      { price: 25004, time: T + 600 },
      { price: 24998, time: T + 700 },
      { price: 25001, time: T + 1200 },
      { price: 25001, time: T + 1200 },
    ]);
    const short = tracker.pathOf(trade({ direction: 'short' }));
    expect(short.points.map((p) => p.price)).toEqual([25004.25, 24998.25, 25001.25, 25001.25]);
    // Flat again: the ticker is let go.
    tracker.position('a1|s1|NQ1!', 'NQ1!', 0, T + 4000);
    expect(tracker.tickers).toBe(0);
    expect(tracker.pathOf(trade()).observedFrom).toBeNull();
  });
});
