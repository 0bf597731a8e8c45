import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';

describe('pnl settings', () => {
  it('defaults to New York midnight days, seconds for 2 days, minutes for 90', () => {
    expect(loadConfig({ env: {} }).pnl).toEqual({
      timeZone: 'America/New_York',
      dayStart: '00:00',
      recorder: true,
      retention: { secondsDays: 2, minutesDays: 90, hoursDays: 365 },
    });
  });

  it('takes TRADING_TIMEZONE, TRADING_DAY_START and PNL_RECORDER from the environment', () => {
    const config = loadConfig({ env: { TRADING_TIMEZONE: 'Europe/London', TRADING_DAY_START: '18:00', PNL_RECORDER: 'false' } });
    expect(config.pnl).toEqual(expect.objectContaining({ timeZone: 'Europe/London', dayStart: '18:00', recorder: false }));
  });

  it('names each bad value', () => {
    const attempt = () => loadConfig({ env: { TRADING_TIMEZONE: 'Mars/Olympus', TRADING_DAY_START: '24:00', PNL_RECORDER: 'maybe' } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/pnl\.timeZone: unknown time zone/);
    expect(attempt).toThrow(/pnl\.dayStart: must be HH:MM/);
    expect(attempt).toThrow(/pnl\.recorder: must be true or false/);
    expect(() => loadConfig({ env: { TRADING_DAY_START: '6pm' } })).toThrow(/pnl\.dayStart: must be HH:MM/);
  });
});
