import { describe, expect, it } from '@jest/globals';
import { PositionBook } from './position-book.js';
import type { Position } from './position.entity.js';

const position = (over: Partial<Position> = {}): Position => ({
  id: 'p1',
  accountId: 'paper',
  strategyId: 's1',
  ticker: 'NQ1!',
  quantity: 2,
  avgPrice: 25000,
  realizedCents: 0,
  lots: [{ quantity: 2, price: 25000, time: 1, commissionCents: 0 }],
  updatedAt: 1,
  ...over,
});

describe('PositionBook', () => {
  it('answers a position by account, key and ticker, and none for any other', () => {
    const book = new PositionBook();
    book.set(position());
    expect(book.get('paper', 's1', 'NQ1!')).toEqual(position());
    expect(book.get('paper', 's1', 'ES1!')).toBeNull();
    expect(book.get('paper', 's2', 'NQ1!')).toBeNull();
    expect(book.get('other', 's1', 'NQ1!')).toBeNull();
    expect(book.quantity('paper', 's1', 'NQ1!')).toBe(2);
    expect(book.quantity('paper', 's1', 'ES1!')).toBe(0);
    expect(book.quantity('other', 's1', 'NQ1!')).toBe(0);
  });

  it('keeps its own copy: neither what was set nor what was read changes it afterwards', () => {
    const book = new PositionBook();
    const written = position();
    book.set(written);
    written.quantity = 9;
    written.lots[0].quantity = 9;
    const read = book.get('paper', 's1', 'NQ1!')!;
    read.lots.push({ quantity: 1, price: 1, time: 2, commissionCents: 0 });
    read.quantity = 7;
    expect(book.get('paper', 's1', 'NQ1!')).toEqual(position());
  });

  it("sums the account's net in a ticker but one position's, leaving out other tickers and other accounts", () => {
    const book = new PositionBook();
    book.set(position());
    book.set(position({ id: 'p2', strategyId: 's2', quantity: -1 }));
    book.set(position({ id: 'p3', strategyId: 's3', quantity: 0, lots: [] }));
    book.set(position({ id: 'p4', strategyId: 's4', ticker: 'ES1!' }));
    book.set(position({ id: 'p5', accountId: 'other', strategyId: 's5' }));
    expect(book.netIn('paper', 'NQ1!', 's3')).toBe(1);
    expect(book.netIn('paper', 'NQ1!', 's1')).toBe(-1);
    expect(book.netIn('paper', 'NQ1!', 's2')).toBe(2);
    expect(book.netIn('paper', 'ZN1!', 's1')).toBe(0);
    // Set again, the newest state counts.
    book.set(position({ quantity: 0, lots: [] }));
    expect(book.netIn('paper', 'NQ1!', 's3')).toBe(-1);
    expect(book.size).toBe(5);
  });
});
