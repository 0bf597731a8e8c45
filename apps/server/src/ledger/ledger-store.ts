import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { RowShape } from '../database/rows.js';
import { num, Statements } from '../database/statements.js';
import { StrategyListing } from '../database/strategy-listing.js';
import { copyPosition, PositionBook, positionKeyOf } from './position-book.js';
import type { Fill } from './fill.entity.js';
import type { Position } from './position.entity.js';
import type { Trade } from './trade.entity.js';

const FILL = new RowShape<Fill>('fills', {
  id: 'text',
  brokerFillId: 'text',
  orderId: 'text',
  strategyId: 'text',
  accountId: 'text',
  ticker: 'text',
  side: 'text',
  quantity: 'number',
  price: 'number',
  commissionCents: 'bigint',
  realizedCents: 'bigint',
  priceSource: 'text',
  time: 'bigint',
});

const POSITION = new RowShape<Position>('positions', {
  id: 'text',
  accountId: 'text',
  strategyId: 'text',
  ticker: 'text',
  quantity: 'number',
  avgPrice: 'number',
  realizedCents: 'bigint',
  lots: 'json',
  updatedAt: 'bigint',
});

const TRADE = new RowShape<Trade>('trades', {
  id: 'text',
  accountId: 'text',
  strategyId: 'text',
  ticker: 'text',
  direction: 'text',
  quantity: 'number',
  entryPrice: 'number',
  exitPrice: 'number',
  entryTime: 'bigint',
  exitTime: 'bigint',
  grossCents: 'bigint',
  commissionCents: 'bigint',
  pnlCents: 'bigint',
  exitFillId: 'text',
  entryPriceSource: 'text',
  exitPriceSource: 'text',
});

const FILL_BOOKED = 'SELECT 1 AS "booked" FROM fills WHERE "accountId" = ? AND "brokerFillId" = ?';
/**
 * Both databases take `ON CONFLICT DO NOTHING` without naming the key: here only the broker fill's
 * can conflict (ids are new). With its place in its strategy's list, where the database lists at
 * once (StrategyListing).
 */
const INSERT_NEW_FILL = `${FILL.insertAlso('listedStrategyId')} ON CONFLICT DO NOTHING`;
const POSITION_HELD = POSITION.select('"accountId" = ? AND "strategyId" = ? AND "ticker" = ?');
/**
 * PostgreSQL runs transactions side by side: a booking reads the position it will write with the
 * row locked, so a second fill of that position (another piece of the order, another order, another
 * process) waits for the first to commit and is booked on what it left, never on what both read.
 */
const POSITION_TO_WRITE = `${POSITION_HELD} FOR UPDATE`;
const QUANTITY_HELD = 'SELECT "quantity" FROM positions WHERE "accountId" = ? AND "strategyId" = ? AND "ticker" = ?';
/** The account's net position in a ticker but one key's (see netQuantity). */
export const NET_IN_TICKER =
  'SELECT COALESCE(SUM("quantity"), 0) AS "net" FROM positions WHERE "accountId" = ? AND "ticker" = ? AND "strategyId" <> ?';
const POSITION_CHANGED =
  'UPDATE positions SET "quantity" = ?, "avgPrice" = ?, "realizedCents" = ?, "lots" = ?, "updatedAt" = ? WHERE "id" = ?';

/**
 * The ledger's rows on the hot path (a fill, the position it moves, the trades it closes) through
 * prepared statements; the API's views keep the repositories. Writes take the unit of work's `manager`.
 *
 * Without Redis this is the only process, and the ledger writes every position through here: the
 * positions on record are then held in memory too (PositionBook), filled at start and changed the
 * moment a transaction that wrote one commits. Reads outside a unit of work — the planner's, the
 * risk checks', the P&L stream's: four an alert — are answered from it. A read inside a unit goes
 * to the database, which holds the changes of its batch before they commit — on SQLite only for a
 * position a unit of the open batch wrote: its one connection runs one batch at a time, so every
 * other position is as the last commit left it, which is what the book holds.
 */
