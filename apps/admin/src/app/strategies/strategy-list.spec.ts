import type { StrategyListItem } from '@tradeloop/contracts';
import { defaultOrderText, isAcceptedAlert, positionText, withLiveMessage } from './strategy-list';

const strategy = (id: string, extra: Partial<StrategyListItem> = {}): StrategyListItem =>
  ({
    id,
    name: id,
    enabled: true,
    status: 'enabled',
    statusReason: null,
    defaultQuantity: 1,
    defaultTicker: null,
    lastSignalAt: null,
    openPnl: 0,
    todayPnl: 0,
    totalPnl: 0,
    realizedPnl: 0,
    activePositions: 0,
    position: {},
    ...extra,
  }) as StrategyListItem;

describe('the Strategies list, live', () => {
  const list = [strategy('a'), strategy('b', { position: { 'NQ1!': 2 }, activePositions: 1 })];

  it("moves a strategy's P&L with its pushes and leaves other scopes alone", () => {
    const pnl = { scope: 'strategy' as const, id: 'a', openPnl: 40, realizedPnl: 100, todayPnl: 140, totalPnl: 140, drawdown: 0, time: 1 };
    const next = withLiveMessage(list, { type: 'PNL', data: pnl });
    expect(next[0]).toEqual(expect.objectContaining({ openPnl: 40, realizedPnl: 100, todayPnl: 140, totalPnl: 140 }));
    expect(next[1]).toBe(list[1]);
    expect(withLiveMessage(list, { type: 'PNL', data: { ...pnl, scope: 'account' } })).toBe(list);
  });

  it('follows its own positions, opened and closed', () => {
    const position = { accountId: 'x', strategyId: 'b', ticker: 'ES1!', quantity: -1, avgPrice: 6800, realizedPnl: 0, time: 1 };
    const opened = withLiveMessage(list, { type: 'POSITION', data: position });
    expect(opened[1].position).toEqual({ 'NQ1!': 2, 'ES1!': -1 });
    expect(opened[1].activePositions).toBe(2);
    const closed = withLiveMessage(opened, { type: 'POSITION', data: { ...position, ticker: 'NQ1!', quantity: 0 } });
    expect(closed[1].position).toEqual({ 'ES1!': -1 });
    expect(withLiveMessage(list, { type: 'POSITION', data: { ...position, strategyId: null } })).toBe(list);
  });

  it('takes an accepted alert as the last signal, and nothing else', () => {
    const log = {
      id: 1,
      time: Date.parse('2026-11-03T15:00:00Z'),
      level: 'info' as const,
      category: 'webhook',
      strategyId: 'a',
      message: 'alert accepted: buy 1 NQ1! (#481ca396)',
    };
    expect(withLiveMessage(list, { type: 'LOG', data: log })[0].lastSignalAt).toBe('2026-11-03T15:00:00.000Z');
    expect(isAcceptedAlert({ ...log, message: 'alert #481ca396: Paper: buy 1 NQ1! market → filled' })).toBe(false);
    expect(withLiveMessage(list, { type: 'LOG', data: { ...log, category: 'engine' } })).toBe(list);
  });

  it('shows a status change', () => {
    const next = withLiveMessage(list, { type: 'STRATEGY', data: { id: 'a', name: 'a', status: 'errored', reason: 'boom', time: 1 } });
    expect(next[0]).toEqual(expect.objectContaining({ status: 'errored', statusReason: 'boom', enabled: false }));
  });

  it('writes positions and the default order in words', () => {
    expect(positionText({})).toBe('flat');
    expect(positionText({ 'NQ1!': 2, 'ES1!': -1, 'CL1!': 0 })).toBe('+2 NQ1!, −1 ES1!');
    expect(defaultOrderText({ defaultQuantity: 2, defaultTicker: 'MNQ1!' })).toBe('2 × MNQ1!');
    expect(defaultOrderText({ defaultQuantity: 1, defaultTicker: null })).toBe("1 × the alert's ticker");
  });
});
