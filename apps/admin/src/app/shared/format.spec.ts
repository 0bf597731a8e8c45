import { formatCompactMoney, formatMoney, formatPercent, formatPrice, formatShortTime, formatTime, tone } from './format';

describe('formatMoney', () => {
  it('shows the sign and two decimals, with a true minus', () => {
    expect(formatMoney(1234.5)).toBe('+$1,234.50');
    expect(formatMoney(-80)).toBe('−$80.00');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(-0.001)).toBe('$0.00');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(50000, { sign: false })).toBe('$50,000.00');
  });
});

describe('tone', () => {
  it('colours gains, losses and nothing', () => {
    expect([tone(1), tone(-0.01), tone(0), tone(null)]).toEqual(['good', 'bad', 'flat', 'flat']);
  });
});

describe('formatPrice', () => {
  it('uses the decimals of the tick size', () => {
    expect(formatPrice(25329.5, 0.25)).toBe('25,329.50');
    expect(formatPrice(47001, 1)).toBe('47,001');
    expect(formatPrice(75.3, 0.01)).toBe('75.30');
    expect(formatPrice(2400.1, 0.1)).toBe('2,400.1');
  });
});

describe('formatTime', () => {
  it('shows instants in the trading time zone, across a DST change', () => {
    expect(formatTime('2026-11-03T19:05:09Z', 'America/New_York')).toBe('2026-11-03 14:05:09');
    expect(formatTime('2026-10-30T19:05:09Z', 'America/New_York')).toBe('2026-10-30 15:05:09');
  });
});

describe('formatShortTime', () => {
  const now = Date.parse('2026-11-03T20:00:00Z');
  it('shows the time alone on the same date in the zone, and the date without the year otherwise', () => {
    expect(formatShortTime('2026-11-03T19:05:09Z', 'America/New_York', now)).toBe('14:05:09');
    expect(formatShortTime('2026-11-02T19:05:09Z', 'America/New_York', now)).toBe('11-02 14:05');
    // 01:00 UTC on the 4th is still the 3rd in New York.
    expect(formatShortTime('2026-11-04T01:00:00Z', 'America/New_York', now)).toBe('20:00:00');
    expect(formatShortTime(null, 'UTC', now)).toBe('—');
  });
});

describe('formatPercent', () => {
  it('shows a share as a percentage with at most one decimal', () => {
    expect([formatPercent(0.625), formatPercent(1), formatPercent(0), formatPercent(1 / 3), formatPercent(null)]).toEqual([
      '62.5%',
      '100%',
      '0%',
      '33.3%',
      '—',
    ]);
  });
});

describe('formatCompactMoney', () => {
  it('fits a phone calendar cell', () => {
    expect([390, -80.4, 1234.5, -25_400, 2_450_000, 0.3, null].map(formatCompactMoney)).toEqual([
      '+$390',
      '−$80',
      '+$1.2k',
      '−$25k',
      '+$2.5M',
      '$0',
      '—',
    ]);
  });
});