@Injectable()
export class LedgerStore implements OnModuleInit {
  private readonly book: PositionBook | null;
  /** SQLite: the positions the units of each open batch wrote (by the batch's manager). */
  private readonly written = new WeakMap<EntityManager, Set<string>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly statements: Statements,
    private readonly database: DatabaseService,
    private readonly listing: StrategyListing,
  ) {
    this.book = soleWriter(config) ? new PositionBook() : null;
  }

  async onModuleInit(): Promise<void> {
    if (!this.book) return;
    const rows = await this.statements.all<Record<string, unknown>>(undefined, POSITION.select('1 = 1'), []);
    for (const row of rows) this.book.set(POSITION.fromRow(row));
  }

  async fillBooked(m: EntityManager | undefined, accountId: string, brokerFillId: string): Promise<boolean> {
    return (await this.statements.get(m, FILL_BOOKED, [accountId, brokerFillId])) !== undefined;
  }

  async position(m: EntityManager | undefined, accountId: string, key: string, ticker: string): Promise<Position | null> {
    if (this.book && (!m || !this.writtenIn(m, positionKeyOf(accountId, key, ticker)))) return this.book.get(accountId, key, ticker);
    const sql = m && this.database.type === 'postgres' ? POSITION_TO_WRITE : POSITION_HELD;
    const row = await this.statements.get<Record<string, unknown>>(m, sql, [accountId, key, ticker]);
    return row ? POSITION.fromRow(row) : null;
  }

  /**
   * Whether the database must answer for this position inside the batch of `m`: always on
   * PostgreSQL (transactions run side by side there), on SQLite once a unit of the batch wrote it
   * (kept even if that unit rolled back: the database answers right either way).
   */
  private writtenIn(m: EntityManager, positionKey: string): boolean {
    return this.database.type !== 'sqlite' || this.written.get(m)?.has(positionKey) === true;
  }

  /**
   * The quantity held under `key` in `ticker` (0 when none): what the planner and the risk check
   * ask of a position, read without copying it, or from its one column where the database is shared.
   */
  async quantityHeld(accountId: string, key: string, ticker: string): Promise<number> {
    if (this.book) return this.book.quantity(accountId, key, ticker);
    return num((await this.statements.get<{ quantity: unknown }>(undefined, QUANTITY_HELD, [accountId, key, ticker]))?.quantity);
  }

  /**
   * The account's net position in a ticker, but for the position held under `exceptKey`: read per
   * risk check, as one number — from the book where this process writes alone, else summed by the
   * database rather than each position sent back to be summed here.
   */
  async netQuantity(accountId: string, ticker: string, exceptKey: string): Promise<number> {
    if (this.book) return this.book.netIn(accountId, ticker, exceptKey);
    return num((await this.statements.get<{ net: unknown }>(undefined, NET_IN_TICKER, [accountId, ticker, exceptKey]))?.net);
  }

  /** Positions matching every condition given (see PositionsReader.where). */
  async positions(w: { accountId?: string; strategyId?: string; keys?: string[]; ticker?: string; open?: boolean }): Promise<Position[]> {
    const where: string[] = [];
    const params: string[] = [];
    const equal = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`"${column}" = ?`);
      params.push(value);
    };
    equal('accountId', w.accountId);
    equal('strategyId', w.strategyId);
    if (w.keys !== undefined) {
      if (!w.keys.length) return [];
      where.push(`"strategyId" IN (${w.keys.map(() => '?').join(', ')})`);
      params.push(...w.keys);
    }
    equal('ticker', w.ticker);
    if (w.open) where.push('"quantity" <> 0');
    const rows = await this.statements.all<Record<string, unknown>>(undefined, POSITION.select(where.join(' AND ') || '1 = 1'), params);
    return rows.map((row) => POSITION.fromRow(row));
  }

  /**
   * Inserts the fill unless its broker fill id is booked already on the account: false then, and
   * nothing written. The unique key answers in the insert itself, not in a read before it.
   */
  async insertFill(m: EntityManager, fill: Fill): Promise<boolean> {
    const values = FILL.values(fill);
    values.push(this.listing.listedAtInsert(fill.strategyId));
    return (await this.statements.run(m, INSERT_NEW_FILL, values)) === 1;
  }

  /** A new position is inserted, one on record updated. */
  async savePosition(m: EntityManager, position: Position, isNew: boolean): Promise<void> {
    if (this.book) {
      const book = this.book;
      if (this.database.type === 'sqlite') {
        let written = this.written.get(m);
        if (!written) this.written.set(m, (written = new Set()));
        written.add(positionKeyOf(position.accountId, position.strategyId, position.ticker));
      }
      // As it is written now: the caller may change the object before the unit commits.
      const saved = copyPosition(position);
      this.database.onCommitted(m, () => book.set(saved));
    }
    if (isNew) {
      await this.statements.run(m, POSITION.insert, POSITION.values(position));
      return;
    }
    await this.statements.run(m, POSITION_CHANGED, [
      position.quantity,
      position.avgPrice,
      position.realizedCents,
      JSON.stringify(position.lots),
      position.updatedAt,
      position.id,
    ]);
  }

  async insertTrades(m: EntityManager, trades: Trade[]): Promise<void> {
    for (const trade of trades) await this.statements.run(m, TRADE.insert, TRADE.values(trade));
  }
}
