import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Quote } from '@tradeloop/contracts';
import { heldOrderStep } from '@tradeloop/domain';
import { In, IsNull, Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { DatabaseService } from '../database/database.service.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { OrderRouter } from './order-router.service.js';
import type { OrderHolder } from './order-shapes.js';
import { Order } from './order.entity.js';
import { OrderStore } from './order-store.js';

/** How often day orders held on the server are checked against the end of their trading day. */
const EXPIRY_CHECK_MS = 15_000;

/**
 * Stop-limit and trailing stop orders, which brokers' plugin API does not take, are held here as
 * brackets are: on record as working orders, watched on every quote of their ticker. A stop-limit
 * whose stop is touched goes to the broker as its limit order; a trailing stop follows the best
 * price by its trail (the current stop is kept on the order, so a restart resumes from it) and goes
 * at market once the market comes back to it. The switch from held to sent is claimed in the
 * database, so with several processes exactly one sends it.
 */
@Injectable()
export class HeldOrdersService implements OrderHolder, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly held = new Map<string, Order>();
  /** Quote work runs one step at a time, off the feed's publish. */
  private chain: Promise<unknown> = Promise.resolve();
  private stopQuotes?: () => void;
  private expiryTimer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly router: OrderRouter,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly store: OrderStore,
  ) {}

  onModuleInit(): void {
    this.router.setHolder(this);
  }

  onApplicationBootstrap(): void {
    this.stopQuotes = this.market.onQuote((quote) => {
      if (this.held.size && [...this.held.values()].some((o) => o.ticker === quote.ticker)) void this.enqueue(() => this.onQuote(quote));
    });
    this.expiryTimer = setInterval(() => void this.enqueue(() => this.expire()), EXPIRY_CHECK_MS);
    this.expiryTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopQuotes?.();
    clearInterval(this.expiryTimer);
    await this.chain.catch(() => undefined);
  }

  async hold(order: Order): Promise<void> {
    this.held.set(order.id, { ...order });
  }

  release(orderId: string): void {
    this.held.delete(orderId);
  }

  /** Orders held now (tests, the preview). */
  holding(): Order[] {
    return [...this.held.values()];
  }

  /** Resolves once the quote work queued so far is done. */
  async idle(): Promise<void> {
    await this.enqueue(async () => undefined);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch((error: unknown) =>
      this.logs.write({ level: 'error', category: 'order', message: `held order handling failed: ${(error as Error).message}` }),
    );
    return run.catch(() => undefined);
  }

  private async onQuote(quote: Quote): Promise<void> {
    const tickSize = this.market.instrument(quote.ticker).tickSize;
    for (const order of [...this.held.values()]) {
      if (order.ticker !== quote.ticker || order.stopPrice === null || !this.held.has(order.id)) continue;
      if (order.expiresAt !== null && order.expiresAt <= Date.now()) {
        await this.cancelExpired(order);
        continue;
      }
      const step = heldOrderStep(
        {
          side: order.side,
          type: order.type as 'stop_limit' | 'trailing_stop',
          stopPrice: order.stopPrice,
          trailAmount: order.trailAmount,
          trailPercent: order.trailPercent,
        },
        quote,
        tickSize,
      );
      if (step.triggered) await this.trigger(order, quote);
      else if (step.stopPrice !== order.stopPrice) {
        order.stopPrice = step.stopPrice;
        await this.database.bookkeeping(async (m) => {
          await m.update(Order, { id: order.id, triggeredAt: IsNull() }, { stopPrice: step.stopPrice, updatedAt: Date.now() });
          this.store.forget(m, order.id);
        });
      }
    }
  }

  /** Sends the order to its broker once it is claimed (see claimAndSend). */
  private async trigger(order: Order, quote: Quote): Promise<void> {
    this.held.delete(order.id);
    // On its way to the broker from before its claim: a cancel that loses the claim to it waits
    // for its send, then cancels it there.
    await this.router.sending(order.clientOrderId, this.claimAndSend(order, quote));
  }

  /** Claims the order (one process, or this trigger against a cancel, wins), then sends it. */
  private async claimAndSend(order: Order, quote: Quote): Promise<Order | null> {
    const now = Date.now();
    const claimed = await this.database.transaction(
      async (m) => {
        const result = await m.update(
          Order,
          // Or 'pending': held a moment before its own "working" is written, it may be touched first
          // (one quote later); a claim that waited for 'working' found nothing and the order was lost.
          { id: order.id, triggeredAt: IsNull(), status: In(['pending', 'working']) },
          { triggeredAt: now, stopPrice: order.stopPrice, updatedAt: now },
        );
        this.store.forget(m, order.id);
        return result;
      },
      { answerFirst: true },
    );
    if (!claimed.affected) return null;
    return this.sendTriggered(order.id, quote);
  }

  private async sendTriggered(orderId: string, quote: Quote): Promise<Order> {
    const fresh = await this.orders.findOneByOrFail({ id: orderId });
    const account = await this.accounts.byIdOrFail(fresh.accountId);
    const as = fresh.type === 'stop_limit' ? `a limit order at ${fresh.limitPrice}` : 'a market order';
    await this.logs.write({
      level: 'info',
      category: 'order',
      strategyId: fresh.strategyId,
      message: `${fresh.type.replace('_', '-')} ${fresh.side} ${fresh.quantity} ${fresh.ticker} triggered at stop ${fresh.stopPrice} (${fresh.side === 'buy' ? 'ask' : 'bid'} ${fresh.side === 'buy' ? quote.ask : quote.bid}): sent as ${as}`,
      context: { orderId: fresh.id },
    });
    return this.router.send(fresh, account);
  }

  private async expire(): Promise<void> {
    for (const order of [...this.held.values()])
      if (order.expiresAt !== null && order.expiresAt <= Date.now()) await this.cancelExpired(order);
  }

  private async cancelExpired(order: Order): Promise<void> {
    this.held.delete(order.id);
    await this.router.cancel(order.clientOrderId, 'day order expired at the end of its trading day');
  }
}
