import { DAY_MS, isValidTimeZone, zonedInstant } from '../trading-day.js';

/** A history file that cannot be read; the message names the line (1 is the header). */
export class HistoryError extends Error {}

/** Bounds on what a history file may hold. */
export const HISTORY_LIMITS = {
  /** Characters of one file (a year of 1-minute bars is about 25 MB). */
  chars: 128 * 1024 * 1024,
  /** Data rows of one file. */
  rows: 2_000_000,
  /** Characters of one line. */
  lineChars: 4096,
  /** Columns of one line. */
  columns: 64,
} as const;

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  cells: string[];
}

export interface CsvTable {
  /** The header's names, trimmed and lower-cased. */
  header: string[];
  rows: CsvRow[];
}

/** Splits one CSV line (RFC 4180 quotes, `""` inside them). */
function cells(text: string, line: number, what: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new HistoryError(`${what}: line ${line}: a quoted field is not closed`);
        cell += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          cell += '"';
          i++;
        } else break;
      }
      const comma = text.indexOf(',', i);
      const rest = (comma < 0 ? text.slice(i) : text.slice(i, comma)).trim();
      if (rest) throw new HistoryError(`${what}: line ${line}: text after a quoted field`);
      i = comma < 0 ? text.length + 1 : comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      cell = comma < 0 ? text.slice(i) : text.slice(i, comma);
      i = comma < 0 ? text.length + 1 : comma + 1;
    }
    out.push(cell.trim());
    if (out.length > HISTORY_LIMITS.columns) throw new HistoryError(`${what}: line ${line}: more than ${HISTORY_LIMITS.columns} columns`);
    if (i > text.length) return out;
  }
}

/**
 * Reads a CSV file with a header line, row by row (blank lines are skipped), without keeping the
 * rows: `header` gets the header's names (trimmed, lower-cased), `row` each data row. Bounded by
 * HISTORY_LIMITS.
 */
