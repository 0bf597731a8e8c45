import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  BrokerFill,
  OrderAck,
  OrderRequest,
  OrderSide,
  OrderType,
  OrderUpdate,
  OrderView,
  Page,
  RecordedOrder,
  ServerOrderType,
  TimeInForce,
} from '@tradeloop/contracts';
import { TradingCalendar, tradingDate, tradingDayEnd } from '@tradeloop/domain';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { Account } from '../accounts/account.entity.js';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { ExecutionStamps } from '../analytics/execution-stamps.js';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LedgerService, UnbookableFill } from '../ledger/ledger.service.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { RiskService } from '../risk/risk.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { NO_STRATEGY } from '../ledger/ledger-messages.js';
import { PluginHostService } from '../plugins/plugin-host.service.js';
import { Order } from './order.entity.js';
import { afterFill, type BookedFill } from './order-fills.js';
import { orderData } from './order-messages.js';
import { brokerRequest, isHeldType, orderView, type OrderHolder } from './order-shapes.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { fillData, positionData, tradeData } from '../ledger/ledger-messages.js';

export interface OrderIntent {
  clientOrderId: string;
  account: Account;
  strategyId: string | null;
  /** The strategy's copy to another account this order is for; its position is keyed under the link. */
  linkId?: string | null;
  eventId: string | null;
  ticker: string;
  side: OrderSide;
  quantity: number;
  type: ServerOrderType;
  limitPrice?: number;
  /** For a trailing stop: where its stop starts. */
  stopPrice?: number;
  trailAmount?: number;
  trailPercent?: number;
  timeInForce?: TimeInForce;
  extendedHours?: boolean;
  /**
   * The price the alert carried (for a copy on another symbol: only one quoted alike, like MNQ for
   * NQ). Kept on the order to measure slippage from, and a paper fill's price when no real feed
   * quotes the ticker.
   */
  signalPrice?: number;
}

const OPEN_STATUSES = ['pending', 'working'] as const;

/** The reason on record for an order made in the broker's own app, learned from its fill. */
/** A fill the database refuses for a moment (locked, busy) is tried again: about 16 s of backoff in all, besides each try's own busy wait. */
const FILL_BOOKING_ATTEMPTS = 7;
const FILL_RETRY_MS = 250;

export const PLACED_ELSEWHERE = 'placed outside Tradeloop (reported by the broker)';

/** Told about every fill once the ledger has committed it; must not throw and should not block. */
export type FillListener = (booked: BookedFill) => void;

/** Told about a fill that can never be booked, once its order is marked: the event behind it becomes a dead letter. */
export type UnbookableListener = (order: Order, error: UnbookableFill) => void;

