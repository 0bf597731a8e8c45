import { calendarGrid, shiftMonth } from './calendar-grid';

describe('calendarGrid', () => {
  it('lays November 2026 out Sunday first: the 1st is a Sunday, 30 days in five weeks', () => {
    const weeks = calendarGrid('2026-11', [
      { date: '2026-11-03', pnl: 125.5, trades: 4 },
      { date: '2026-11-04', pnl: -80, trades: 2 },
    ]);
    expect(weeks).toHaveLength(5);
    expect(weeks[0].map((c) => c.day)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(weeks[4].map((c) => c.day)).toEqual([29, 30, null, null, null, null, null]);
    expect(weeks[0][2]).toEqual({ date: '2026-11-03', day: 3, pnl: 125.5, trades: 4, tone: 'good' });
    expect(weeks[0][3]).toEqual({ date: '2026-11-04', day: 4, pnl: -80, trades: 2, tone: 'bad' });
    // A day without trades has no number, not zero.
    expect(weeks[0][4]).toEqual({ date: '2026-11-05', day: 5, pnl: null, trades: 0, tone: 'flat' });
  });

  it('starts February 2026 on a Sunday and pads March 2026 (starting Sunday, 31 days) into five weeks', () => {
    expect(calendarGrid('2026-02', [])).toHaveLength(4);
    const march = calendarGrid('2026-03', []);
    expect(march).toHaveLength(5);
    expect(march[4].filter((c) => c.day !== null).map((c) => c.day)).toEqual([29, 30, 31]);
  });

  it('puts blanks before a month that starts mid-week (December 2026 starts on a Tuesday)', () => {
    const weeks = calendarGrid('2026-12', []);
    expect(weeks[0].map((c) => c.day)).toEqual([null, null, 1, 2, 3, 4, 5]);
  });
});

describe('shiftMonth', () => {
  it('crosses year ends both ways', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2027-01', -1)).toBe('2026-12');
    expect(shiftMonth('2026-11', -11)).toBe('2025-12');
  });
});
