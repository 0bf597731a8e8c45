import type { IsoTime } from './common.js';

/** At most this many tags on one entry, each 1–32 characters of letters, digits, space and `-_.:/#+`. */
export const JOURNAL_MAX_TAGS = 20;
export const JOURNAL_MAX_TAG_LENGTH = 32;
export const JOURNAL_MAX_NOTE_LENGTH = 4000;
export const JOURNAL_TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _\-.:/#+]*$/u;

/** `GET|PUT /api/journal/trades/:tradeId` and `/api/journal/days/:date`: tags and a note on a trade or a trading day. */
export interface JournalEntryView {
  /** The trade's id, or null for a day's entry. */
  tradeId: string | null;
  /** `YYYY-MM-DD` (a trading day) for a day's entry, else null. */
  day: string | null;
  /** Lower-cased, trimmed, unique, in the order given. */
  tags: string[];
  note: string;
  updatedAt: IsoTime | null;
}

/** What a PUT takes: both fields replace what was there (omitted: left as it was). */
export interface JournalEntryInput {
  tags?: string[];
  note?: string;
}

/** `GET /api/journal/tags`: every tag in use and on how many entries. */
export interface JournalTagView {
  tag: string;
  entries: number;
}
