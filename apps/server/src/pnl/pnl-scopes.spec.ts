import { describe, expect, it } from '@jest/globals';
import { scopeKey, totalsByScope, type PositionRow } from './pnl-scopes.js';

const row = (strategyId: string, accountId: string, ticker: string, quantity: number, realizedCents: number): PositionRow => ({
  id: `${strategyId}-${accountId}-${ticker}`,
  strategyId,
  accountId,
  ticker,
  quantity,
  realizedCents,
  lots: [],
});

describe('totalsByScope', () => {
  const rows = [
    row('s1', 'a1', 'NQ1!', 2, 1000),
    row('s1', 'a2', 'NQ1!', -1, -250),
    row('s2', 'a1', 'ES1!', 0, 700), // flat: realized counts, no position
    row('s2', 'a1', 'NQ1!', -2, 0),
    row('', 'a1', 'AAPL', 100, 55), // manual: its account only
  ];
  const open: Record<string, number> = { 's1-a1-NQ1!': 400, 's1-a2-NQ1!': -50, 's2-a1-NQ1!': -300, '-a1-AAPL': 25 };
  const totals = totalsByScope(rows, (r) => open[r.id]);

  it('adds realized and open P&L up per strategy, per account and over all strategies', () => {
    expect(totals.get(scopeKey('strategy', 's1'))).toEqual(
      expect.objectContaining({ realizedCents: 750, openCents: 350, positions: 2, netByTicker: new Map([['NQ1!', 1]]) }),
    );
    expect(totals.get(scopeKey('strategy', 's2'))).toEqual(
      expect.objectContaining({ realizedCents: 700, openCents: -300, positions: 1, netByTicker: new Map([['NQ1!', -2]]) }),
    );
    // a1 holds s1's long 2 and s2's short 2 in NQ: net flat, two positions.
    expect(totals.get(scopeKey('account', 'a1'))).toEqual(
      expect.objectContaining({ realizedCents: 1755, openCents: 125, positions: 3, netByTicker: new Map([['AAPL', 100]]) }),
    );
    expect(totals.get(scopeKey('all', ''))).toEqual(expect.objectContaining({ realizedCents: 1450, openCents: 50, positions: 3 }));
    expect(totals.has(scopeKey('strategy', ''))).toBe(false);
  });

  it('makes open P&L unknown for every scope holding a ticker without a quote, never zero', () => {
    const unknown = totalsByScope(rows, (r) => (r.ticker === 'AAPL' ? null : open[r.id]));
    expect(unknown.get(scopeKey('account', 'a1'))?.openCents).toBeNull();
    expect(unknown.get(scopeKey('account', 'a2'))?.openCents).toBe(-50);
    expect(unknown.get(scopeKey('all', ''))?.openCents).toBe(50);
  });

  it('computes only the kinds asked for', () => {
    expect([...totalsByScope(rows, () => 0, { account: true }).keys()].sort()).toEqual(['account:a1', 'account:a2']);
  });
});
