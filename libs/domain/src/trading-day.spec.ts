import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  insideMinutes,
  minutesInZone,
  weekdayOf,
  monthDates,
  parseDayStart,
  TradingCalendar,
  tradingDate,
  tradingDayEnd,
  tradingDayStart,
  zonedInstant,
  zoneOffsetMs,
  type TradingDay,
} from './trading-day.js';

// New York in 2026: EDT (UTC−4) until 2026-03-08 07:00Z, then again from then until
// 2026-11-01 06:00Z; EST (UTC−5) outside. Every expectation below is worked out by hand.
const NY = 'America/New_York';
const day = (timeZone: string, dayStart: string): TradingDay => ({ timeZone, dayStartMinutes: parseDayStart(dayStart) });
const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('parseDayStart', () => {
  it('reads HH:MM', () => {
    expect(parseDayStart('00:00')).toBe(0);
    expect(parseDayStart('09:30')).toBe(570);
    expect(parseDayStart('18:00')).toBe(1080);
    expect(parseDayStart('23:59')).toBe(1439);
  });
  it.each(['24:00', '7:00', '18:60', '18', '', '18:00:00'])('refuses %j', (text) => {
    expect(() => parseDayStart(text)).toThrow(/HH:MM/);
  });
});

describe('zone arithmetic', () => {
  it('knows the offset on either side of each change', () => {
    expect(zoneOffsetMs(at('2026-03-08T06:59:59Z'), NY)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(at('2026-03-08T07:00:00Z'), NY)).toBe(-4 * HOUR);
    expect(zoneOffsetMs(at('2026-11-01T05:59:59Z'), NY)).toBe(-4 * HOUR);
    expect(zoneOffsetMs(at('2026-11-01T06:00:00Z'), NY)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(at('2026-11-03T12:00:00.500Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(at('2026-11-03T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('takes the first of a repeated wall time and the end of a skipped one', () => {
    // 01:30 happens twice on 2026-11-01: 05:30Z (EDT) and 06:30Z (EST).
    expect(zonedInstant('2026-11-01', 90, NY)).toBe(at('2026-11-01T05:30:00Z'));
    // 02:30 never happens on 2026-03-08: the clock jumps from 02:00 EST to 03:00 EDT at 07:00Z.
    expect(zonedInstant('2026-03-08', 150, NY)).toBe(at('2026-03-08T07:00:00Z'));
    expect(zonedInstant('2026-03-08', 180, NY)).toBe(at('2026-03-08T07:00:00Z'));
    expect(zonedInstant('2026-03-08', 119, NY)).toBe(at('2026-03-08T06:59:00Z'));
  });

  it('does date arithmetic across months and leap years', () => {
    expect(addDays('2026-10-31', 1)).toBe('2026-11-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(monthDates('2026-11')).toHaveLength(30);
    expect(monthDates('2026-02')).toHaveLength(28);
    expect(monthDates('2028-02').at(-1)).toBe('2028-02-29');
    expect(() => monthDates('2026-13')).toThrow(/YYYY-MM/);
    expect(() => addDays('2026-02-30', 1)).toThrow(/no such date/);
  });
});

describe('trading days from midnight (America/New_York, 00:00)', () => {
  const midnight = day(NY, '00:00');

  it('the fall-back day lasts 25 hours', () => {
    expect(tradingDayStart('2026-11-01', midnight)).toBe(at('2026-11-01T04:00:00Z'));
    expect(tradingDayEnd('2026-11-01', midnight)).toBe(at('2026-11-02T05:00:00Z'));
  });

  it('the spring-forward day lasts 23 hours', () => {
    expect(tradingDayStart('2026-03-08', midnight)).toBe(at('2026-03-08T05:00:00Z'));
    expect(tradingDayEnd('2026-03-08', midnight)).toBe(at('2026-03-09T04:00:00Z'));
  });

  it.each([
    ['2026-10-31T23:59:59.999Z', '2026-10-31'], // 19:59 EDT
    ['2026-11-01T03:59:59.999Z', '2026-10-31'], // 23:59:59.999 EDT, the last instant of October
    ['2026-11-01T04:00:00Z', '2026-11-01'], // midnight EDT
    ['2026-11-01T05:30:00Z', '2026-11-01'], // 01:30 EDT
    ['2026-11-01T06:30:00Z', '2026-11-01'], // 01:30 EST, the second time round
    ['2026-11-02T04:59:59.999Z', '2026-11-01'], // 23:59:59.999 EST
    ['2026-11-02T05:00:00Z', '2026-11-02'],
    ['2026-03-08T06:59:59Z', '2026-03-08'], // 01:59:59 EST
    ['2026-03-08T07:00:00Z', '2026-03-08'], // 03:00 EDT
    ['2026-03-09T03:59:59Z', '2026-03-08'], // 23:59:59 EDT
    ['2026-03-09T04:00:00Z', '2026-03-09'],
  ])('%s falls on %s', (instant, date) => {
    expect(tradingDate(at(instant), midnight)).toBe(date);
  });
});

describe('futures trading days (America/New_York, 18:00): named after the date they end on', () => {
  const futures = day(NY, '18:00');

  it('Saturday 18:00 EDT to Sunday 18:00 EST is 2026-11-01, 25 hours', () => {
    expect(tradingDayStart('2026-11-01', futures)).toBe(at('2026-10-31T22:00:00Z'));
    expect(tradingDayStart('2026-11-02', futures)).toBe(at('2026-11-01T23:00:00Z'));
  });

  it('2026-03-09 runs from Sunday 18:00 EDT, after a 23-hour 2026-03-08', () => {
    expect(tradingDayStart('2026-03-08', futures)).toBe(at('2026-03-07T23:00:00Z'));
    expect(tradingDayStart('2026-03-09', futures)).toBe(at('2026-03-08T22:00:00Z'));
  });

  it.each([
    ['2026-10-30T21:59:59Z', '2026-10-30'], // Friday 17:59:59 EDT
    ['2026-10-30T22:00:00Z', '2026-10-31'], // Friday 18:00 EDT: the next date's session, across the month end
    ['2026-10-31T22:00:00Z', '2026-11-01'],
    ['2026-11-01T22:59:59Z', '2026-11-01'], // Sunday 17:59:59 EST
    ['2026-11-01T23:00:00Z', '2026-11-02'], // Sunday 18:00 EST
    ['2026-11-30T22:59:59Z', '2026-11-30'],
    ['2026-11-30T23:00:00Z', '2026-12-01'], // Monday 18:00 EST opens December
    ['2026-03-08T21:59:59Z', '2026-03-08'],
    ['2026-03-08T22:00:00Z', '2026-03-09'],
  ])('%s falls on %s', (instant, date) => {
    expect(tradingDate(at(instant), futures)).toBe(date);
  });
});

describe('day starts inside a changing hour', () => {
  it('01:30 on the fall-back day starts at its first occurrence and keeps the repeated hour', () => {
    const d = day(NY, '01:30');
    expect(tradingDayStart('2026-11-01', d)).toBe(at('2026-11-01T05:30:00Z'));
    expect(tradingDayEnd('2026-11-01', d)).toBe(at('2026-11-02T06:30:00Z'));
    // 01:10 EST reads earlier than 01:30 on the wall, but the day has already begun.
    expect(tradingDate(at('2026-11-01T06:10:00Z'), d)).toBe('2026-11-01');
    expect(tradingDate(at('2026-11-01T05:29:59Z'), d)).toBe('2026-10-31');
  });

  it('02:30 on the spring-forward day starts when the clock jumps to 03:00', () => {
    const d = day(NY, '02:30');
    expect(tradingDayStart('2026-03-08', d)).toBe(at('2026-03-08T07:00:00Z'));
    expect(tradingDayEnd('2026-03-08', d)).toBe(at('2026-03-09T06:30:00Z'));
    expect(tradingDate(at('2026-03-08T06:59:59Z'), d)).toBe('2026-03-07');
    expect(tradingDate(at('2026-03-08T07:00:00Z'), d)).toBe('2026-03-08');
  });

  it('a morning day start names the day it opens on', () => {
    const d = day(NY, '09:30');
    expect(tradingDayStart('2026-11-03', d)).toBe(at('2026-11-03T14:30:00Z'));
    expect(tradingDate(at('2026-11-03T14:00:00Z'), d)).toBe('2026-11-02');
  });

  it('other zones: London falls back a week before New York, Kolkata has half hours and no DST', () => {
    const london = day('Europe/London', '00:00');
    expect(tradingDayStart('2026-10-25', london)).toBe(at('2026-10-24T23:00:00Z'));
    expect(tradingDayEnd('2026-10-25', london)).toBe(at('2026-10-26T00:00:00Z'));
    expect(tradingDayStart('2026-11-03', day('Asia/Kolkata', '00:00'))).toBe(at('2026-11-02T18:30:00Z'));
  });
});

describe('TradingCalendar', () => {
  it('refuses an unknown zone or day start', () => {
    expect(() => TradingCalendar.of('America/Nowhere', '00:00')).toThrow(/time zone/);
    expect(() => TradingCalendar.of(NY, '25:00')).toThrow(/HH:MM/);
  });

  it('walks ascending instants day by day with the same answers as tradingDate', () => {
    for (const start of ['00:00', '18:00', '01:30']) {
      const calendar = TradingCalendar.of(NY, start);
      const instants = Array.from({ length: 4 * 24 * 4 }, (_, i) => at('2026-10-30T00:00:00Z') + i * 15 * 60_000);
      const walked: string[] = [];
      calendar.walk(instants, (date) => walked.push(date));
      expect(walked).toEqual(instants.map((t) => tradingDate(t, calendar)));
      expect(calendar.dateOf(instants[200])).toBe(walked[200]);
      expect(new Set(walked).size).toBe(5);
    }
  });

  it('answers dateOf as tradingDate does, for instants in any order, across both changes of the clock', () => {
    for (const start of ['00:00', '18:00', '01:30', '02:30']) {
      const calendar = TradingCalendar.of(NY, start);
      // Every 7 minutes around the fall-back and the spring-forward days, then the same instants shuffled.
      const around = (from: string) => Array.from({ length: (3 * 24 * 60) / 7 }, (_, i) => at(from) + i * 7 * 60_000);
      const instants = [...around('2026-10-31T00:00:00Z'), ...around('2026-03-07T00:00:00Z')];
      const shuffled = instants.map((t, i) => instants[(i * 7919) % instants.length]);
      for (const t of [...instants, ...shuffled, ...instants.reverse()]) expect(calendar.dateOf(t)).toBe(tradingDate(t, calendar));
      // A day's first instant is its own, the instant before it the day before's.
      const first = calendar.startOf('2026-11-02');
      expect([calendar.dateOf(first - 1), calendar.dateOf(first), calendar.dateOf(first - 1)]).toEqual([
        '2026-11-01',
        '2026-11-02',
        '2026-11-01',
      ]);
    }
  });

  it('knows the step every day boundary falls on', () => {
    expect(TradingCalendar.of(NY, '18:00').boundaryStepMs).toBe(HOUR);
    expect(TradingCalendar.of(NY, '09:30').boundaryStepMs).toBe(HOUR / 4);
    expect(TradingCalendar.of('Asia/Kolkata', '00:00').boundaryStepMs).toBe(HOUR / 4);
    expect(TradingCalendar.of('UTC', '00:00').boundaryStepMs).toBe(HOUR);
  });

  it('jumps over empty days while walking', () => {
    const calendar = TradingCalendar.of(NY, '00:00');
    const dates: string[] = [];
    calendar.walk([at('2026-10-15T12:00:00Z'), at('2026-11-20T12:00:00Z')], (date) => dates.push(date));
    expect(dates).toEqual(['2026-10-15', '2026-11-20']);
  });
});

describe('clock helpers', () => {
  it('reads local minutes and weekdays', () => {
    // 2026-03-17T20:55Z is 16:55 in New York (UTC−4 after 2026-03-08).
    expect(minutesInZone(at('2026-03-17T20:55:00Z'), NY)).toBe(16 * 60 + 55);
    expect(minutesInZone(at('2026-01-05T04:30:00Z'), NY)).toBe(23 * 60 + 30);
    expect(['1970-01-01', '2026-03-17', '2026-03-21', '2026-03-22'].map(weekdayOf)).toEqual([4, 2, 6, 0]);
  });

  it('tells whether a minute is inside a window, across midnight too', () => {
    expect(insideMinutes(600, 570, 960)).toBe(true);
    expect(insideMinutes(960, 570, 960)).toBe(false);
    expect(insideMinutes(1100, 1080, 1015)).toBe(true);
    expect(insideMinutes(600, 1080, 1015)).toBe(true);
    expect(insideMinutes(1016, 1080, 1015)).toBe(false);
  });
});
