import type { Position } from './position.entity.js';

const keyOf = (accountId: string, key: string, ticker: string) => `${accountId}\u0000${key}\u0000${ticker}`;
/** One position's key: its account, its strategy key and its ticker. */
export const positionKeyOf = keyOf;
const tickerOf = (accountId: string, ticker: string) => `${accountId}\u0000${ticker}`;

/** A copy to change without touching the original (its lots are copied too). */
export const copyPosition = (position: Position): Position => ({ ...position, lots: position.lots.map((lot) => ({ ...lot })) });

/**
 * Every position on record, in memory: what the database holds once its last transaction
 * committed. It is complete — a position it does not hold does not exist — so it answers
 * "none" as surely as "this one". Filled from the table at start and kept current by the ledger,
 * which writes every position (see LedgerStore).
 */
export class PositionBook {
  private readonly byKey = new Map<string, Position>();
  /** The positions of one account in one ticker, by strategy key. */
  private readonly byTicker = new Map<string, Map<string, Position>>();

  get size(): number {
    return this.byKey.size;
  }

  /** A copy of the position held under `key` in `ticker`, or null. */
  get(accountId: string, key: string, ticker: string): Position | null {
    const position = this.byKey.get(keyOf(accountId, key, ticker));
    return position ? copyPosition(position) : null;
  }

  /** The quantity held under `key` in `ticker` (0 when none), read without a copy. */
  quantity(accountId: string, key: string, ticker: string): number {
    return this.byKey.get(keyOf(accountId, key, ticker))?.quantity ?? 0;
  }

  /** As the database holds it now (a copy is kept: later changes to `position` do not reach the book). */
  set(position: Position): void {
    const kept = copyPosition(position);
    this.byKey.set(keyOf(kept.accountId, kept.strategyId, kept.ticker), kept);
    const where = tickerOf(kept.accountId, kept.ticker);
    let inTicker = this.byTicker.get(where);
    if (!inTicker) this.byTicker.set(where, (inTicker = new Map()));
    inTicker.set(kept.strategyId, kept);
  }

  /**
   * The account's net position in a ticker but the one held under `exceptKey`: every strategy,
   * link and manual position there. Summed as it is asked, allocating nothing (asked before every
   * order that adds exposure).
   */
  netIn(accountId: string, ticker: string, exceptKey: string): number {
    let net = 0;
    const inTicker = this.byTicker.get(tickerOf(accountId, ticker));
    if (inTicker) for (const position of inTicker.values()) if (position.strategyId !== exceptKey) net += position.quantity;
    return net;
  }
}
