import Database from 'better-sqlite3';
import { lastPositions, type AlertRow, type FillRow, type FloorStore, type OrderRow } from './store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, strategy TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, strategy TEXT NOT NULL, ticker TEXT NOT NULL,
    side TEXT NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS fills (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, price_cents INTEGER NOT NULL, quantity INTEGER NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS positions (strategy TEXT NOT NULL, ticker TEXT NOT NULL, quantity INTEGER NOT NULL,
    cost_cents INTEGER NOT NULL, realized_cents INTEGER NOT NULL, PRIMARY KEY (strategy, ticker));
`;

/** better-sqlite3 in WAL mode, prepared statements, one transaction per batch. */
export class SqliteStore implements FloorStore {
  private readonly db: Database.Database;
  private synchronous: 'FULL' | 'NORMAL' | null = null;
  private readonly writeAlerts: (rows: AlertRow[]) => void;
  private readonly writeOrders: (rows: OrderRow[]) => void;
  private readonly writeFills: (rows: FillRow[]) => void;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    const alert = this.db.prepare('INSERT INTO alerts (id, strategy, body, received_at) VALUES (?, ?, ?, ?)');
    const order = this.db.prepare(
      "INSERT INTO orders (id, alert_id, strategy, ticker, side, quantity, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'working', ?)",
    );
    const fill = this.db.prepare('INSERT INTO fills (id, order_id, price_cents, quantity, at) VALUES (?, ?, ?, ?, ?)');
    const filled = this.db.prepare("UPDATE orders SET status = 'filled' WHERE id = ?");
    const position = this.db.prepare(
      `INSERT INTO positions (strategy, ticker, quantity, cost_cents, realized_cents) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (strategy, ticker) DO UPDATE SET quantity = excluded.quantity, cost_cents = excluded.cost_cents, realized_cents = excluded.realized_cents`,
    );
    this.writeAlerts = this.db.transaction((rows: AlertRow[]) => {
      for (const r of rows) alert.run(r.id, r.strategy, r.body, r.receivedAt);
    });
    this.writeOrders = this.db.transaction((rows: OrderRow[]) => {
      for (const r of rows) order.run(r.id, r.alertId, r.strategy, r.ticker, r.side, r.quantity, r.createdAt);
    });
    this.writeFills = this.db.transaction((rows: FillRow[]) => {
      for (const r of rows) {
        fill.run(r.id, r.orderId, r.priceCents, r.quantity, r.at);
        filled.run(r.orderId);
      }
      for (const p of lastPositions(rows)) position.run(p.strategy, p.ticker, p.quantity, p.costCents, p.realizedCents);
    });
  }

  private sync(level: 'FULL' | 'NORMAL'): void {
    if (this.synchronous === level) return;
    this.db.pragma(`synchronous = ${level}`);
    this.synchronous = level;
  }

  insertAlerts(rows: AlertRow[]): void {
    this.sync('FULL');
    this.writeAlerts(rows);
  }

  insertOrders(rows: OrderRow[]): void {
    this.sync('FULL');
    this.writeOrders(rows);
  }

  bookFills(rows: FillRow[]): void {
    this.sync('NORMAL');
    this.writeFills(rows);
  }

  close(): void {
    this.db.close();
  }
}