/** Routes orders to broker plugins and books what comes back. */
@Injectable()
export class ExecutionService implements OnModuleInit, OnApplicationBootstrap {
  private readonly fillListeners = new Set<FillListener>();
  private readonly unbookableListeners = new Set<UnbookableListener>();
  /** Orders being sent right now, and the unbookable fill their broker reported meanwhile (submit fails their event). */
  private readonly sending = new Map<string, UnbookableFill | null>();
  private readonly console = new Logger(ExecutionService.name);
  private holder?: OrderHolder;
  private readonly calendar: TradingCalendar;

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly database: DatabaseService,
    private readonly plugins: PluginHostService,
    private readonly ledger: LedgerService,
    private readonly logs: LogsService,
    private readonly bus: EventBus,
    private readonly events: DomainEvents,
    private readonly market: MarketService,
    private readonly risk: RiskService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stamps: ExecutionStamps,
  ) {
    this.calendar = TradingCalendar.of(config.pnl.timeZone, config.pnl.dayStart);
  }

  setHolder(holder: OrderHolder): void {
    this.holder = holder;
  }

  /**
   * After a start the ledger first catches up with brokers that can tell what happened while the
   * server was down (fills it missed, positions it disagrees with); then orders that are still
   * working (or recorded but never sent outside an event) are sent to their brokers again: a broker
   * treats the same clientOrderId as the same order, and one that kept nothing across the restart
   * (the paper broker) takes its resting orders back. Orders of unfinished events are sent again
   * when their event is replayed.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    // Fills booked while catching up are priced with the broker's tick for tickers outside the catalog.
    for (const order of await this.orders.findBy({ status: In([...OPEN_STATUSES]) })) {
      const broker = this.plugins.broker((await this.accounts.byId(order.accountId))?.broker ?? '');
      if (broker) await this.market.brokerInstruments.learn(order.ticker, broker, (message) => this.console.warn(message));
    }
    await this.reconcileWithBrokers();
    const open = await this.orders.findBy({ status: In([...OPEN_STATUSES]) });
    let resent = 0;
    for (const order of open.filter((o) => o.status === 'working' || o.eventId === null)) {
      const account = await this.accounts.byId(order.accountId);
      const broker = account && this.plugins.broker(account.broker);
      if (!account || !broker) continue;
      try {
        if (isHeldType(order.type) && order.triggeredAt === null) {
          // Still waiting for its trigger: the server holds it again.
          await this.requireHolder().hold(order);
        } else {
          await this.market.brokerInstruments.learn(order.ticker, broker, (message) => this.console.warn(message));
          const ack = await broker.placeOrder({ ...brokerRequest(order, account), quantity: order.quantity - order.filledQuantity });
          await this.applyAck(order.id, ack);
        }
        await this.market.watch(`order:${order.id}`, [order.ticker]);
        resent++;
      } catch (error) {
        await this.logs.write({
          level: 'error',
          category: 'order',
          strategyId: order.strategyId,
          message: `could not restore working order ${order.clientOrderId}: ${(error as Error).message}`,
        });
      }
    }
    if (resent)
      await this.logs.write({
        level: 'info',
        category: 'system',
        message: `restored ${resent} working order(s) at their brokers after the start`,
      });
  }

  /**
   * Books the fills a broker reports that the ledger does not have (each fill id is booked once,
   * so the ones it has are skipped), then compares each account's net position per ticker with the
   * broker's. A difference is logged as an error for the trader to settle, never corrected
   * silently: which strategy a stray contract belongs to is the trader's call.
   */
  private async reconcileWithBrokers(): Promise<void> {
    for (const account of await this.accounts.all()) {
      const broker = this.plugins.broker(account.broker);
      if (!broker?.snapshot) continue;
      try {
        const snapshot = await broker.snapshot(account.brokerAccountId);
        const fillsBefore = await this.ledger.countFills(account.id);
        for (const fill of [...snapshot.fills].sort((a, b) => a.time - b.time)) {
          const known = await this.orders.existsBy({ clientOrderId: fill.clientOrderId });
          await this.onFill(account.broker, known ? fill : { ...fill, brokerAccountId: fill.brokerAccountId ?? account.brokerAccountId });
        }
        const missed = (await this.ledger.countFills(account.id)) - fillsBefore;
        const held = new Map<string, number>();
        for (const p of await this.ledger.netPositions(account.id)) held.set(p.ticker, p.quantity);
        const differences: string[] = [];
        const tickers = new Set([...held.keys(), ...snapshot.positions.map((p) => this.market.resolve(p.ticker).ticker)]);
        for (const ticker of tickers) {
          const atBroker = snapshot.positions
            .filter((p) => this.market.resolve(p.ticker).ticker === ticker)
            .reduce((n, p) => n + p.quantity, 0);
          const inLedger = held.get(ticker) ?? 0;
          if (atBroker !== inLedger) differences.push(`${ticker}: the broker holds ${atBroker}, the ledger ${inLedger}`);
        }
        await this.logs.write({
          level: differences.length ? 'error' : 'info',
          category: 'system',
          message:
            `reconciled account ${account.name} with ${account.broker}: ` +
            `${missed} fill(s) the ledger missed booked; ` +
            (differences.length ? `positions differ (${differences.join('; ')}): settle them at the broker or flatten` : 'positions agree'),
        });
      } catch (error) {
        await this.logs.write({
          level: 'error',
          category: 'system',
          message: `could not reconcile account ${account.name} with ${account.broker}: ${(error as Error).message}`,
        });
      }
    }
  }

  onModuleInit(): void {
    this.plugins.setBrokerSink({
      onFill: (broker, fill) => this.onFill(broker, fill),
      onOrderUpdate: (_broker, update) => this.onOrderUpdate(update),
      openOrders: (broker) => this.openOrders(broker),
    });
  }

  /**
   * An order row changed (and committed): `/ws` clients get ORDER; an order that left the open
   * statuses frees its ticker's quote (a working order keeps it quoted: the paper broker fills
   * resting orders off quotes) and is announced as OrderSettled.
   */
  private orderChanged(order: Order): void {
    const data = orderData(order);
    this.bus.publish('ORDER', data);
    if (OPEN_STATUSES.includes(order.status as never)) return;
    this.market.release(`order:${order.id}`, [order.ticker]);
    this.events.publish('OrderSettled', { order: data });
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

  /**
   * Records the order, then sends it. The same clientOrderId twice (a redelivered event) returns
   * the order already on record and sends nothing new, unless it never reached the broker. When
   * the broker reports a fill for it that can never be booked, an event's order throws
   * UnbookableFill (the event becomes a dead letter); any other comes back rejected with the reason.
   */
  async submit(intent: OrderIntent): Promise<Order> {
    this.sending.set(intent.clientOrderId, null);
    try {
      const order = await this.record(intent);
      const unbookable = this.sending.get(intent.clientOrderId);
      if (unbookable && intent.eventId) throw unbookable;
      return order;
    } finally {
      this.sending.delete(intent.clientOrderId);
    }
  }

  /** Records the order, checks the limits, then holds it or sends it. */
  private async record(intent: OrderIntent): Promise<Order> {
    const existing = await this.orders.findOneBy({ clientOrderId: intent.clientOrderId });
    if (existing && existing.status !== 'pending') return existing;
    const now = Date.now();
    const order =
      existing ??
      this.orders.create({
        id: randomUUID(),
        clientOrderId: intent.clientOrderId,
        strategyId: intent.strategyId,
        linkId: intent.linkId ?? null,
        accountId: intent.account.id,
        eventId: intent.eventId,
        ticker: intent.ticker,
        side: intent.side,
        quantity: intent.quantity,
        type: intent.type,
        limitPrice: intent.limitPrice ?? null,
        stopPrice: intent.stopPrice ?? null,
        trailAmount: intent.trailAmount ?? null,
        trailPercent: intent.trailPercent ?? null,
        timeInForce: intent.timeInForce ?? null,
        expiresAt: intent.timeInForce === 'day' ? tradingDayEnd(tradingDate(now, this.calendar), this.calendar) : null,
        extendedHours: intent.extendedHours === true,
        signalPrice: intent.signalPrice ?? null,
        triggeredAt: null,
        status: 'pending',
        filledQuantity: 0,
        avgFillPrice: null,
        brokerOrderId: null,
        reason: null,
        createdAt: now,
        updatedAt: now,
      });
    if (!existing) {
      await this.database.transaction((m) => m.insert(Order, order));
      this.orderChanged(order);
    }

    // Limits first: a refused order is on record as rejected with the reason, like a broker's refusal.
    const refusal = existing
      ? null
      : await this.risk.check({
          account: intent.account,
          strategyId: intent.strategyId,
          positionKey: intent.linkId ?? intent.strategyId ?? NO_STRATEGY,
          ticker: intent.ticker,
          side: intent.side,
          quantity: intent.quantity,
        });
    if (refusal) return this.applyAck(order.id, { brokerOrderId: '', status: 'rejected', reason: `risk limit: ${refusal}` });

    await this.market.watch(`order:${order.id}`, [order.ticker]);
    if (isHeldType(order.type)) {
      if (!this.plugins.broker(intent.account.broker)) {
        return this.applyAck(order.id, {
          brokerOrderId: '',
          status: 'rejected',
          reason: `broker plugin "${intent.account.broker}" is not running`,
        });
      }
      // The server holds it until the market touches its stop; then it goes to the broker as a limit or market order.
      await this.requireHolder().hold(order);
      return this.applyAck(order.id, { brokerOrderId: '', status: 'working' });
    }
    return this.send(order, intent.account);
  }

  /**
   * Sends an order on record to its broker and books the answer. A held order that triggered goes
   * as the type it becomes (a stop-limit as its limit, a trailing stop at market), under the same
   * clientOrderId, so its fills are booked against it.
   */
  async send(order: Order, account: Account): Promise<Order> {
    const broker = this.plugins.broker(account.broker);
    let ack: OrderAck;
    if (!broker) {
      ack = { brokerOrderId: '', status: 'rejected', reason: `broker plugin "${account.broker}" is not running` };
    } else {
      this.stamps.orderSent(order);
      try {
        // A ticker outside the catalog: the broker tells its tick size and value before its fills are priced.
        await this.market.brokerInstruments.learn(order.ticker, broker, (message) => this.console.warn(message));
        ack = await broker.placeOrder(brokerRequest(order, account));
      } catch (error) {
        ack = { brokerOrderId: '', status: 'rejected', reason: `broker error: ${(error as Error).message}` };
      }
      this.stamps.orderAcknowledged(order.id);
    }
    return this.applyAck(order.id, ack);
  }

  private requireHolder(): OrderHolder {
    if (!this.holder) throw new Error('no holder registered for stop-limit and trailing stop orders');
    return this.holder;
  }

  /**
   * Cancels a strategy's working orders in the given tickers (of one type, when given); returns how
   * many were cancelled.
   */
  async cancelWorkingIn(strategyId: string, reason: string, tickers: string[], type?: ServerOrderType): Promise<number> {
    if (!tickers.length) return 0;
    const working = await this.orders.findBy({
      strategyId,
      status: In([...OPEN_STATUSES]),
      ticker: In(tickers),
      ...(type ? { type } : {}),
    });
    let cancelled = 0;
    for (const order of working) if (await this.cancelOrder(order, reason)) cancelled++;
    return cancelled;
  }

  /** Cancels every working order of a strategy (in one ticker, when given); returns how many were cancelled. */
  async cancelWorking(strategyId: string, reason: string, ticker?: string): Promise<number> {
    const working = await this.orders.findBy({ strategyId, status: In([...OPEN_STATUSES]), ...(ticker ? { ticker } : {}) });
    let cancelled = 0;
    for (const order of working) if (await this.cancelOrder(order, reason)) cancelled++;
    return cancelled;
  }

  /** Cancels one working order by its clientOrderId; false when it was not working (or the broker refused). */
  async cancel(clientOrderId: string, reason: string): Promise<boolean> {
    const order = await this.orders.findOneBy({ clientOrderId });
    if (!order || !(OPEN_STATUSES as readonly string[]).includes(order.status)) return false;
    return this.cancelOrder(order, reason);
  }

  private async cancelOrder(order: Order, reason: string): Promise<boolean> {
    if (isHeldType(order.type) && order.triggeredAt === null && order.status === 'working') {
      // Nothing is at the broker yet: the server lets go of it.
      this.holder?.release(order.id);
      await this.setStatus(order.id, 'cancelled', reason);
      return true;
    }
    const account = await this.accounts.byId(order.accountId);
    const broker = account && this.plugins.broker(account.broker);
    const done = broker ? await broker.cancelOrder(order.clientOrderId) : false;
    if (!done && order.status !== 'pending') return false;
    await this.setStatus(order.id, 'cancelled', reason);
    return true;
  }

  async list(filter: {
    strategyId?: string;
    accountId?: string;
    status?: string;
    limit: number;
    offset: number;
  }): Promise<Page<OrderView>> {
    const [items, total] = await this.orders.findAndCount({
      where: {
        ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
        ...(filter.status ? { status: filter.status as Order['status'] } : {}),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return {
      total,
      limit: filter.limit,
      offset: filter.offset,
      items: items.map((o) => this.view(o)),
    };
  }

  /** An order as the API shows it. */
  view(o: Order): OrderView {
    return orderView(o);
  }

  private async onFill(broker: string, fill: BrokerFill): Promise<void> {
    let order = await this.orders.findOneBy({ clientOrderId: fill.clientOrderId });
    if (!order && fill.brokerAccountId) order = await this.orderPlacedElsewhere(broker, fill);
    if (order && order.reason === PLACED_ELSEWHERE && order.filledQuantity + fill.quantity > order.quantity) {
      // Each fill of an order made elsewhere tells a little more of its size.
      order.quantity = order.filledQuantity + fill.quantity;
      await this.orders.update({ id: order.id }, { quantity: order.quantity });
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
    await this.setStatus(order.id, 'rejected', `filled at the broker but not booked: ${error.reason}`.slice(0, 500));
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
    const done = await this.database.bookkeeping(async (m) => {
      const entry = await this.ledger.book(m, order, fill);
      if (!entry) return null;
      const state = afterFill(order, fill);
      await m.update(Order, { id: order.id }, state);
      return { entry, state };
    });
    if (!done) return null;
    Object.assign(order, done.state);
    this.ledger.announce(done.entry);
    this.orderChanged(order);
    const { fill: booked, position, trades } = done.entry;
    this.events.publish('FillBooked', {
      fill: fillData(booked),
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
      id: randomUUID(),
      clientOrderId: fill.clientOrderId,
      strategyId: null,
      accountId: account.id,
      eventId: null,
      ticker: this.market.resolve(fill.ticker).ticker,
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
    this.orderChanged(order);
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
    await this.setStatus(order.id, update.status, update.reason ?? null);
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

  /**
   * A broker plugin's orders on record as pending or working: it recognises its own orders at the
   * broker by them after a restart (recorded before it was asked, with its id once it answered).
   */
  private async openOrders(broker: string): Promise<RecordedOrder[]> {
    const accounts = await this.accounts.byBroker(broker);
    if (!accounts.length) return [];
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const open = await this.orders.findBy({ accountId: In([...byId.keys()]), status: In([...OPEN_STATUSES]) });
    // A held order that has not triggered never reached the broker; one that did is what it became there.
    return open
      .filter((o) => !(isHeldType(o.type) && o.triggeredAt === null))
      .map((o) => {
        const request = brokerRequest(o, byId.get(o.accountId)!);
        return {
          clientOrderId: o.clientOrderId,
          brokerAccountId: request.brokerAccountId,
          brokerOrderId: o.brokerOrderId,
          ticker: o.ticker,
          side: o.side,
          quantity: o.quantity,
          type: request.type,
          limitPrice: request.limitPrice ?? null,
          stopPrice: request.stopPrice ?? null,
          createdAt: o.createdAt,
        };
      });
  }

  /** The ack never undoes a fill that was booked while the broker was answering. */
  private async applyAck(orderId: string, ack: OrderAck): Promise<Order> {
    const order = await this.acknowledge(orderId, ack);
    this.orderChanged(order);
    return order;
  }

  private acknowledge(orderId: string, ack: OrderAck): Promise<Order> {
    return this.database.bookkeeping(async (m) => {
      const order = await m.findOneByOrFail(Order, { id: orderId });
      order.brokerOrderId = ack.brokerOrderId || order.brokerOrderId;
      const settled = order.status === 'filled' || order.status === 'cancelled' || order.status === 'rejected';
      // A broker may ack "filled" before its fill is booked: the order stays working until then.
      if (!settled) order.status = ack.status === 'filled' && order.filledQuantity < order.quantity ? 'working' : ack.status;
      order.reason = ack.reason ?? order.reason;
      order.updatedAt = Date.now();
      await m.save(Order, order);
      if (ack.status === 'rejected') {
        await this.logs.write(
          {
            level: 'warn',
            category: 'order',
            strategyId: order.strategyId,
            message: `order ${order.side} ${order.quantity} ${order.ticker} rejected: ${ack.reason ?? 'no reason given'}`,
            context: { orderId: order.id },
          },
          m,
        );
      }
      return order;
    });
  }

  private async setStatus(orderId: string, status: Order['status'], reason: string | null): Promise<void> {
    const order = await this.database.bookkeeping(async (m) => {
      await m.update(Order, { id: orderId }, { status, reason, updatedAt: Date.now() });
      return m.findOneByOrFail(Order, { id: orderId });
    });
    this.orderChanged(order);
  }
}
