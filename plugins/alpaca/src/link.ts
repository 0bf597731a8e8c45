import {
  errorText,
  finishOrder,
  isFinal,
  type BrokerContext,
  type BrokerFill,
  type OrderSide,
  type PluginLogger,
  type TrackedOrder,
} from '@tradeloop/contracts';
import { CLIENT_PREFIX, statusOf } from './orders.js';
import { AlpacaError, AlpacaRest, type AlpacaAsset, type AlpacaFillActivity, type AlpacaOrder } from './rest.js';
import type { AlpacaLogin, AlpacaSettings } from './settings.js';
import { ReconnectingSocket } from './socket.js';

/** An order this plugin placed (or found at start), followed until it is done. */
export interface Tracked extends TrackedOrder {
  alpacaClientId: string;
  ticker: string;
  side: OrderSide;
  brokerOrderId: string;
  /** Epoch ms it was placed (or recorded by the server). */
  createdAt: number;
}

/** One trade update of the `trade_updates` stream. */
export interface TradeUpdate {
  event: string;
  order: AlpacaOrder;
  price?: string;
  qty?: string;
  position_qty?: string;
  timestamp?: string;
  execution_id?: string;
}

/**
 * One Alpaca account: its REST client, its trade-updates stream (auth, listen, events applied one
 * at a time), the orders placed through it and the assets looked up for it.
 */
export class AccountLink {
  readonly rest: AlpacaRest;
  readonly byAlpacaId = new Map<string, Tracked>();
  private readonly assets = new Map<string, Promise<AlpacaAsset>>();
  private readonly socket: ReconnectingSocket;
  private queue: Promise<void> = Promise.resolve();
  private listening = false;
  /** Counts connections, so a catch-up that outlived its connection does not mark the next one ready. */
  private connection = 0;
  private readyWaiters: (() => void)[] = [];
  /** Fills of orders made elsewhere are booked from this time on. */
  readonly startedAt = Date.now();

  constructor(
    readonly brokerAccountId: string,
    readonly login: AlpacaLogin,
    private readonly settings: AlpacaSettings,
    private readonly ctx: BrokerContext,
    private readonly logger: PluginLogger,
  ) {
    this.rest = new AlpacaRest(login, settings.requestTimeoutMs);
    this.socket = new ReconnectingSocket(
      login.streamUrl,
      {
        open: (send) => send({ action: 'auth', key: login.keyId, secret: login.secretKey }),
        message: (message, send) => this.onMessage(message, send),
        closed: (reason) => {
          if (this.listening) this.logger.warn(`Alpaca trade updates of ${brokerAccountId} lost (${reason}); reconnecting`);
          this.listening = false;
          this.connection++;
        },
      },
      { minMs: settings.reconnectMinMs, maxMs: settings.reconnectMaxMs },
    );
  }

  start(): void {
    this.socket.start();
  }

  async stop(): Promise<void> {
    await this.socket.stop();
    await this.queue;
  }

