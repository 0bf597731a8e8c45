import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { BrokerFill, OrderUpdate } from '@tradeloop/contracts';
import { Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { DatabaseService, type TransactionOptions } from '../database/database.service.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { fillData, NO_STRATEGY, positionData, tradeData } from '../ledger/ledger-messages.js';
import { positionKeyOf } from '../ledger/position-book.js';
import { LedgerService, UnbookableFill } from '../ledger/ledger.service.js';
import { LogsService } from '../logs/logs.service.js';
import { InstrumentCatalogue } from '../market/instrument-catalogue.js';
import { PluginHostService } from '../plugins/plugin-host.service.js';
import { afterFill, type BookedFill } from './order-fills.js';
import { orderData } from './order-messages.js';
import { OrderQueries } from './order-queries.service.js';
import { OrderStates } from './order-states.service.js';
import { Order } from './order.entity.js';
import { OrderStore } from './order-store.js';
import { newRowId } from '../common/row-id.js';

/** A fill the database refuses for a moment (locked, busy) is tried again: about 16 s of backoff in all, besides each try's own busy wait. */
const FILL_BOOKING_ATTEMPTS = 7;
const FILL_RETRY_MS = 250;

/**
 * A booking is bookkeeping (see TransactionOptions.durable). On PostgreSQL the fills booked in one
 * turn share a transaction with the turn's other shared units: one start and one commit instead of
 * one each, and their log lines written together (see CHUNKS in logs.service). A booking may run
 * again (what it changes in memory it changes when it commits). It locks its position: that is its
 * `lockKey`, in whose order a shared transaction runs its units.
 */
const bookingOf = (order: Order): TransactionOptions => ({
  durable: false,
  shareTurn: true,
  lockKey: positionKeyOf(order.accountId, order.linkId ?? order.strategyId ?? NO_STRATEGY, order.ticker),
});

/** The reason on record for an order made in the broker's own app, learned from its fill. */
export const PLACED_ELSEWHERE = 'placed outside Tradeloop (reported by the broker)';

/** Told about every fill once the ledger has committed it; must not throw and should not block. */
export type FillListener = (booked: BookedFill) => void;

/** Told about a fill that can never be booked, once its order is marked: the event behind it becomes a dead letter. */
export type UnbookableListener = (order: Order, error: UnbookableFill) => void;

/**
 * What brokers report back: fills (booked with the order row in one unit of work, patiently while
 * the database refuses, as a dead letter when they can never be) and order status updates.
 */
@Injectable()
export class FillIntake implements OnModuleInit {
  private readonly fillListeners = new Set<FillListener>();
  private readonly unbookableListeners = new Set<UnbookableListener>();
  /** Orders being sent right now, and the unbookable fill their broker reported meanwhile (submit fails their event). */
  private readonly sending = new Map<string, UnbookableFill | null>();
  /** The fill of each order being booked now, and those reported after it: their turns (see onFill). */
  private readonly orderTurns = new Map<string, Promise<void>>();
  private readonly console = new Logger(FillIntake.name);

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly database: DatabaseService,
    private readonly plugins: PluginHostService,
    private readonly ledger: LedgerService,
    private readonly logs: LogsService,
    private readonly events: DomainEvents,
    private readonly instruments: InstrumentCatalogue,
    private readonly states: OrderStates,
    private readonly queries: OrderQueries,
    private readonly store: OrderStore,
  ) {}

  onModuleInit(): void {
    this.plugins.setBrokerSink({
      onFill: (broker, fill) => this.onFill(broker, fill),
      onOrderUpdate: (_broker, update) => this.inOrderTurn(update.clientOrderId, () => this.onOrderUpdate(update)),
      openOrders: (broker) => this.queries.openOrders(broker),
    });
  }

  /** The engine fails the event behind a fill that arrived later and can never be booked. */
  onUnbookableFill(listener: UnbookableListener): () => void {
    this.unbookableListeners.add(listener);
    return () => this.unbookableListeners.delete(listener);
  }

  /** Brackets and scripted strategies follow fills here; returns the unsubscribe function. */
  onFillBooked(listener: FillListener): () => void {
    this.fillListeners.add(listener);
    return () => this.fillListeners.delete(listener);
  }

  /** An order is being sent: an unbookable fill reported for it meanwhile is kept for its sender, not told to the listeners. */
  sendingStarted(clientOrderId: string): void {
    this.sending.set(clientOrderId, null);
  }

  /** The unbookable fill reported while the order was being sent, if any. */
  unbookableWhileSending(clientOrderId: string): UnbookableFill | null {
    return this.sending.get(clientOrderId) ?? null;
  }

  sendingEnded(clientOrderId: string): void {
    this.sending.delete(clientOrderId);
  }

  /**
   * An order's fills are booked one at a time, in the order they were reported: each is booked on
   * the order as the one before left it (its filled quantity, its average price, its status).
   * A broker's stream may report an order's pieces back to back without waiting for the last to be
   * booked; booked side by side, each started from the same filled quantity and all but one were lost.
   */
  onFill(broker: string, fill: BrokerFill): Promise<void> {
    return this.inOrderTurn(fill.clientOrderId, () => this.takeFill(broker, fill));
  }

  /**
   * Runs `change` once every fill and status change of the order reported before it is on record,
   * and before any reported after it: what changes an order's row from the broker's side (a fill,
   * an ack, a status update) takes turns, so none is written over what another read before it.
   */
  inOrderTurn<T>(clientOrderId: string, change: () => Promise<T>): Promise<T> {
    const before = this.orderTurns.get(clientOrderId);
    const changing = before ? before.then(change) : change();
    const done = changing.then(
      () => undefined,
      () => undefined,
    );
    this.orderTurns.set(clientOrderId, done);
    void done.then(() => {
      if (this.orderTurns.get(clientOrderId) === done) this.orderTurns.delete(clientOrderId);
    });
    return changing;
  }

  private async takeFill(broker: string, fill: BrokerFill): Promise<void> {
    let order = await this.store.byClientOrderId(fill.clientOrderId);
    if (!order && fill.brokerAccountId) order = await this.orderPlacedElsewhere(broker, fill);
    if (order && order.reason === PLACED_ELSEWHERE && order.filledQuantity + fill.quantity > order.quantity) {
      // Each fill of an order made elsewhere tells a little more of its size.
      order.quantity = order.filledQuantity + fill.quantity;
      const { id, quantity } = order;
      await this.database.bookkeeping((m) => this.store.update(m, id, { quantity }));
    }
    if (!order) {
      await this.logs.write({
        level: 'error',
        category: 'fill',
        message: `fill ${fill.fillId} for unknown order ${fill.clientOrderId} ignored`,
        context: { ...fill },
      });
      return;
    }
    let booked: BookedFill | null;
    try {
      booked = await this.bookPatiently(order, fill);
    } catch (error) {
      if (!(error instanceof UnbookableFill)) throw error;
      // Told to the broker as taken: reporting it again would fail the same way.
      await this.deadLetter(order, error);
      return;
    }
    if (!booked) return;
    for (const listener of this.fillListeners) {
      try {
        listener(booked);
      } catch (error) {
        await this.logs.write({ level: 'error', category: 'fill', message: `fill listener failed: ${(error as Error).message}` });
      }
    }
  }

  /**
   * A fill the ledger can never hold: its order is marked (rejected, with the reason — the broker
   * holds the fill, the ledger does not), the log says so loudly, and the event behind it fails.
   */
  private async deadLetter(order: Order, error: UnbookableFill): Promise<void> {
    await this.states.setStatus(order.id, 'rejected', `filled at the broker but not booked: ${error.reason}`.slice(0, 500));
    await this.logs.write({
      level: 'error',
      category: 'fill',
      strategyId: order.strategyId,
      message: `${error.message}; the broker holds this fill and the ledger does not: settle it at the broker`,
      context: { orderId: order.id, clientOrderId: order.clientOrderId, brokerFillId: error.fill.fillId },
    });
    if (this.sending.has(order.clientOrderId)) {
      this.sending.set(order.clientOrderId, error);
      return;
    }
    for (const listener of this.unbookableListeners) {
      try {
        listener({ ...order, status: 'rejected' }, error);
      } catch (failure) {
        this.console.error(`unbookable-fill listener failed: ${(failure as Error).message}`);
      }
    }
  }

  /**
   * One unit of work: the ledger books the fill (fill, position, trades, realized P&L, log line)
   * and the order row takes the fill, so neither is ever written without the other. The news goes
   * out once it has committed.
   */
  private async bookFill(order: Order, fill: BrokerFill): Promise<BookedFill | null> {
    const done = await this.database.transaction(async (m) => {
      const entry = await this.ledger.book(m, order, fill);
      if (!entry) return null;
      const state = afterFill(order, fill);
      await this.store.update(m, order.id, state);
      return { entry, state };
    }, bookingOf(order));
    if (!done) return null;
    Object.assign(order, done.state);
    this.ledger.announce(done.entry);
    this.states.changed(order);
    const { fill: booked, position, trades } = done.entry;
    this.events.publish('FillBooked', {
      fill: fillData(booked, order.clientOrderId),
      position: positionData(position),
      trades: trades.map(tradeData),
      order: orderData(order),
    });
    return { ...done.entry, order };
  }

  /**
   * A fill is a fact at the broker: a database that refuses it for a moment must not lose it. The
   * booking is one transaction (fill, position, trades, realized P&L), so a failed try leaves
   * nothing behind; while the database refuses, only the console can say so. A fill that can
   * never be booked (UnbookableFill) is not tried again.
   */
  private async bookPatiently(order: Order, fill: BrokerFill): Promise<BookedFill | null> {
    let firstError: Error | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const booked = await this.bookFill(order, fill);
        if (firstError)
          await this.logs.write({
            level: 'warn',
            category: 'fill',
            strategyId: order.strategyId,
            message: `fill ${fill.fillId} booked on try ${attempt}: the database refused it before (${firstError.message})`,
          });
        return booked;
      } catch (error) {
        if (error instanceof UnbookableFill) throw error;
        firstError ??= error as Error;
        if (attempt >= FILL_BOOKING_ATTEMPTS) {
          this.console.error(`fill ${fill.fillId} of order ${order.clientOrderId} could not be booked: ${(error as Error).message}`);
          throw error;
        }
        this.console.warn(`fill ${fill.fillId} not booked yet (${(error as Error).message}); trying again`);
        await new Promise((r) => setTimeout(r, FILL_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * A fill of an order made in the broker's own app (the phone): recorded as a manual order
   * (no strategy) on the account the broker names, so its position and P&L show up too.
   */
  private async orderPlacedElsewhere(broker: string, fill: BrokerFill): Promise<Order | null> {
    const account = await this.accounts.byBrokerAccount(broker, fill.brokerAccountId);
    if (!account) return null;
    const now = Date.now();
    const order = this.orders.create({
      id: newRowId(),
      clientOrderId: fill.clientOrderId,
      strategyId: null,
      accountId: account.id,
      eventId: null,
      ticker: this.instruments.resolve(fill.ticker).ticker,
      side: fill.side,
      quantity: fill.quantity,
      type: 'market',
      limitPrice: null,
      stopPrice: null,
      status: 'working',
      filledQuantity: 0,
      avgFillPrice: null,
      brokerOrderId: fill.brokerOrderId || null,
      reason: PLACED_ELSEWHERE,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.database.transaction((m) => m.insert(Order, order));
    } catch (error) {
      // Two fills of the same order at once: the other one recorded it.
      const existing = await this.orders.findOneBy({ clientOrderId: fill.clientOrderId });
      if (existing) return existing;
      throw error;
    }
    this.states.changed(order);
    await this.logs.write({
      level: 'info',
      category: 'order',
      message: `${broker} reports ${fill.side} ${fill.quantity} ${order.ticker} on account ${account.name}, ${PLACED_ELSEWHERE}`,
      context: { orderId: order.id, brokerOrderId: fill.brokerOrderId },
    });
    return order;
  }

  private async onOrderUpdate(update: OrderUpdate): Promise<void> {
    const order = await this.orders.findOneBy({ clientOrderId: update.clientOrderId });
    if (!order || order.status === 'filled' || order.status === update.status) return;
    await this.states.setStatus(order.id, update.status, update.reason ?? null);
    // A refusal after the ack (a broker's risk check) reaches the trader like one in the ack.
    if (update.status === 'rejected') {
      await this.logs.write({
        level: 'warn',
        category: 'order',
        strategyId: order.strategyId,
        message: `order ${order.side} ${order.quantity} ${order.ticker} rejected: ${(update.reason ?? 'no reason given').slice(0, 500)}`,
        context: { orderId: order.id },
      });
    }
  }
}
