import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RowShape } from '../database/rows.js';
import { Statements } from '../database/statements.js';
import type { Order } from './order.entity.js';

const ORDER = new RowShape<Order>('orders', {
  id: 'text',
  clientOrderId: 'text',
  strategyId: 'text',
  linkId: 'text',
  accountId: 'text',
  eventId: 'text',
  ticker: 'text',
  side: 'text',
  quantity: 'number',
  type: 'text',
  limitPrice: 'number',
  stopPrice: 'number',
  trailAmount: 'number',
  trailPercent: 'number',
  timeInForce: 'text',
  expiresAt: 'bigint',
  extendedHours: 'boolean',
  signalPrice: 'number',
  triggeredAt: 'bigint',
  status: 'text',
  filledQuantity: 'number',
  avgFillPrice: 'number',
  brokerOrderId: 'text',
  reason: 'text',
  createdAt: 'bigint',
  updatedAt: 'bigint',
});

const BY_CLIENT_ORDER_ID = ORDER.select('"clientOrderId" = ?');
const BY_ID = ORDER.select('"id" = ?');

/**
 * The order rows of the hot path (record, ack, fill) through prepared statements; the API's lists
 * and the rest of execution keep the repository. Writes take the unit of work's `manager`.
 */
@Injectable()
export class OrderStore {
  constructor(private readonly statements: Statements) {}

  async byClientOrderId(clientOrderId: string, m?: EntityManager): Promise<Order | null> {
    const row = await this.statements.get<Record<string, unknown>>(m, BY_CLIENT_ORDER_ID, [clientOrderId]);
    return row ? ORDER.fromRow(row) : null;
  }

  async byId(id: string, m?: EntityManager): Promise<Order | null> {
    const row = await this.statements.get<Record<string, unknown>>(m, BY_ID, [id]);
    return row ? ORDER.fromRow(row) : null;
  }

  /** A strategy's pending and working orders in the given tickers. */
  async openIn(strategyId: string, tickers: readonly string[]): Promise<Order[]> {
    const sql = ORDER.select(
      `"strategyId" = ? AND "status" IN ('pending', 'working') AND "ticker" IN (${tickers.map(() => '?').join(', ')})`,
    );
    const rows = await this.statements.all<Record<string, unknown>>(undefined, sql, [strategyId, ...tickers]);
    return rows.map((row) => ORDER.fromRow(row));
  }

  async insert(m: EntityManager, order: Order): Promise<void> {
    await this.statements.run(m, ORDER.insert, ORDER.values(order));
  }

  async update(m: EntityManager, id: string, changes: Partial<Order>): Promise<void> {
    const [sql, values] = ORDER.update(id, changes);
    await this.statements.run(m, sql, values);
  }
}
