/** Dollars with a sign and two decimals: +$1,234.50, −$80.00, $0.00; a dash when unknown. */
export function formatMoney(value: number | null | undefined, options: { sign?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const sign = options.sign !== false;
  const abs = Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (value < 0 && abs !== '0.00') return `−$${abs}`;
  return `${sign && value > 0 && abs !== '0.00' ? '+' : ''}$${abs}`;
}

/** The colour class of a P&L number. */
export function tone(value: number | null | undefined): 'good' | 'bad' | 'flat' {
  if (value === null || value === undefined || Math.abs(value) < 0.005) return 'flat';
  return value > 0 ? 'good' : 'bad';
}

/** A price with as many decimals as its tick size needs. */
export function formatPrice(value: number | null | undefined, step = 0.01): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // As many decimals as the tick size has: 0.25 → 2, 0.1 → 1, 1 → 0.
  const decimals = (step.toFixed(8).replace(/0+$/, '').split('.')[1] ?? '').length;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A time in the trading time zone: `2026-11-03 14:05:09`. */
export function formatTime(value: string | number | null | undefined, timeZone: string): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** A time for a tight column, in the trading time zone: `14:05:09` on the same date as `now`, else `11-02 14:05`. */
export function formatShortTime(value: string | number | null | undefined, timeZone: string, now: number): string {
  const text = formatTime(value, timeZone);
  if (text === '—') return text;
  return text.slice(0, 10) === formatTime(now, timeZone).slice(0, 10) ? text.slice(11) : text.slice(5, 16);
}

/** A share as a percentage: 0.625 → `62.5%`; a dash when unknown. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
}

/** Dollars in a few characters, for a phone's calendar cell: +$390, −$1.2k, +$25k; a dash when unknown. */
export function formatCompactMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const text =
    abs < 1000
      ? String(Math.round(abs))
      : abs < 10_000
        ? `${(Math.round(abs / 100) / 10).toString()}k`
        : abs < 1_000_000
          ? `${Math.round(abs / 1000)}k`
          : `${(Math.round(abs / 100_000) / 10).toString()}M`;
  if (text === '0') return '$0';
  return `${value < 0 ? '−' : '+'}$${text}`;
}
