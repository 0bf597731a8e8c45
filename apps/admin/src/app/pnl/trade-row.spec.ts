import { tradeRow, withLiveTrade, type TradeRow } from './trade-row';

const row = (id: string, exitTime: number, pnl = 10): TradeRow => ({
  id,
  accountId: 'a',
  strategyId: 's',
  ticker: 'NQ1!',
  direction: 'long',
  quantity: 1,
  entryPrice: 25000,
  exitPrice: 25002.5,
  entryTime: exitTime - 60_000,
  exitTime,
  pnl,
  entryPriceSource: 'alert',
  exitPriceSource: 'alert',
});

describe('tradeRow', () => {
  it('reads REST times (ISO) and live times (epoch ms) alike', () => {
    const base = { id: 't', accountId: 'a', strategyId: null, ticker: 'ES1!', direction: 'short' as const, quantity: 2 };
    const prices = { entryPrice: 6800, exitPrice: 6790, pnl: 1000, entryPriceSource: 'quote:tradovate', exitPriceSource: 'alert' };
    const rest = tradeRow({
      ...base,
      ...prices,
      entryTime: '2026-11-03T14:30:00.000Z',
      exitTime: '2026-11-03T14:31:00.000Z',
      grossPnl: 1000,
      commission: 0,
    });
    const live = tradeRow({
      ...base,
      ...prices,
      entryTime: Date.parse('2026-11-03T14:30:00Z'),
      exitTime: Date.parse('2026-11-03T14:31:00Z'),
    });
    expect(rest).toEqual(live);
    expect(live.exitTime).toBe(Date.parse('2026-11-03T14:31:00Z'));
    expect([live.entryPriceSource, live.exitPriceSource]).toEqual(['quote:tradovate', 'alert']);
  });
});

describe('withLiveTrade', () => {
  it('puts a new trade on top, newest exit first, and keeps the list bounded', () => {
    const rows = [row('b', 2000), row('a', 1000)];
    expect(withLiveTrade(rows, row('c', 3000), 10).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(withLiveTrade(rows, row('c', 3000), 2).map((r) => r.id)).toEqual(['c', 'b']);
  });

  it('places a late message by its exit time and never lists a trade twice', () => {
    const rows = [row('c', 3000), row('a', 1000)];
    expect(withLiveTrade(rows, row('b', 2000), 10).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(withLiveTrade(rows, row('c', 3000), 10)).toBe(rows);
  });
});
