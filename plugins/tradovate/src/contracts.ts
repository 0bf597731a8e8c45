/**
 * TradingView's continuous futures (`NQ1!`) to the Tradovate contract trading now (`NQZ6`).
 * Pure date arithmetic on CME's listing and expiry rules; no network, no clock of its own.
 *
 * What is modelled, per product family:
 * - Equity index futures (NQ, MNQ, ES, MES, YM, MYM, RTY, M2K): quarterly H, M, U, Z; the last
 *   trading day is the third Friday of the contract month.
 * - WTI crude (CL): every month; trading ends 3 business days before the 25th calendar day of the
 *   month before the contract month (4 business days when the 25th is not a business day).
 *   Micro WTI (MCL) ends one business day before the CL contract of the same month.
 * - Gold (GC, MGC): the actively traded months G, J, M, Q, V, Z (CME also lists the nearest
 *   serial months, which trade thinly). Speculators leave before delivery notices, so the roll
 *   is measured from the first notice day: the last business day of the month before.
 *
 * Business days are weekdays: exchange holidays are not modelled, so a date next to a holiday may
 * be a day off. Dates are calendar dates in UTC. The front month is the first contract whose roll
 * date (`rollDays` calendar days before its reference date above) is still ahead.
 */

export const MONTH_CODES = 'FGHJKMNQUVXZ';

type Family = 'index' | 'crude' | 'micro-crude' | 'gold';

const FAMILIES: Record<string, Family> = {
  NQ: 'index',
  MNQ: 'index',
  ES: 'index',
  MES: 'index',
  YM: 'index',
  MYM: 'index',
  RTY: 'index',
  M2K: 'index',
  CL: 'crude',
  MCL: 'micro-crude',
  GC: 'gold',
  MGC: 'gold',
};

/** Contract months (1-12) each family trades. */
const MONTHS: Record<Family, readonly number[]> = {
  index: [3, 6, 9, 12],
  crude: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  'micro-crude': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  gold: [2, 4, 6, 8, 10, 12],
};

export interface FrontMonth {
  /** Tradovate's contract symbol: root, month code, last digit of the year (`NQZ6`). */
  symbol: string;
  root: string;
  year: number;
  /** 1-12. */
  month: number;
  /** Last trading day (first notice day for gold), `YYYY-MM-DD`. */
  referenceDate: string;
  /** From this date on, the next contract is the front month, `YYYY-MM-DD`. */
  rollDate: string;
}

/** Roots this mapping knows; anything else is not a Tradovate futures contract here. */
export const supportedRoots = (): string[] => Object.keys(FAMILIES);

export const isSupportedRoot = (root: string): boolean => Object.hasOwn(FAMILIES, root.toUpperCase());

/** `NQ` + December 2026 → `NQZ6`. */
export function contractSymbol(root: string, year: number, month: number): string {
  return `${root.toUpperCase()}${MONTH_CODES[month - 1]}${year % 10}`;
}

const day = (year: number, month: number, date: number) => new Date(Date.UTC(year, month - 1, date));
const iso = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const isBusinessDay = (date: Date) => date.getUTCDay() !== 0 && date.getUTCDay() !== 6;

/** The business day `count` business days before `date`. */
function businessDaysBefore(date: Date, count: number): Date {
  let current = date;
  for (let left = count; left > 0;) {
    current = addDays(current, -1);
    if (isBusinessDay(current)) left--;
  }
  return current;
}

/** Third Friday of a month. */
export function thirdFriday(year: number, month: number): Date {
  const first = day(year, month, 1);
  const firstFriday = 1 + ((5 - first.getUTCDay() + 7) % 7);
  return day(year, month, firstFriday + 14);
}

/** CL's last trading day for a contract month. */
export function crudeLastTradingDay(year: number, month: number): Date {
  const twentyFifth = day(year, month - 1, 25); // Date.UTC rolls month 0 back to December of the year before
  return businessDaysBefore(twentyFifth, isBusinessDay(twentyFifth) ? 3 : 4);
}

/** Last business day of the month before the contract month (gold's first notice day). */
export function firstNoticeDay(year: number, month: number): Date {
  let date = addDays(day(year, month, 1), -1);
  while (!isBusinessDay(date)) date = addDays(date, -1);
  return date;
}

function referenceDate(family: Family, year: number, month: number): Date {
  switch (family) {
    case 'index':
      return thirdFriday(year, month);
    case 'crude':
      return crudeLastTradingDay(year, month);
    case 'micro-crude':
      return businessDaysBefore(crudeLastTradingDay(year, month), 1);
    case 'gold':
      return firstNoticeDay(year, month);
  }
}

/**
 * The contract of `root` to trade at `now`: the first listed month whose roll date (`rollDays`
 * calendar days before its last trading day, or first notice day for gold) is after today's date.
 * Throws for a root it does not know.
 */
export function frontMonth(root: string, now: Date, rollDays = 8): FrontMonth {
  const upper = root.toUpperCase();
  const family = FAMILIES[upper];
  if (!family) throw new Error(`no Tradovate contract mapping for ${root}: known roots are ${supportedRoots().join(', ')}`);
  if (!Number.isFinite(rollDays) || rollDays < 0) throw new Error(`rollDays must be a number of days ≥ 0, got ${rollDays}`);
  const today = iso(now);
  for (let offset = 0; offset < 36; offset++) {
    const year = now.getUTCFullYear() + Math.floor((now.getUTCMonth() + offset) / 12);
    const month = ((now.getUTCMonth() + offset) % 12) + 1;
    if (!MONTHS[family].includes(month)) continue;
    const reference = referenceDate(family, year, month);
    const roll = addDays(reference, -Math.floor(rollDays));
    if (iso(roll) > today) {
      return { symbol: contractSymbol(upper, year, month), root: upper, year, month, referenceDate: iso(reference), rollDate: iso(roll) };
    }
  }
  throw new Error(`no ${upper} contract within three years of ${today} with rollDays ${rollDays}`);
}

/** `NQZ6` → `NQ`, for the roots this mapping knows (longest first, so `MNQZ6` is MNQ). */
export function rootOfSymbol(symbol: string): string | undefined {
  const upper = symbol.toUpperCase();
  return supportedRoots()
    .sort((a, b) => b.length - a.length)
    .find((root) => upper.startsWith(root) && /^[FGHJKMNQUVXZ]\d{1,2}$/.test(upper.slice(root.length)));
}
