import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrderSide, PriceTarget } from '@tradeloop/contracts';
import { In, Repository } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { DatabaseService } from '../database/database.service.js';
import type { BookedFill } from '../ledger/ledger.service.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { ExecutionService } from './execution.service.js';
import { OrderBracket } from './order-bracket.entity.js';
import { Order } from './order.entity.js';

export interface BracketSpec {
  strategyId: string | null;
  takeProfit?: PriceTarget;
  stopLoss?: PriceTarget;
  /** Move the stop to the entry once the market is this many ticks in profit. */
  breakEvenTicks?: number;
  /** Trail the stop this many ticks behind the best price since the entry. */
  trailingTicks?: number;
}

export type BracketRole = 'order' | 'takeProfit' | 'stopLoss';

const LEG = /^(.*):(tp|sl)(\d+)$/;

/** Whether an order is the take-profit or stop-loss leg of a bracket, from its clientOrderId. */
export function bracketRole(clientOrderId: string): BracketRole {
  const leg = LEG.exec(clientOrderId);
  return !leg ? 'order' : leg[2] === 'tp' ? 'takeProfit' : 'stopLoss';
}

/** The take-profit and stop-loss prices for a fill, on the instrument's tick grid. */
export function legPrices(
  entrySide: OrderSide,
  fillPrice: number,
  tickSize: number,
  spec: Pick<OrderBracket, 'takeProfitPrice' | 'takeProfitTicks' | 'stopLossPrice' | 'stopLossTicks'>,
): { takeProfit: number | null; stopLoss: number | null } {
  const dir = entrySide === 'buy' ? 1 : -1;
  const onGrid = (price: number) => Number((Math.round(price / tickSize) * tickSize).toFixed(10));
  const at = (price: number | null, ticks: number | null, sign: number) =>
    price !== null ? onGrid(price) : ticks !== null ? onGrid(fillPrice + sign * dir * ticks * tickSize) : null;
  return { takeProfit: at(spec.takeProfitPrice, spec.takeProfitTicks, 1), stopLoss: at(spec.stopLossPrice, spec.stopLossTicks, -1) };
}

/**
 * Server-managed take-profit / stop-loss brackets: once an entry fills, a limit (take profit) and a
 * stop (stop loss) on the other side for the quantity that filled; when one of them fills the
 * other is cancelled. Brackets are on record before their entry is sent, and work left over by a
 * restart (an entry that filled while the server was down) is picked up at start. Broker-native
 * OCO can replace the placing here without changing `attachBracket`.
 */
@Injectable()
export class BracketsService implements OnApplicationBootstrap {
  /** Bracket work runs one step at a time, off the broker's fill callback. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectRepository(OrderBracket) private readonly brackets: Repository<OrderBracket>,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly execution: ExecutionService,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.execution.onFillBooked((booked) => void this.enqueue(() => this.onFill(booked)));
    // A failure is logged by the chain; the server starts regardless.
    await this.enqueue(() => this.reconcile()).catch(() => undefined);
  }

  /**
   * Puts a bracket on record for an entry order, before the entry is sent. Attaching twice (a
   * redelivered event) keeps the first.
   */
  async attachBracket(parentClientOrderId: string, spec: BracketSpec): Promise<void> {
    if (!spec.takeProfit && !spec.stopLoss) return;
    const now = Date.now();
    await this.database.transaction(async (m) => {
      if (await m.existsBy(OrderBracket, { parentClientOrderId })) return;
      await m.insert(OrderBracket, {
        parentClientOrderId,
        strategyId: spec.strategyId,
        takeProfitPrice: spec.takeProfit?.price ?? null,
        takeProfitTicks: spec.takeProfit?.price === undefined ? (spec.takeProfit?.ticks ?? null) : null,
        stopLossPrice: spec.stopLoss?.price ?? null,
        stopLossTicks: spec.stopLoss?.price === undefined ? (spec.stopLoss?.ticks ?? null) : null,
        breakEvenTicks: spec.breakEvenTicks ?? null,
        trailingTicks: spec.trailingTicks ?? null,
        coveredQuantity: 0,
        legs: 0,
        status: 'waiting',
        createdAt: now,
        updatedAt: now,
      });
    });
  }

  /** Stops a strategy's brackets (in one ticker, when given) from placing more legs; the caller cancels working orders. */
  cancelBrackets(strategyId: string, ticker?: string): Promise<number> {
    return this.enqueue(async () => {
      const open = await this.brackets.findBy({ strategyId, status: In(['waiting', 'open']) });
      let cancelled = 0;
      for (const bracket of open) {
        if (ticker) {
          const parent = await this.orders.findOneBy({ clientOrderId: bracket.parentClientOrderId });
          if (parent && parent.ticker !== ticker) continue;
        }
        await this.setStatus(bracket, 'cancelled');
        cancelled++;
      }
      return cancelled;
    });
  }

