import { Inject, Injectable } from '@nestjs/common';
import { roundQuantity } from '@tradeloop/domain';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { RowShape } from '../database/rows.js';
import { num, Statements } from '../database/statements.js';
import { StrategyListing } from '../database/strategy-listing.js';
import { NO_STRATEGY } from '../ledger/ledger-messages.js';
import type { MarketOrderOnRecord } from '../risk/risk.service.js';
import { OPEN_ORDER, type Order } from './order.entity.js';

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
/**
 * Both databases take `ON CONFLICT DO NOTHING` without naming the key: only the client order id can
 * conflict (ids are new). With its place in its strategy's list, where the database lists at once.
 */
const INSERT_NEW = `${ORDER.insertAlso('listedStrategyId')} ON CONFLICT DO NOTHING`;
const BY_ID = ORDER.select('"id" = ?');

/**
 * A strategy's open orders in `tickers` tickers: answered from the open-orders index (its
 * condition, written the same, is what lets both databases use it), not by reading every order
 * the strategy ever placed.
 */
export const openOrdersSql = (tickers: number) =>
  ORDER.select(`"strategyId" = ? AND ${OPEN_ORDER} AND "ticker" IN (${Array.from({ length: tickers }, () => '?').join(', ')})`);

/** Market orders that may still fill, created at or after a time (see marketFilling). */
const MARKET_FILLING = `SELECT "id", "accountId", "strategyId", "linkId", "ticker", "side", "quantity", "filledQuantity" FROM orders WHERE ${OPEN_ORDER} AND "type" = 'market' AND "createdAt" >= ?`;
const MARKET_FILLING_IN = `${MARKET_FILLING} AND "accountId" = ?`;

/** Orders held in memory at most; the oldest held goes first (a fill or an ack comes within moments of its order). */
export const MAX_HELD_ORDERS = 10_000;

/**
 * The order rows of the hot path (record, ack, fill) through prepared statements; the API's lists
 * and the rest of execution keep the repository. Writes take the unit of work's `manager`.
 *
 * With one process (no Redis) the orders this store wrote or read are held in memory, as committed:
 * an order is read right after it is written (by its client id when the broker fills it, by id
 * when it acks), and on SQLite a read outside a transaction costs its read lock. A row is put
 * or changed here the moment its transaction commits; a write that does not go through `insert`
 * or `update` (a conditional claim) must call `forget`. Reads inside a unit of work go to the
 * database, which holds the unit's own changes. Every read answers a copy.
 */
@Injectable()
export class OrderStore {
  private readonly held: Map<string, Order> | null;
  private readonly idByClientOrderId = new Map<string, string>();
  /** Bumped by every commit that changes a held order: a read that began before one is not kept. */
  private changes = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly statements: Statements,
    private readonly database: DatabaseService,
    private readonly listing: StrategyListing,
  ) {
    this.held = soleWriter(config) ? new Map() : null;
  }

  /** The order held in memory under this client id (one process): a copy, or null — which says nothing of the database. */
  kept(clientOrderId: string): Order | null {
    const id = this.idByClientOrderId.get(clientOrderId);
    const kept = id === undefined ? undefined : this.held?.get(id);
    return kept ? { ...kept } : null;
  }

  async byClientOrderId(clientOrderId: string, m?: EntityManager): Promise<Order | null> {
    return (!m && this.kept(clientOrderId)) || this.read(m, BY_CLIENT_ORDER_ID, clientOrderId);
  }

  async byId(id: string, m?: EntityManager): Promise<Order | null> {
    const kept = !m ? this.held?.get(id) : undefined;
    if (kept) return { ...kept };
    return this.read(m, BY_ID, id);
  }

  /** A strategy's pending and working orders in the given tickers. */
  async openIn(strategyId: string, tickers: readonly string[]): Promise<Order[]> {
    const rows = await this.statements.all<Record<string, unknown>>(undefined, openOrdersSql(tickers.length), [strategyId, ...tickers]);
    return rows.map((row) => ORDER.fromRow(row));
  }

  /**
   * Market orders on record that may still fill (pending or working, not filled whole), created at
   * or after `since`, in one account or in all: what each will still move its position by. Read
   * with several processes, where another one may have sent them (see RiskService.readOrdersOnRecord).
   */
  async marketFilling(where: { accountId?: string; since: number }): Promise<MarketOrderOnRecord[]> {
    const rows =
      where.accountId === undefined
        ? await this.statements.all<Record<string, unknown>>(undefined, MARKET_FILLING, [where.since])
        : await this.statements.all<Record<string, unknown>>(undefined, MARKET_FILLING_IN, [where.since, where.accountId]);
    return rows.map((row) => {
      const filled = num(row.filledQuantity);
      const remaining = roundQuantity(num(row.quantity) - filled);
      return {
        id: row.id as string,
        accountId: row.accountId as string,
        positionKey: ((row.linkId ?? row.strategyId) as string | null) ?? NO_STRATEGY,
        ticker: row.ticker as string,
        signed: row.side === 'buy' ? remaining : -remaining,
        filled,
      };
    });
  }

  /**
   * Inserts the order unless one with its client id is on record: false then, and nothing written.
   * The unique key answers in the insert itself, not in a read before it.
   */
  async insert(m: EntityManager, order: Order): Promise<boolean> {
    const values = ORDER.values(order);
    values.push(this.listing.listedAtInsert(order.strategyId));
    if ((await this.statements.run(m, INSERT_NEW, values)) !== 1) return false;
    if (!this.held) return true;
    const inserted = { ...order };
    this.database.onCommitted(m, () => this.keep(inserted));
    return true;
  }

  async update(m: EntityManager, id: string, changes: Partial<Order>): Promise<void> {
    const [sql, values] = ORDER.update(id, changes);
    await this.statements.run(m, sql, values);
    if (!this.held) return;
    const applied: Partial<Order> = {};
    for (const field in changes) {
      const value = changes[field as keyof Order];
      if (value !== undefined) (applied as Record<string, unknown>)[field] = value;
    }
    this.database.onCommitted(m, () => {
      this.changes++;
      const kept = this.held!.get(id);
      if (kept) Object.assign(kept, applied);
    });
  }

  /** The order's row was changed another way (a conditional update): its copy goes once `m` commits. */
  forget(m: EntityManager | undefined, id: string): void {
    if (!this.held) return;
    this.database.onCommitted(m, () => {
      this.changes++;
      this.drop(id);
    });
  }

  private async read(m: EntityManager | undefined, sql: string, key: string): Promise<Order | null> {
    const seen = this.changes;
    // On SQLite a read while a batch is open sees its uncommitted rows: read, but do not keep.
    const settled = this.database.settled();
    const row = await this.statements.get<Record<string, unknown>>(m, sql, [key]);
    if (!row) return null;
    const order = ORDER.fromRow(row);
    if (!m && settled && seen === this.changes && this.held) this.keep({ ...order });
    return order;
  }

  private keep(order: Order): void {
    const held = this.held!;
    this.drop(order.id);
    if (held.size >= MAX_HELD_ORDERS) this.drop(held.keys().next().value!);
    held.set(order.id, order);
    this.idByClientOrderId.set(order.clientOrderId, order.id);
  }

  private drop(id: string): void {
    const order = this.held?.get(id);
    if (!order) return;
    this.held!.delete(id);
    if (this.idByClientOrderId.get(order.clientOrderId) === id) this.idByClientOrderId.delete(order.clientOrderId);
  }
}
