const MONTH_CODES = 'FGHJKMNQUVXZ';
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export interface ContractMonth {
  /** 1–12. */
  month: number;
  year: number;
  /** `March 2022`. */
  label: string;
}

/**
 * The month and year a futures symbol names after its root (`NQH2022` → March 2022, `MNQZ26`,
 * `NQZ6`), or null for a continuous (`NQ1!`) or bare (`NQ`) symbol. A one- or two-digit year is the
 * year with those last digits nearest to now (`Z6` and `Z26` in 2026 are 2026, `H22` is 2022).
 */
export function contractMonth(symbol: string, root: string, now = Date.now()): ContractMonth | null {
  const suffix = symbol
    .trim()
    .replace(/^[^:]*:/, '')
    .toUpperCase()
    .slice(root.length);
  const match = /^([FGHJKMNQUVXZ])(\d{1,4})$/.exec(suffix);
  if (!match) return null;
  const month = MONTH_CODES.indexOf(match[1]) + 1;
  const digits = match[2];
  const thisYear = new Date(now).getUTCFullYear();
  let year: number;
  if (digits.length === 4) year = Number(digits);
  else {
    // The year with those last digits nearest to now.
    const span = 10 ** digits.length;
    const base = thisYear - (thisYear % span) + Number(digits);
    year = [base - span, base, base + span].reduce((best, y) => (Math.abs(y - thisYear) <= Math.abs(best - thisYear) ? y : best));
  }
  return { month, year, label: `${MONTH_NAMES[month - 1]} ${year}` };
}

/**
 * Whether a contract month is over: its whole month lies before `now` (UTC). Contracts expire
 * within their month (the equity indexes on the third Friday), so one in the current month may be
 * expired too; that one is left to the broker, which knows its calendar.
 */
export function contractMonthIsOver(contract: ContractMonth, now = Date.now()): boolean {
  const today = new Date(now);
  const thisMonth = today.getUTCFullYear() * 12 + today.getUTCMonth();
  return contract.year * 12 + (contract.month - 1) < thisMonth;
}

/** An option contract written as TradersPost and OCC do (`SPY 240510C68`, `AAPL 230120P325.5`). */
const OPTION_SYMBOL = /^([A-Z][A-Z.]{0,5})\s+(\d{2})(\d{2})(\d{2})([CP])(\d+(?:\.\d+)?)$/i;

/** What an option ticker names, in words, or null when the ticker is not one. */
export function optionContract(ticker: string): string | null {
  const match = OPTION_SYMBOL.exec(ticker.trim());
  if (!match) return null;
  const [, underlying, yy, mm, dd, kind, strike] = match;
  return `${underlying.toUpperCase()} ${kind.toUpperCase() === 'C' ? 'call' : 'put'} ${strike} expiring 20${yy}-${mm}-${dd}`;
}