export function scanCsv(text: string, what: string, header: (names: string[]) => void, row: (row: CsvRow) => void): void {
  if (typeof text !== 'string') throw new HistoryError(`${what}: expected CSV text`);
  if (text.length > HISTORY_LIMITS.chars) {
    throw new HistoryError(`${what}: the file is ${text.length} characters; at most ${HISTORY_LIMITS.chars}`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let seenHeader = false;
  let rows = 0;
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    line++;
    const raw = body.slice(start, end > start && body.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    if (!raw.trim()) continue;
    if (raw.length > HISTORY_LIMITS.lineChars)
      throw new HistoryError(`${what}: line ${line} is longer than ${HISTORY_LIMITS.lineChars} characters`);
    const parsed = cells(raw, line, what);
    if (!seenHeader) {
      seenHeader = true;
      header(parsed.map((name) => name.toLowerCase()));
      continue;
    }
    if (++rows > HISTORY_LIMITS.rows) throw new HistoryError(`${what}: more than ${HISTORY_LIMITS.rows} rows (line ${line})`);
    row({ line, cells: parsed });
  }
  if (!seenHeader) throw new HistoryError(`${what}: the file is empty (expected a header line)`);
}

/** Reads a whole CSV file with a header line (see scanCsv). */
export function readCsv(text: string, what: string): CsvTable {
  const table: CsvTable = { header: [], rows: [] };
  scanCsv(
    text,
    what,
    (names) => (table.header = names),
    (row) => table.rows.push(row),
  );
  return table;
}

/** The index of the first header name present, or -1. */
export function column(table: Pick<CsvTable, 'header'>, ...names: string[]): number {
  for (const name of names) {
    const at = table.header.indexOf(name);
    if (at >= 0) return at;
  }
  return -1;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number cell; an error names the line and the column. */
export function numberCell(row: CsvRow, at: number, name: string, what: string, optional = false): number | undefined {
  const cell = row.cells[at] ?? '';
  const text = cell.includes(',') ? cell.replace(/,/g, '') : cell;
  if (text === '' || text.toLowerCase() === 'nan') {
    if (optional) return undefined;
    throw new HistoryError(`${what}: line ${row.line}: ${name} is missing`);
  }
  if (!DECIMAL.test(text))
    throw new HistoryError(`${what}: line ${row.line}: ${name} ${JSON.stringify(text.slice(0, 40))} is not a number`);
  const value = Number(text);
  if (!Number.isFinite(value) || Math.abs(value) > 1e12)
    throw new HistoryError(`${what}: line ${row.line}: ${name} ${text} is out of range`);
  return value;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DOT_DATE = /^(\d{4})[./](\d{2})[./](\d{2})$/;
const CLOCK = /^(\d{1,2}):?(\d{2})(?::?(\d{2})(\.\d{1,3})?)?$/;
/** The earliest and latest instant accepted: 1970 to 2100. */
const LATEST = Date.UTC(2100, 0, 1);

function dateOf(text: string): string | null {
  const m = ISO_DATE.exec(text) ?? COMPACT_DATE.exec(text) ?? DOT_DATE.exec(text);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  const us = US_DATE.exec(text);
  if (us) return `${us[3]}-${us[1].padStart(2, '0')}-${us[2].padStart(2, '0')}`;
  return null;
}

function validDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
}

/**
 * An instant from a date and an optional time of day, in `timeZone` unless the text carries its
 * own offset: unix seconds (or milliseconds, 13 digits), ISO 8601 (`2024-01-02T09:30:00Z`,
 * `2024-01-02 09:30`), `2024-01-02`, `01/02/2024`, `20240102`, with a time `09:30`, `09:30:15` or `0930`.
 */
export function parseInstant(dateText: string, timeText: string | undefined, timeZone: string): number | null {
  const text = dateText.trim();
  if (/^\d{9,10}(\.\d+)?$/.test(text) && timeText === undefined) return Math.round(Number(text) * 1000);
  if (/^\d{13}$/.test(text) && timeText === undefined) return Number(text);
  let datePart = text;
  let clockPart = timeText?.trim() ?? '';
  const split = /^(\S+?)[T ](.+)$/.exec(text);
  if (split && timeText === undefined) {
    datePart = split[1];
    clockPart = split[2].trim();
  }
  let offsetMs: number | null = null;
  const zone = /(Z|[+-]\d{2}:?\d{2})$/.exec(clockPart);
  if (zone) {
    clockPart = clockPart.slice(0, zone.index).trim();
    if (zone[1] === 'Z') offsetMs = 0;
    else {
      const sign = zone[1][0] === '-' ? -1 : 1;
      const digits = zone[1].slice(1).replace(':', '');
      offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
  }
  const date = dateOf(datePart);
  if (!date || !validDate(date)) return null;
  let ms = 0;
  if (clockPart) {
    const c = CLOCK.exec(clockPart);
    if (!c) return null;
    const [h, m, s] = [Number(c[1]), Number(c[2]), Number(c[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) return null;
    ms = ((h * 60 + m) * 60 + s) * 1000 + Math.round(Number(c[4] ?? 0) * 1000);
  }
  let instant: number;
  if (offsetMs === null && timeZone === 'UTC') offsetMs = 0;
  if (offsetMs !== null) {
    const [y, mo, d] = date.split('-').map(Number);
    instant = Date.UTC(y, mo - 1, d) + ms - offsetMs;
  } else {
    const minutes = Math.floor(ms / 60_000);
    instant = zonedInstant(date, minutes, timeZone) + (ms - minutes * 60_000);
  }
  return instant >= 0 && instant < LATEST && instant - ms > -DAY_MS ? instant : null;
}

/**
 * Where a row's time is: a `Date` column with a `Time` column beside it (the vendor layout), or
 * one column of the names given. -1 for either when absent.
 */
export function timeColumns(table: Pick<CsvTable, 'header'>, ...names: string[]): { date: number; time: number } {
  const date = table.header.indexOf('date');
  const time = table.header.indexOf('time');
  if (date >= 0 && time >= 0) return { date, time };
  return { date: column(table, ...names), time: -1 };
}

/** A time cell (or date + time cells); an error names the line. */
export function instantCell(row: CsvRow, dateAt: number, timeAt: number, timeZone: string, what: string): number {
  const dateText = row.cells[dateAt] ?? '';
  const timeText = timeAt >= 0 ? (row.cells[timeAt] ?? '') : undefined;
  const instant = dateText ? parseInstant(dateText, timeText, timeZone) : null;
  if (instant === null) {
    const shown = JSON.stringify(
      [dateText, timeText]
        .filter((t) => t !== undefined)
        .join(' ')
        .slice(0, 60),
    );
    throw new HistoryError(`${what}: line ${row.line}: time ${shown} is not a time (unix seconds, ISO 8601, or a date and a time)`);
  }
  return instant;
}

export function checkZone(timeZone: string): string {
  if (!isValidTimeZone(timeZone)) throw new HistoryError(`timeZone ${JSON.stringify(timeZone.slice(0, 60))} is not a known time zone`);
  return timeZone;
}
