// The floor's storage: the same durable writes Tradeloop makes for an alert, and nothing else.
// One implementation per database; every method takes a batch, written in one transaction.

export interface AlertRow {
  id: string;
  strategy: string;
  body: string;
  receivedAt: number;
}

export interface OrderRow {
  id: string;
  alertId: string;
  strategy: string;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  createdAt: number;
}

export interface PositionRow {
  strategy: string;
  ticker: string;
  /** Signed: long above 0. */
  quantity: number;
  /** Signed cost of the open quantity, in cents. */
  costCents: number;
  realizedCents: number;
}

export interface FillRow {
  id: string;
  orderId: string;
  priceCents: number;
  quantity: number;
  at: number;
  /** The position after this fill. */
  position: PositionRow;
}

export interface FloorStore {
  /** Durable (fsynced) before the 202. */
  insertAlerts(rows: AlertRow[]): Promise<void> | void;
  /** Durable (fsynced) before the order reaches the broker. */
  insertOrders(rows: OrderRow[]): Promise<void> | void;
  /** The fill, the order's status and the position: bookkeeping, as Tradeloop writes it (SQLite: synchronous=NORMAL). */
  bookFills(rows: FillRow[]): Promise<void> | void;
  close(): Promise<void> | void;
}

/** The last position per (strategy, ticker) of a batch: one upsert each. */
export function lastPositions(rows: FillRow[]): PositionRow[] {
  const last = new Map<string, PositionRow>();
  for (const row of rows) last.set(`${row.position.strategy}\u0000${row.position.ticker}`, row.position);
  return [...last.values()];
}
