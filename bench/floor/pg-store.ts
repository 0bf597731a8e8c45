import pg from 'pg';
import { lastPositions, type AlertRow, type FillRow, type FloorStore, type OrderRow } from './store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, strategy TEXT NOT NULL, body TEXT NOT NULL, received_at BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, strategy TEXT NOT NULL, ticker TEXT NOT NULL,
    side TEXT NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS fills (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, price_cents BIGINT NOT NULL, quantity INTEGER NOT NULL, at BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS positions (strategy TEXT NOT NULL, ticker TEXT NOT NULL, quantity INTEGER NOT NULL,
    cost_cents BIGINT NOT NULL, realized_cents BIGINT NOT NULL, PRIMARY KEY (strategy, ticker));
`;

// Named statements (prepared once per connection), a whole batch as arrays through unnest().
const ALERTS = {
  name: 'floor-alerts',
  text: 'INSERT INTO alerts (id, strategy, body, received_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])',
};
const ORDERS = {
  name: 'floor-orders',
  text: `INSERT INTO orders (id, alert_id, strategy, ticker, side, quantity, status, created_at)
         SELECT a, b, c, d, e, f, 'working', g FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[]) AS u(a, b, c, d, e, f, g)`,
};
const FILLS = {
  name: 'floor-fills',
  text: 'INSERT INTO fills (id, order_id, price_cents, quantity, at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::bigint[])',
};
const FILLED = {
  name: 'floor-filled',
  text: "UPDATE orders SET status = 'filled' FROM unnest($1::text[]) AS u(id) WHERE orders.id = u.id",
};
const POSITIONS = {
  name: 'floor-positions',
  text: `INSERT INTO positions (strategy, ticker, quantity, cost_cents, realized_cents)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[])
         ON CONFLICT (strategy, ticker) DO UPDATE SET quantity = excluded.quantity, cost_cents = excluded.cost_cents, realized_cents = excluded.realized_cents`,
};

/** `pg` with named statements; every commit is durable (PostgreSQL's default, as Tradeloop leaves it). */
export class PgStore implements FloorStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    await pool.query(SCHEMA);
    return new PgStore(pool);
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  insertAlerts(rows: AlertRow[]): Promise<void> {
    return this.transaction(async (c) => {
      await c.query({
        ...ALERTS,
        values: [rows.map((r) => r.id), rows.map((r) => r.strategy), rows.map((r) => r.body), rows.map((r) => r.receivedAt)],
      });
    });
  }

  insertOrders(rows: OrderRow[]): Promise<void> {
    return this.transaction(async (c) => {
      await c.query({
        ...ORDERS,
        values: [
          rows.map((r) => r.id),
          rows.map((r) => r.alertId),
          rows.map((r) => r.strategy),
          rows.map((r) => r.ticker),
          rows.map((r) => r.side),
          rows.map((r) => r.quantity),
          rows.map((r) => r.createdAt),
        ],
      });
    });
  }

  bookFills(rows: FillRow[]): Promise<void> {
    const positions = lastPositions(rows);
    return this.transaction(async (c) => {
      await c.query({
        ...FILLS,
        values: [
          rows.map((r) => r.id),
          rows.map((r) => r.orderId),
          rows.map((r) => r.priceCents),
          rows.map((r) => r.quantity),
          rows.map((r) => r.at),
        ],
      });
      await c.query({ ...FILLED, values: [rows.map((r) => r.orderId)] });
      await c.query({
        ...POSITIONS,
        values: [
          positions.map((p) => p.strategy),
          positions.map((p) => p.ticker),
          positions.map((p) => p.quantity),
          positions.map((p) => p.costCents),
          positions.map((p) => p.realizedCents),
        ],
      });
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
