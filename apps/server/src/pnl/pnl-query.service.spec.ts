import { describe, expect, it } from '@jest/globals';
import { DAY_MS, TradingCalendar } from '@tradeloop/domain';
import type { AppConfig } from '../config/config.schema.js';
import { PnlQueryService } from './pnl-query.service.js';

describe('series resolution auto', () => {
  const config = { pnl: { dayStart: '00:00', retention: { secondsDays: 2, minutesDays: 90, hoursDays: 365 } } } as AppConfig;
  const service = new PnlQueryService(config, null!, null!, null!, TradingCalendar.of('America/New_York', '00:00'), null!, null!);
  const now = Date.parse('2026-11-25T12:00:00Z');
  const pick = (spanMs: number, endsAgoMs = 0) => service.pickResolution(now - endsAgoMs - spanMs, now - endsAgoMs, now);

  it.each([
    ['ten minutes', '1s', 10 * 60_000], // 600 points
    ['1,000 seconds', '1s', 1000 * 1000],
    ['an hour', '1m', 3_600_000], // 3,600 seconds would be too many: 60 minutes
    ['a day', '1h', DAY_MS], // 1,440 minutes would be too many: 24 hours
    ['16 hours', '1m', 16 * 3_600_000], // 960 minutes
    ['a week', '1h', 7 * DAY_MS], // 168 hours
    ['41 days', '1h', 41 * DAY_MS], // 984 hours
    ['three months', '1d', 92 * DAY_MS],
    ['a year', '1d', 365 * DAY_MS],
  ])('%s ending now: %s', (_name, expected, span) => {
    expect(pick(span)).toBe(expected);
  });

  it('skips a resolution no longer kept for the start of the range', () => {
    expect(pick(10 * 60_000, 3 * DAY_MS)).toBe('1m'); // seconds are kept two days
    expect(pick(10 * 60_000, 100 * DAY_MS)).toBe('1h'); // minutes 90 days
    expect(pick(10 * 60_000, 400 * DAY_MS)).toBe('1d'); // hours a year
  });
});