  /** Resolves once the stream listens to trade updates (or after `timeoutMs`). */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.listening) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The asset's trading rules, looked up once per symbol (a failed lookup is tried again next time). */
  asset(symbol: string): Promise<AlpacaAsset> {
    let found = this.assets.get(symbol);
    if (!found) {
      found = this.rest.asset(symbol);
      this.assets.set(symbol, found);
      found.catch(() => this.assets.delete(symbol));
    }
    return found;
  }

  track(tracked: Tracked): void {
    this.byAlpacaId.set(tracked.alpacaClientId, tracked);
  }

  private onMessage(message: unknown, send: (m: unknown) => void): void {
    const { stream, data } = (message ?? {}) as { stream?: string; data?: Record<string, unknown> };
    if (stream === 'authorization') {
      if (data?.status === 'authorized') send({ action: 'listen', data: { streams: ['trade_updates'] } });
      else {
        this.logger.error(
          `Alpaca refused the API key of ${this.brokerAccountId} on the trade-updates stream; check the key and paper or live`,
        );
        this.socket.drop();
      }
    } else if (stream === 'listening') {
      const streams = (data?.streams as unknown[]) ?? [];
      if (!streams.includes('trade_updates')) return;
      this.socket.healthy();
      // Fills may have happened while the stream was away: read them from the account's activities,
      // then say ready (a start has booked what it missed by then).
      const connection = this.connection;
      this.enqueue(async () => {
        await this.catchUp();
        if (connection !== this.connection) return;
        this.listening = true;
        for (const wake of this.readyWaiters.splice(0)) wake();
      });
    } else if (stream === 'trade_updates' && data && typeof data === 'object') {
      this.enqueue(() => this.apply(data as unknown as TradeUpdate));
    }
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.logger.error(`handling an Alpaca trade update of ${this.brokerAccountId} failed: ${String(error).slice(0, 300)}`);
    });
  }

  /** The tracked order an Alpaca order belongs to; undefined for one made elsewhere. */
  private ours(order: AlpacaOrder): Tracked | undefined {
    const known = this.byAlpacaId.get(order.client_order_id);
    if (known) return known;
    if (!order.client_order_id?.startsWith(CLIENT_PREFIX) || order.client_order_id.startsWith(`${CLIENT_PREFIX}h-`)) return undefined;
    // Ours from before a restart: the id says which order it was.
    const tracked: Tracked = {
      clientOrderId: order.client_order_id.slice(CLIENT_PREFIX.length),
      alpacaClientId: order.client_order_id,
      ticker: order.symbol,
      side: order.side,
      brokerOrderId: order.id,
      createdAt: order.created_at ? Date.parse(order.created_at) : Date.now(),
      state: 'working',
      acked: true,
      finalReported: false,
      waiters: [],
    };
    this.track(tracked);
    return tracked;
  }

  /** Applies one trade update: fills first, then the order's state. */
  async apply(update: TradeUpdate): Promise<void> {
    const order = update.order;
    if (!order || typeof order.id !== 'string') return;
    const tracked = this.ours(order);
    if ((update.event === 'fill' || update.event === 'partial_fill') && update.price && update.qty) {
      await this.reportFill(
        order.id,
        order.filled_qty,
        { price: update.price, qty: update.qty, time: update.timestamp, symbol: order.symbol, side: order.side },
        tracked,
      );
    }
    if (!tracked) return;
    tracked.brokerOrderId ||= order.id;
    const status = statusOf(order);
    if (status === 'working') {
      if (tracked.state === 'placing') tracked.state = 'working';
      return;
    }
    const reason =
      order.status === 'expired' ? 'expired at Alpaca' : status === 'rejected' ? 'Alpaca rejected the order' : 'cancelled at Alpaca';
    await this.finish(tracked, status, status === 'filled' ? undefined : reason);
  }

  /** A fill, booked once: its id is Alpaca's order id and the order's filled quantity after it. */
  async reportFill(
    orderId: string,
    cumulativeQty: string,
    fill: { price: string; qty: string; time?: string; symbol: string; side: string },
    tracked: Tracked | undefined,
  ): Promise<void> {
    const quantity = Number(fill.qty);
    const price = Number(fill.price);
    if (!(quantity > 0) || !(price > 0)) return;
    const time = fill.time ? Date.parse(fill.time) : Date.now();
    if (!tracked && time < this.startedAt) return;
    const booked: BrokerFill = {
      fillId: `alpaca:${orderId}@${Number(cumulativeQty)}`,
      clientOrderId: tracked?.clientOrderId ?? `alpaca:${orderId}`,
      brokerOrderId: orderId,
      ticker: tracked?.ticker ?? fill.symbol,
      side: fill.side === 'buy' ? 'buy' : 'sell',
      quantity,
      price,
      commission: Math.round(quantity * this.settings.commissionPerShare * 100) / 100,
      time: Number.isFinite(time) ? time : Date.now(),
      ...(tracked ? {} : { brokerAccountId: this.brokerAccountId }),
    };
    await this.ctx.reportFill(booked);
  }

  /** The order is done: report it (as an update once acked) and wake whoever waits for it. */
  finish(tracked: Tracked, state: 'filled' | 'cancelled' | 'rejected', reason?: string): Promise<void> {
    return finishOrder(this.ctx, tracked, tracked.brokerOrderId, state, reason);
  }

  /**
   * After (re)connecting: fills since the oldest open order (or the start) from the account's FILL
   * activities, then the state of every order still open here, so nothing missed stays missed.
   */
  async catchUp(): Promise<void> {
    const open = [...this.byAlpacaId.values()].filter((t) => t.acked && !isFinal(t) && t.brokerOrderId);
    const byOrderId = new Map(open.map((t) => [t.brokerOrderId, t]));
    const since = new Date(Math.min(this.startedAt, ...open.map((t) => t.createdAt)) - 1000);
    let activities: AlpacaFillActivity[] = [];
    try {
      activities = await this.rest.fillsSince(since);
    } catch (error) {
      this.logger.warn(
        `reading Alpaca fills of ${this.brokerAccountId} failed: ${error instanceof AlpacaError ? error.message : String(error)}`,
      );
    }
    for (const a of Array.isArray(activities) ? activities : []) {
      const tracked = byOrderId.get(a.order_id) ?? [...this.byAlpacaId.values()].find((t) => t.brokerOrderId === a.order_id);
      await this.reportFill(
        a.order_id,
        a.cum_qty,
        { price: a.price, qty: a.qty, time: a.transaction_time, symbol: a.symbol, side: a.side },
        tracked,
      );
    }
    for (const tracked of open) {
      try {
        const order = await this.rest.orderByClientId(tracked.alpacaClientId);
        const status = statusOf(order);
        if (status !== 'working') {
          await this.finish(
            tracked,
            status,
            status === 'filled' ? undefined : order.status === 'expired' ? 'expired at Alpaca' : `${order.status} at Alpaca`,
          );
        }
      } catch (error) {
        this.logger.warn(`checking ${tracked.clientOrderId} at Alpaca failed: ${errorText(error)}`);
      }
    }
  }
}
