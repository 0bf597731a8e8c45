import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrderAck, OrderSide, ServerOrderType, TimeInForce } from '@tradeloop/contracts';
import { TradingCalendar, tradingDate, tradingDayEnd } from '@tradeloop/domain';
import { In, Repository } from 'typeorm';
import type { Account } from '../accounts/account.entity.js';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { ExecutionStamps } from '../analytics/execution-stamps.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { NO_STRATEGY } from '../ledger/ledger-messages.js';
import { MarketService } from '../market/market.service.js';
import { PluginHostService } from '../plugins/plugin-host.service.js';
import { RiskService } from '../risk/risk.service.js';
import { FillIntake } from './fill-intake.service.js';
import { brokerRequest, isHeldType, type OrderHolder } from './order-shapes.js';
import { OPEN_STATUSES, OrderStates } from './order-states.service.js';
import { settledWithin } from '../common/settled-within.js';
import { Order } from './order.entity.js';
import { OrderStore } from './order-store.js';
import { newRowId } from '../common/row-id.js';

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

/** How long a cancel waits for its order's send to the broker (see placed). */
const CANCEL_WAIT_MS = 5_000;

/** Records orders, checks them against the limits, and sends them to their broker plugin (or holds them); cancels them. */
@Injectable()
export class OrderRouter {
  private readonly console = new Logger(OrderRouter.name);
  private holder?: OrderHolder;
  private readonly calendar: TradingCalendar;

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly database: DatabaseService,
    private readonly plugins: PluginHostService,
    private readonly market: MarketService,
    private readonly risk: RiskService,
    private readonly states: OrderStates,
    private readonly intake: FillIntake,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly stamps: ExecutionStamps,
    private readonly store: OrderStore,
  ) {
    this.calendar = TradingCalendar.of(config.pnl.timeZone, config.pnl.dayStart);
  }

  /** Orders being recorded and sent now, by client id: a cancel waits for its order's send (see cancelOrder). */
  private readonly sends = new Map<string, Promise<unknown>>();

  setHolder(holder: OrderHolder): void {
    this.holder = holder;
  }

  /**
   * Records the order, then sends it. The same clientOrderId twice (a redelivered event) returns
   * the order already on record and sends nothing new, unless it never reached the broker. When
   * the broker reports a fill for it that can never be booked, an event's order throws
   * UnbookableFill (the event becomes a dead letter); any other comes back rejected with the reason.
   */
  async submit(intent: OrderIntent): Promise<Order> {
    this.intake.sendingStarted(intent.clientOrderId);
    const recording = this.sending(intent.clientOrderId, this.record(intent));
    try {
      const order = await recording;
      const unbookable = this.intake.unbookableWhileSending(intent.clientOrderId);
      if (unbookable && intent.eventId) throw unbookable;
      return order;
    } finally {
      this.intake.sendingEnded(intent.clientOrderId);
    }
  }

  /** Records the order, checks the limits, then holds it or sends it. */
  private async record(intent: OrderIntent): Promise<Order> {
    // An order on record under this client id (an alert replayed, a retry) is found in memory, or
    // by the insert below meeting its key: a new order, the usual case, costs no read first.
    let existing = this.store.kept(intent.clientOrderId);
    if (existing && existing.status !== 'pending') return existing;
    const now = Date.now();
    let order: Order =
      existing ??
      ({
        id: newRowId(),
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
      } satisfies Order);
    // Limits first: a refused order is on record as rejected with the reason, like a broker's refusal.
    // The limits read positions and settings, not this order: they are read while its row is
    // written, which on PostgreSQL saves their round trips on the order's path.
    let refusal: string | null = null;
    if (!existing) {
      const checked = this.risk.check({
        account: intent.account,
        strategyId: intent.strategyId,
        positionKey: intent.linkId ?? intent.strategyId ?? NO_STRATEGY,
        ticker: intent.ticker,
        side: intent.side,
        quantity: intent.quantity,
        type: intent.type,
        orderId: order.id,
      });
      // Its outcome is taken below, once the row is written; a failure meanwhile is not unhandled.
      checked.catch(() => undefined);
      let inserted: boolean;
      try {
        // Durable (fsynced) before the broker hears of it. On PostgreSQL the orders of one turn
        // share that commit and its flush (an insert that may run again: see shareTurn). On SQLite
        // it leaves before the alerts synced with it are answered (see answerFirst).
        inserted = await this.database.transaction((m) => this.store.insert(m, order), { shareTurn: true, answerFirst: true });
      } catch (error) {
        // Never on record, so never at a broker: the room the limits gave it is given back.
        await checked.catch(() => undefined);
        this.risk.forget(order.id);
        throw error;
      }
      if (inserted) {
        refusal = await checked;
        this.states.changed(order);
      } else {
        // On record already: that order goes on as it stands, and this one never was.
        await checked.catch(() => undefined);
        this.risk.forget(order.id);
        existing = await this.store.byClientOrderId(intent.clientOrderId);
        if (!existing) throw new Error(`order ${intent.clientOrderId} is neither new nor on record`);
        if (existing.status !== 'pending') return existing;
        order = existing;
      }
    }
    if (refusal) return this.states.applyAck(order.id, { brokerOrderId: '', status: 'rejected', reason: `risk limit: ${refusal}` });

    await this.market.watch(`order:${order.id}`, [order.ticker]);
    if (isHeldType(order.type)) {
      if (!this.plugins.broker(intent.account.broker)) {
        return this.states.applyAck(order.id, {
          brokerOrderId: '',
          status: 'rejected',
          reason: `broker plugin "${intent.account.broker}" is not running`,
        });
      }
      // The server holds it until the market touches its stop; then it goes to the broker as a limit or market order.
      await this.requireHolder().hold(order);
      return this.states.applyAck(order.id, { brokerOrderId: '', status: 'working' });
    }
    return this.send(order, intent.account);
  }

  /**
   * Marks the order as on its way to its broker until `sent` settles: a cancel meanwhile waits for
   * it, then cancels it there (see cancelOrder). A held order that triggered is sent so.
   */
  sending<T>(clientOrderId: string, sent: Promise<T>): Promise<T> {
    this.sends.set(clientOrderId, sent);
    const done = () => {
      if (this.sends.get(clientOrderId) === sent) this.sends.delete(clientOrderId);
    };
    sent.then(done, done);
    return sent;
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
    // After the fills the broker reported while it answered: an ack read before one was booked
    // would write its status over the fill's.
    return this.intake.inOrderTurn(order.clientOrderId, () => this.states.applyAck(order.id, ack));
  }

  /**
   * A working order after a start, sent to its broker again for what is left of it (the broker
   * takes the same clientOrderId as the same order), or held again while it waits for its trigger;
   * false when its account or broker plugin is gone. Throws what the broker threw.
   */
  async resume(order: Order): Promise<boolean> {
    const account = await this.accounts.byId(order.accountId);
    const broker = account && this.plugins.broker(account.broker);
    if (!account || !broker) return false;
    if (isHeldType(order.type) && order.triggeredAt === null) {
      // Still waiting for its trigger: the server holds it again.
      await this.requireHolder().hold(order);
    } else {
      await this.market.brokerInstruments.learn(order.ticker, broker, (message) => this.console.warn(message));
      const ack = await broker.placeOrder({ ...brokerRequest(order, account), quantity: order.quantity - order.filledQuantity });
      await this.intake.inOrderTurn(order.clientOrderId, () => this.states.applyAck(order.id, ack));
    }
    await this.market.watch(`order:${order.id}`, [order.ticker]);
    return true;
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
    const working = await this.workingIn(strategyId, tickers, type);
    let cancelled = 0;
    for (const order of working) if (await this.cancelOrder(order, reason)) cancelled++;
    return cancelled;
  }

  /** A strategy's orders open in these tickers (of this type, when given): what `cancelWorkingIn` would cancel now. */
  async workingIn(strategyId: string, tickers: string[], type?: ServerOrderType): Promise<Order[]> {
    if (!tickers.length) return [];
    return (await this.store.openIn(strategyId, tickers)).filter((o) => !type || o.type === type);
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

  /**
   * The order once its send, if one is under way, is over: as it stands then, or null when it is
   * no longer open. Waits CANCEL_WAIT_MS at most, then null too: a broker that does not answer keeps
   * the order unknown there, and the cancel is refused (the trader may try again) rather than held
   * up, and what waits behind it with it.
   */
  private async placed(order: Order): Promise<Order | null> {
    const sending = this.sends.get(order.clientOrderId);
    if (!sending) return order;
    if (!(await settledWithin(sending, CANCEL_WAIT_MS))) return null;
    const placed = await this.store.byClientOrderId(order.clientOrderId);
    return placed && (OPEN_STATUSES as readonly string[]).includes(placed.status) ? placed : null;
  }

  private async cancelOrder(order: Order, reason: string): Promise<boolean> {
    // Still on its way to the broker, which does not know it yet: a cancel now would be refused
    // there and the order marked cancelled here, then placed. It is cancelled once it is placed.
    const placed = await this.placed(order);
    if (!placed) return false;
    order = placed;
    if (isHeldType(order.type) && order.triggeredAt === null && order.status === 'working') {
      // Nothing is at the broker yet: the server lets go of it, unless a quote triggered it since it
      // was read (the trigger's claim and this one: one wins).
      if (await this.states.cancelHeld(order.id, reason)) {
        this.holder?.release(order.id);
        return true;
      }
      // Triggered: on its way to the broker, and cancelled there once it is placed.
      const sent = await this.placed(order);
      if (!sent) return false;
      order = sent;
    }
    const account = await this.accounts.byId(order.accountId);
    const broker = account && this.plugins.broker(account.broker);
    const done = broker ? await broker.cancelOrder(order.clientOrderId) : false;
    if (!done && order.status !== 'pending') return false;
    // After a piece the broker filled before the cancel took: booked on the order as it was, it
    // would have written 'working' back over 'cancelled', an order open on record and gone at the broker.
    await this.intake.inOrderTurn(order.clientOrderId, () => this.states.setStatus(order.id, 'cancelled', reason));
    return true;
  }
}
