import { describe, expect, it } from '@jest/globals';
import { contractSymbol, crudeLastTradingDay, firstNoticeDay, frontMonth, rootOfSymbol, thirdFriday } from './contracts.js';

const at = (date: string) => new Date(`${date}T12:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);

// Every expected value below was worked out by hand from a calendar (2026-12-01 is a Tuesday,
// 2026-10-25 a Sunday, 2026-11-25 a Wednesday, 2027-01-31 a Sunday).
describe('contract calendar', () => {
  it.each([
    [2026, 12, '2026-12-18'],
    [2026, 9, '2026-09-18'],
    [2027, 3, '2027-03-19'],
    [2026, 3, '2026-03-20'],
  ])('third Friday of %i-%i is %s', (year, month, expected) => {
    expect(iso(thirdFriday(year, month))).toBe(expected);
  });

  it.each([
    // 25 Nov 2026 is a Wednesday: 3 business days before → Fri 20 Nov.
    [2026, 12, '2026-11-20'],
    // 25 Oct 2026 is a Sunday: 4 business days before the 25th → Tue 20 Oct.
    [2026, 11, '2026-10-20'],
    // January contract: the month before is December of the year before; 25 Dec 2026 is a Friday → Tue 22 Dec.
    [2027, 1, '2026-12-22'],
  ])('CL last trading day for %i-%i is %s', (year, month, expected) => {
    expect(iso(crudeLastTradingDay(year, month))).toBe(expected);
  });

  it.each([
    [2026, 12, '2026-11-30'], // Mon 30 Nov
    [2027, 2, '2027-01-29'], // 31 Jan is a Sunday, 30 a Saturday → Fri 29 Jan
    [2026, 10, '2026-09-30'], // Wed 30 Sep
  ])('gold first notice day for %i-%i is %s', (year, month, expected) => {
    expect(iso(firstNoticeDay(year, month))).toBe(expected);
  });

  it('spells Tradovate symbols with one year digit', () => {
    expect(contractSymbol('nq', 2026, 12)).toBe('NQZ6');
    expect(contractSymbol('MES', 2030, 3)).toBe('MESH0');
    expect(contractSymbol('CL', 2027, 1)).toBe('CLF7');
  });
});

describe('frontMonth', () => {
  it.each([
    // Equity index, quarterly; roll 8 calendar days before the third Friday (Thursday of the week before).
    ['NQ', '2026-10-15', 8, 'NQZ6'],
    ['NQ', '2026-12-09', 8, 'NQZ6'],
    ['NQ', '2026-12-10', 8, 'NQH7'], // roll date of NQZ6: 18 Dec - 8 = 10 Dec
    ['NQ', '2026-12-18', 0, 'NQH7'], // no roll days: the expiry day itself is the next contract's
    ['NQ', '2026-12-17', 0, 'NQZ6'],
    ['NQ', '2026-09-09', 8, 'NQU6'], // NQU6 expires 18 Sep, rolls 10 Sep
    ['NQ', '2026-09-10', 8, 'NQZ6'],
    ['MNQ', '2026-07-01', 8, 'MNQU6'],
    ['ES', '2027-01-05', 8, 'ESH7'],
    ['M2K', '2026-06-04', 8, 'M2KM6'], // 3rd Friday of June 2026 is the 19th: rolls 11 Jun
    ['M2K', '2026-06-11', 8, 'M2KU6'],
    // Crude, monthly; CLZ6 last trades 20 Nov 2026.
    ['CL', '2026-11-10', 3, 'CLZ6'],
    ['CL', '2026-11-17', 3, 'CLF7'], // roll date 20 Nov - 3 = 17 Nov
    ['CL', '2026-10-16', 3, 'CLX6'], // CLX6 last trades 20 Oct: rolls 17 Oct
    ['CL', '2026-10-17', 3, 'CLZ6'],
    ['MCL', '2026-10-15', 3, 'MCLX6'], // MCLX6 last trades Mon 19 Oct: rolls 16 Oct
    ['MCL', '2026-10-16', 3, 'MCLZ6'],
    // Gold, G J M Q V Z; GCZ6 first notice day 30 Nov 2026.
    ['GC', '2026-11-20', 3, 'GCZ6'],
    ['GC', '2026-11-27', 3, 'GCG7'], // roll date 30 Nov - 3 = 27 Nov
    ['MGC', '2026-10-01', 3, 'MGCZ6'], // GCV6's first notice day was 30 Sep
    ['GC', '2026-09-26', 3, 'GCV6'], // rolls 27 Sep
  ] as const)('%s on %s with %i roll days → %s', (root, date, rollDays, expected) => {
    expect(frontMonth(root, at(date), rollDays).symbol).toBe(expected);
  });

  it('says when it rolls and why', () => {
    expect(frontMonth('NQ', at('2026-10-15'))).toEqual({
      symbol: 'NQZ6',
      root: 'NQ',
      year: 2026,
      month: 12,
      referenceDate: '2026-12-18',
      rollDate: '2026-12-10',
    });
  });

  it('is case-insensitive and refuses roots it does not know, naming the known ones', () => {
    expect(frontMonth('nq', at('2026-10-15')).symbol).toBe('NQZ6');
    expect(() => frontMonth('ZB', at('2026-10-15'))).toThrow(/no Tradovate contract mapping for ZB: known roots are NQ, /);
    expect(() => frontMonth('NQ', at('2026-10-15'), -1)).toThrow(/rollDays/);
  });

  it('finds the root of a contract symbol, longest root first', () => {
    expect(rootOfSymbol('NQZ6')).toBe('NQ');
    expect(rootOfSymbol('MNQZ6')).toBe('MNQ');
    expect(rootOfSymbol('MCLF7')).toBe('MCL');
    expect(rootOfSymbol('ZBZ6')).toBeUndefined();
    expect(rootOfSymbol('NQ')).toBeUndefined();
  });
});
