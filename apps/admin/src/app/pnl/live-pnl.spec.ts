import type { PnlData, PnlSeries, PnlSummary } from '@tradeloop/contracts';
import { bucketStart, pnlInScope, tradeInScope, withLivePnl, withLivePoint } from './live-pnl';

const UTC = { timeZone: 'UTC', dayStart: '00:00' };
const T0 = Date.parse('2026-11-03T14:30:00Z');

const push = (time: number, totalPnl: number | null, drawdown: number | null = 0): PnlData => ({
  scope: 'all',
  id: '',
  openPnl: 0,
  realizedPnl: totalPnl ?? 0,
  todayPnl: totalPnl,
  totalPnl,
  drawdown,
  time,
});

describe('withLivePnl', () => {
  const summary: PnlSummary = {
    scope: 'all',
    id: null,
    timeZone: 'UTC',
    dayStart: '00:00',
    tradingDay: '2026-11-03',
    totalPnl: 100,
    todayPnl: 20,
    realizedPnl: 100,
    openPnl: 0,
    activePositions: 1,
    position: { 'NQ1!': 1 },
    tradeCount: 4,
    winRate: 0.5,
    profitFactor: 1.5,
    maxDrawdown: -50,
    bestDay: { date: '2026-11-02', pnl: 80 },
    worstDay: { date: '2026-11-01', pnl: -30 },
  };

  it('moves the money at once and keeps the trade statistics', () => {
    const next = withLivePnl(summary, { ...push(T0, 140, -10), openPnl: 40, realizedPnl: 100, todayPnl: 60 });
    expect(next).toEqual({ ...summary, totalPnl: 140, todayPnl: 60, realizedPnl: 100, openPnl: 40 });
  });

  it('only deepens the max drawdown, and shows unknown open P&L as unknown', () => {
    expect(withLivePnl(summary, push(T0, 20, -80)).maxDrawdown).toBe(-80);
    expect(withLivePnl(summary, push(T0, 90, -10)).maxDrawdown).toBe(-50);
    const unknown = withLivePnl(summary, { ...push(T0, null, null), openPnl: null });
    expect([unknown.totalPnl, unknown.openPnl, unknown.maxDrawdown]).toEqual([null, null, -50]);
  });
});

describe('scopes', () => {
  it('matches the all-strategies push on the dashboard and one strategy on its page', () => {
    expect(pnlInScope({ scope: 'all', id: '' }, {})).toBe(true);
    expect(pnlInScope({ scope: 'strategy', id: 's1' }, {})).toBe(false);
    expect(pnlInScope({ scope: 'strategy', id: 's1' }, { strategyId: 's1' })).toBe(true);
    expect(pnlInScope({ scope: 'account', id: 's1' }, { strategyId: 's1' })).toBe(false);
    expect(tradeInScope({ strategyId: null }, {})).toBe(false);
    expect(tradeInScope({ strategyId: 's2' }, {})).toBe(true);
    expect(tradeInScope({ strategyId: 's2' }, { strategyId: 's1' })).toBe(false);
  });
});

describe('bucketStart', () => {
  it('aligns seconds, minutes and hours to UTC and days to the trading day', () => {
    const t = Date.parse('2026-11-03T14:30:42.500Z');
    expect(bucketStart(t, '1s', UTC)).toBe(Date.parse('2026-11-03T14:30:42Z'));
    expect(bucketStart(t, '1m', UTC)).toBe(Date.parse('2026-11-03T14:30:00Z'));
    expect(bucketStart(t, '1h', UTC)).toBe(Date.parse('2026-11-03T14:00:00Z'));
    expect(bucketStart(t, '1d', { timeZone: 'America/New_York', dayStart: '18:00' })).toBe(Date.parse('2026-11-02T23:00:00Z'));
  });
});

describe('withLivePoint', () => {
  const series = (points: PnlSeries['points'], from = T0 - 3_600_000, to = T0): PnlSeries => ({
    scope: 'all',
    id: null,
    resolution: '1m',
    from,
    to,
    points,
  });

  it('replaces the newest point within its minute and starts a new one the next minute', () => {
    const start = series([{ t: T0, pnl: 10, drawdown: 0 }]);
    const same = withLivePoint(start, push(T0 + 20_000, 15, -2), UTC);
    expect(same.points).toEqual([{ t: T0, pnl: 15, drawdown: -2 }]);
    const next = withLivePoint(same, push(T0 + 61_000, 30, 0), UTC);
    expect(next.points).toEqual([
      { t: T0, pnl: 15, drawdown: -2 },
      { t: T0 + 60_000, pnl: 30, drawdown: 0 },
    ]);
    expect(next.to).toBe(T0 + 61_000);
  });

  it('ignores unknown totals and pushes older than the newest point', () => {
    const start = series([{ t: T0, pnl: 10, drawdown: 0 }]);
    expect(withLivePoint(start, push(T0 + 1000, null, null), UTC)).toBe(start);
    expect(withLivePoint(start, push(T0 - 60_000, 99), UTC)).toBe(start);
  });

  it('starts an empty series with its first push', () => {
    expect(withLivePoint(series([]), push(T0 + 5000, -4, -4), UTC).points).toEqual([{ t: T0, pnl: -4, drawdown: -4 }]);
  });

  it('slides a fixed range forward, keeping the point the window opens inside', () => {
    const hour = 3_600_000;
    const start = series(
      [
        { t: T0 - hour, pnl: 1, drawdown: 0 },
        { t: T0 - hour / 2, pnl: 2, drawdown: 0 },
        { t: T0, pnl: 3, drawdown: 0 },
      ],
      T0 - hour,
      T0,
    );
    const later = withLivePoint(start, push(T0 + 40 * 60_000, 4), UTC);
    expect(later.from).toBe(T0 - 20 * 60_000);
    expect(later.points.map((p) => p.pnl)).toEqual([2, 3, 4]);
  });

  it('keeps All growing from the start and bounded in length', () => {
    let s: PnlSeries = { scope: 'all', id: null, resolution: '1s', from: 0, to: T0, points: [] };
    for (let i = 0; i < 30; i++) s = withLivePoint(s, push(T0 + i * 1000, i), UTC, 10);
    expect(s.from).toBe(0);
    expect(s.points).toHaveLength(10);
    expect(s.points[9]).toEqual({ t: T0 + 29_000, pnl: 29, drawdown: 0 });
  });
});
