import { chartSeries, chartSummary, rangeWindow } from './series-chart-data';

describe('chartSeries', () => {
  const points = [
    { t: Date.parse('2026-11-02T14:30:00Z'), pnl: 100, drawdown: 0 },
    { t: Date.parse('2026-11-02T14:31:00Z'), pnl: 40, drawdown: -60 },
    { t: Date.parse('2026-11-02T14:32:00Z'), pnl: 150, drawdown: 0 },
  ];

  it('maps P&L to the line and drawdown to the area, never above zero', () => {
    const series = chartSeries(points, 'America/New_York', '1m');
    expect(series.pnl).toEqual([100, 40, 150]);
    expect(series.drawdown).toEqual([0, -60, 0]);
  });

  it('labels minutes in the trading zone (New York is UTC−5 after the November change)', () => {
    expect(chartSeries(points, 'America/New_York', '1m').labels).toEqual(['11-02 09:30', '11-02 09:31', '11-02 09:32']);
  });

  it('labels days by date and seconds by time', () => {
    expect(chartSeries(points.slice(0, 1), 'UTC', '1d').labels).toEqual(['2026-11-02']);
    expect(chartSeries(points.slice(0, 1), 'UTC', '1s').labels).toEqual(['14:30:00']);
  });
});

describe('rangeWindow', () => {
  it('ends now and reaches back the range', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(rangeWindow('1W', now)).toEqual({ from: Date.parse('2026-11-18T12:00:00Z'), to: now });
    expect(rangeWindow('All', now).from).toBe(0);
  });
});

describe('the chart in words', () => {
  it('says how many points, where P&L ends and the deepest drawdown', () => {
    expect(chartSummary([])).toBe('P&L chart: nothing recorded in this range');
    expect(
      chartSummary([
        { t: 1, pnl: 200, drawdown: 0 },
        { t: 2, pnl: 120, drawdown: -80 },
        { t: 3, pnl: 220, drawdown: 0 },
      ]),
    ).toBe('P&L chart, 3 points: ends at +$220.00, deepest drawdown −$80.00');
    expect(chartSummary([{ t: 1, pnl: -5, drawdown: -5 }])).toBe('P&L chart, 1 point: ends at −$5.00, deepest drawdown −$5.00');
  });
});
