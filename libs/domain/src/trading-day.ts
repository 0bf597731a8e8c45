/**
 * Trading days: which calendar date an instant counts toward, in a configured time zone with a
 * configured day start. Pure arithmetic on `Intl.DateTimeFormat`, exact across daylight-saving
 * changes.
 *
 * - A trading day begins at the first instant whose local wall-clock time reaches the day start.
 *   On a spring-forward day a start inside the skipped hour begins when the clock jumps past it;
 *   on a fall-back day a start inside the repeated hour begins at its first occurrence.
 * - A day start after noon opens the *next* date's trading day, as futures exchanges count it:
 *   with `18:00`, Sunday 18:00 to Monday 18:00 is Monday. A day start at or before noon opens that
 *   same date's day (`00:00`: the calendar day; `09:30`: 09:30 to 09:30 the next morning).
 * - Dates are `YYYY-MM-DD` strings; instants are epoch milliseconds, UTC.
 */

export interface TradingDay {
  /** IANA zone, e.g. `America/New_York`. */
  timeZone: string;
  /** Minutes after local midnight, 0–1439. */
  dayStartMinutes: number;
}

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const NOON = 12 * 60;

/** `HH:MM` (24-hour) to minutes after midnight; throws on anything else. */
export function parseDayStart(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new Error(`day start must be HH:MM (24-hour), got ${JSON.stringify(text)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** True when `Intl` knows the zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at `instant`, in milliseconds (New York in winter: −5 h). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type in parts) parts[part.type as keyof typeof parts] = Number(part.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return wall - whole;
}

/** Epoch day number (days since 1970-01-01) of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = ms / DAY_MS;
  if (dateOfDayNumber(day) !== date) throw new Error(`no such date: ${date}`);
  return day;
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/**
 * The instant the local wall-clock time `minutes` after midnight of `date` is first reached in
 * the zone: the earlier one when the clock repeats it, the end of the gap when it skips it.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const wall = dayNumber(date) * DAY_MS + minutes * MINUTE_MS;
  // Offsets a day either side bracket any transition near this wall time.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].filter((t) => t + zoneOffsetMs(t, timeZone) === wall);
  if (candidates.length) return Math.min(...candidates);
  // The wall time was skipped: the day starts when the clock jumps, the first instant on the new offset.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(mid, timeZone) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The first instant of trading day `date`. */
export function tradingDayStart(date: string, day: TradingDay): number {
  const opensDayBefore = day.dayStartMinutes > NOON;
  return zonedInstant(opensDayBefore ? addDays(date, -1) : date, day.dayStartMinutes, day.timeZone);
}

/** The first instant after trading day `date`: the start of the next one. */
export function tradingDayEnd(date: string, day: TradingDay): number {
  return tradingDayStart(addDays(date, 1), day);
}

/** The trading date `instant` counts toward. */
export function tradingDate(instant: number, day: TradingDay): string {
  return tradingDateWith(instant, day, (date) => tradingDayStart(date, day));
}

function tradingDateWith(instant: number, day: TradingDay, startOf: (date: string) => number): string {
  const wall = instant + zoneOffsetMs(instant, day.timeZone);
  const shift = day.dayStartMinutes > NOON ? DAY_MS : 0;
  let candidate = dateOfDayNumber(Math.floor((wall - day.dayStartMinutes * MINUTE_MS + shift) / DAY_MS));
  // The wall clock runs backwards for an hour on fall-back days: settle on the day whose start
  // is the last one at or before the instant.
  if (instant < startOf(candidate)) candidate = addDays(candidate, -1);
  else if (instant >= startOf(addDays(candidate, 1))) candidate = addDays(candidate, 1);
  return candidate;
}

/** The trading dates of a calendar month `YYYY-MM`, first to last. */
export function monthDates(month: string): string[] {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new Error(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const first = dayNumber(`${month}-01`);
  const next = Date.UTC(Number(match[1]), Number(match[2]), 1) / DAY_MS;
  return Array.from({ length: next - first }, (_, i) => dateOfDayNumber(first + i));
}

/**
 * Trading-day lookups for hot loops: day starts are cached, and `dateOf` over ascending instants
 * walks day boundaries instead of formatting each instant.
 */
export class TradingCalendar implements TradingDay {
  readonly timeZone: string;
  readonly dayStartMinutes: number;
  private readonly starts = new Map<string, number>();
  private step: number | undefined;
  private lastDay?: { date: string; start: number; end: number };

  constructor(day: TradingDay) {
    if (!isValidTimeZone(day.timeZone)) throw new Error(`unknown time zone ${JSON.stringify(day.timeZone)}`);
    if (!Number.isInteger(day.dayStartMinutes) || day.dayStartMinutes < 0 || day.dayStartMinutes >= 24 * 60) {
      throw new Error(`dayStartMinutes must be 0–1439, got ${day.dayStartMinutes}`);
    }
    this.timeZone = day.timeZone;
    this.dayStartMinutes = day.dayStartMinutes;
  }

  /**
   * The coarsest step (1 h, 15 min or 1 min) that every trading-day boundary falls on, so
   * instants can be summed per step first and the steps walked into days: whole-hour zones with
   * a day start on the hour take hours. Checked on every January and July offset 1970–2100.
   */
  get boundaryStepMs(): number {
    if (this.step === undefined) {
      const offsets = new Set<number>();
      for (let year = 1970; year <= 2100; year++) {
        for (const month of [0, 6]) offsets.add(zoneOffsetMs(Date.UTC(year, month, 1), this.timeZone));
      }
      const fits = (step: number) => (this.dayStartMinutes * MINUTE_MS) % step === 0 && [...offsets].every((o) => o % step === 0);
      this.step = [3_600_000, 900_000].find(fits) ?? MINUTE_MS;
    }
    return this.step;
  }

  static of(timeZone: string, dayStart: string): TradingCalendar {
    return new TradingCalendar({ timeZone, dayStartMinutes: parseDayStart(dayStart) });
  }

  startOf(date: string): number {
    let start = this.starts.get(date);
    if (start === undefined) {
      start = tradingDayStart(date, this);
      if (this.starts.size > 20_000) this.starts.clear();
      this.starts.set(date, start);
    }
    return start;
  }

  endOf(date: string): number {
    return this.startOf(addDays(date, 1));
  }

  dateOf(instant: number): string {
    // Most instants asked about (now, a fill's time) fall in the day asked about last: a day is
    // the instants from its start to the next day's, so that one comparison settles it.
    const last = this.lastDay;
    if (last && instant >= last.start && instant < last.end) return last.date;
    const date = tradingDateWith(instant, this, (day) => this.startOf(day));
    this.lastDay = { date, start: this.startOf(date), end: this.endOf(date) };
    return date;
  }

  /**
   * Groups ascending instants by trading date: `each(date, index)` is called once per instant,
   * in order. One day-boundary lookup per day crossed, not per instant.
   */
  walk(instants: ArrayLike<number>, each: (date: string, index: number) => void): void {
    if (instants.length === 0) return;
    let date = this.dateOf(instants[0]);
    let end = this.endOf(date);
    for (let i = 0; i < instants.length; i++) {
      const t = instants[i];
      if (i > 0 && t < instants[i - 1]) throw new Error('instants must be ascending');
      if (t >= end) {
        date = t < this.endOf(addDays(date, 1)) ? addDays(date, 1) : this.dateOf(t);
        end = this.endOf(date);
      }
      each(date, i);
    }
  }
}

/** Minutes after local midnight of an instant in a zone. */
export function minutesInZone(instant: number, timeZone: string): number {
  const local = instant + zoneOffsetMs(instant, timeZone);
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** `from` inclusive to `to` exclusive, in minutes after midnight; a window whose end comes before its start spans midnight. */
export const insideMinutes = (now: number, from: number, to: number): boolean =>
  from <= to ? now >= from && now < to : now >= from || now < to;

/** Day of the week of a `YYYY-MM-DD` date, 0 = Sunday. */
export const weekdayOf = (date: string): number => (((dayNumber(date) + 4) % 7) + 7) % 7;
