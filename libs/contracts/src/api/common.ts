/** An instant as the REST API writes it: ISO 8601 in UTC (`2026-03-02T14:30:00.000Z`). */
export type IsoTime = string;

/** One page of a long listing, newest first: `items` from `offset`, at most `limit`, of `total`. */
export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}