  /** Resolves once the bracket work queued so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    await this.enqueue(async () => undefined);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch((error: unknown) =>
      this.logs.write({ level: 'error', category: 'order', message: `bracket handling failed: ${(error as Error).message}` }),
    );
    return run;
  }

  private async onFill({ order, fill }: BookedFill): Promise<void> {
    const leg = LEG.exec(order.clientOrderId);
    if (leg) return this.onLegFill(order, leg[1], leg[2] as 'tp' | 'sl', Number(leg[3]));
    const bracket = await this.brackets.findOneBy({ parentClientOrderId: order.clientOrderId });
    if (!bracket || (bracket.status !== 'waiting' && bracket.status !== 'open')) return;
    await this.placeLegs(bracket, order, fill.quantity, fill.price);
  }

  private async placeLegs(bracket: OrderBracket, parent: Order, quantity: number, fillPrice: number): Promise<void> {
    const account = await this.accounts.findOneByOrFail({ id: parent.accountId });
    const { takeProfit, stopLoss } = legPrices(parent.side, fillPrice, this.market.instrument(parent.ticker).tickSize, bracket);
    const n = bracket.legs + 1;
    bracket.legs = n;
    bracket.coveredQuantity += quantity;
    await this.setStatus(bracket, 'open');
    const side: OrderSide = parent.side === 'buy' ? 'sell' : 'buy';
    const common = { account, strategyId: parent.strategyId, eventId: parent.eventId, ticker: parent.ticker, side, quantity };
    const placed: string[] = [];
    if (takeProfit !== null) {
      const tp = await this.execution.submit({
        ...common,
        clientOrderId: `${parent.clientOrderId}:tp${n}`,
        type: 'limit',
        limitPrice: takeProfit,
      });
      placed.push(`take profit ${tp.side} ${tp.quantity} @ ${takeProfit} → ${tp.status}`);
    }
    if (stopLoss !== null) {
      const sl = await this.execution.submit({
        ...common,
        clientOrderId: `${parent.clientOrderId}:sl${n}`,
        type: 'stop',
        stopPrice: stopLoss,
      });
      placed.push(`stop loss ${sl.side} ${sl.quantity} @ ${stopLoss} → ${sl.status}`);
    }
    await this.logs.write({
      level: 'info',
      category: 'order',
      strategyId: parent.strategyId,
      message: `bracket for ${parent.side} ${quantity} ${parent.ticker} @ ${fillPrice}: ${placed.join(', ')}`,
      context: { orderId: parent.id },
    });
    // A leg that filled at once (the market had already moved through it) cancels its sibling now.
    for (const role of ['tp', 'sl'] as const) {
      const legOrder = await this.orders.findOneBy({ clientOrderId: `${parent.clientOrderId}:${role}${n}` });
      if (legOrder?.status === 'filled') await this.onLegFill(legOrder, parent.clientOrderId, role, n);
    }
  }

  private async onLegFill(order: Order, parentClientOrderId: string, role: 'tp' | 'sl', n: number): Promise<void> {
    const bracket = await this.brackets.findOneBy({ parentClientOrderId });
    if (!bracket) return;
    const fresh = await this.orders.findOneBy({ id: order.id });
    if (fresh?.status !== 'filled') return;
    const sibling = `${parentClientOrderId}:${role === 'tp' ? 'sl' : 'tp'}${n}`;
    if (await this.execution.cancel(sibling, `${role === 'tp' ? 'take profit' : 'stop loss'} filled (one cancels the other)`)) {
      await this.logs.write({
        level: 'info',
        category: 'order',
        strategyId: order.strategyId,
        message: `${role === 'tp' ? 'take profit' : 'stop loss'} filled: cancelled its ${role === 'tp' ? 'stop loss' : 'take profit'}`,
        context: { orderId: order.id },
      });
    }
    await this.closeIfDone(bracket);
  }

  /** Closed once the entry has fully filled and no leg is working any more. */
  private async closeIfDone(bracket: OrderBracket): Promise<void> {
    if (bracket.status !== 'open') return;
    const parent = await this.orders.findOneBy({ clientOrderId: bracket.parentClientOrderId });
    if (!parent || parent.filledQuantity < parent.quantity) return;
    const legIds = Array.from({ length: bracket.legs }, (_, i) => [
      `${bracket.parentClientOrderId}:tp${i + 1}`,
      `${bracket.parentClientOrderId}:sl${i + 1}`,
    ]).flat();
    const working = await this.orders.countBy({ clientOrderId: In(legIds), status: In(['pending', 'working']) });
    if (working === 0) await this.setStatus(bracket, 'closed');
  }

  /** After a restart: entries that filled beyond what their legs cover get legs now. */
  private async reconcile(): Promise<void> {
    const open = await this.brackets.findBy({ status: In(['waiting', 'open']) });
    for (const bracket of open) {
      const parent = await this.orders.findOneBy({ clientOrderId: bracket.parentClientOrderId });
      if (!parent) continue;
      if (parent.status === 'cancelled' || parent.status === 'rejected') {
        if (parent.filledQuantity === 0) await this.setStatus(bracket, 'cancelled');
        continue;
      }
      const uncovered = parent.filledQuantity - bracket.coveredQuantity;
      if (uncovered > 0 && parent.avgFillPrice !== null) await this.placeLegs(bracket, parent, uncovered, parent.avgFillPrice);
      else await this.closeIfDone(bracket);
    }
  }

  private async setStatus(bracket: OrderBracket, status: OrderBracket['status']): Promise<void> {
    bracket.status = status;
    bracket.updatedAt = Date.now();
    await this.database.transaction((m) =>
      m.update(
        OrderBracket,
        { parentClientOrderId: bracket.parentClientOrderId },
        { status, legs: bracket.legs, coveredQuantity: bracket.coveredQuantity, updatedAt: bracket.updatedAt },
      ),
    );
  }
}
