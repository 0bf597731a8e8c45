import { dayTradesQuery, tradingDateOf, tradingDayWindow } from './trading-window';

const HOUR = 3_600_000;

describe('tradingDayWindow', () => {
  it('is the calendar day in the zone with a midnight day start', () => {
    // New York is UTC−5 in November (after the change on the 1st).
    expect(tradingDayWindow('2026-11-03', { timeZone: 'America/New_York', dayStart: '00:00' })).toEqual({
      from: Date.parse('2026-11-03T05:00:00Z'),
      to: Date.parse('2026-11-04T05:00:00Z'),
    });
  });

  it('opens the next date at 18:00 the evening before, as futures count it', () => {
    expect(tradingDayWindow('2026-11-03', { timeZone: 'America/New_York', dayStart: '18:00' })).toEqual({
      from: Date.parse('2026-11-02T23:00:00Z'),
      to: Date.parse('2026-11-03T23:00:00Z'),
    });
  });

  it('lasts 25 hours across the autumn change and 23 across the spring one', () => {
    const clock = { timeZone: 'America/New_York', dayStart: '00:00' };
    const autumn = tradingDayWindow('2026-11-01', clock);
    expect(autumn.to - autumn.from).toBe(25 * HOUR);
    const spring = tradingDayWindow('2026-03-08', clock);
    expect(spring.to - spring.from).toBe(23 * HOUR);
  });
});

describe('tradingDateOf', () => {
  it('puts a Friday-evening trade on Saturday with an 18:00 day start', () => {
    const clock = { timeZone: 'America/New_York', dayStart: '18:00' };
    expect(tradingDateOf(Date.parse('2026-11-06T23:30:00Z'), clock)).toBe('2026-11-07');
    expect(tradingDateOf(Date.parse('2026-11-06T22:59:59Z'), clock)).toBe('2026-11-06');
  });
});

describe('dayTradesQuery', () => {
  it('asks for the day with an inclusive end one millisecond before the next day', () => {
    expect(dayTradesQuery('2026-11-03', { timeZone: 'UTC', dayStart: '00:00' })).toEqual({
      from: '2026-11-03T00:00:00.000Z',
      to: '2026-11-03T23:59:59.999Z',
    });
  });
});
