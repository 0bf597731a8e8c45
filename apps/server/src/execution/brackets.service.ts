import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrderSide, PriceTarget, Quote, StopLossType } from '@tradeloop/contracts';
import { bestPrice, exitsCrossed, legPrices, managedStopPrice, type BracketTargets, type ManagedStop } from '@tradeloop/domain';
import { In, IsNull, Like, MoreThanOrEqual, Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { Statements } from '../database/statements.js';
import { NO_STRATEGY } from '../ledger/ledger.service.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import type { BookedFill } from './order-fills.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { FillIntake } from './fill-intake.service.js';
import { OrderRouter } from './order-router.service.js';
import { OpenBrackets } from './open-brackets.js';
import { OrderBracket } from './order-bracket.entity.js';
import { Order } from './order.entity.js';

export interface BracketSpec {
  strategyId: string | null;
  takeProfit?: PriceTarget;
  stopLoss?: PriceTarget;
  /** Absent: a stop. A stop-limit stop loss is held by the server until touched (see HeldOrdersService). */
  stopLossType?: StopLossType;
  /** A stop-limit's limit; absent: the stop price itself. */
  stopLossLimitPrice?: number;
  /** Move the stop to the entry once the market is this many ticks in profit. */
  breakEvenTicks?: number;
  /** Trail the stop this many ticks behind the best price since the entry. */
  trailingTicks?: number;
}

export type BracketRole = 'order' | 'takeProfit' | 'stopLoss';

/** How far another process's clock may be behind the one that put a bracket on record. */
const LEG_CLOCK_SLACK_MS = 60_000;

/**
 * `<entry>:tp<n>` / `<entry>:sl<n>`, and `<entry>:sl<n>.<k>` / `<entry>:tp<n>.<k>` for the k-th
 * replacement of a leg of pair n (a moved stop, or a leg cut after its sibling filled in part).
 */
const LEG = /^(.*):(tp|sl)(\d+)(?:\.(\d+))?$/;

/** The orders of one pair of legs, and how many of its contracts are still held. */
interface PairLegs {
  legs: Order[];
  /** Contracts the pair's entry fill opened that no leg has closed yet. */
  open: number;
  /** Legs still pending or working. */
  working: Order[];
  /** What the leg (by order id) has filled, as just read. */
  filledBy(orderId: string): number;
  /** The suffix of the next replacement in a role. */
  nextSuffix(role: 'tp' | 'sl'): number;
}

/** A stop that follows the market (see `managedStopPrice`), and which leg it is. */
interface FollowedStop extends ManagedStop {
  parentClientOrderId: string;
  n: number;
  ticker: string;
  /** Replacements made so far (the suffix of the next stop's id). */
  moves: number;
}

/** Whether an order is the take-profit or stop-loss leg of a bracket, from its clientOrderId. */
export function bracketRole(clientOrderId: string): BracketRole {
  const leg = LEG.exec(clientOrderId);
  return !leg ? 'order' : leg[2] === 'tp' ? 'takeProfit' : 'stopLoss';
}

/** What became of a leg, and, when it was refused, why and what the position is left without. */
const legOutcome = (leg: Order, what: string): string =>
  leg.status === 'rejected' ? `rejected (${leg.reason ?? 'no reason given'}): the position has no ${what}` : leg.status;

/** A bracket's exits as its row keeps them: each a price or ticks from the fill. */
const targetsOf = (bracket: OrderBracket): BracketTargets => ({
  takeProfit:
    bracket.takeProfitPrice !== null
      ? { price: bracket.takeProfitPrice }
      : bracket.takeProfitTicks !== null
        ? { ticks: bracket.takeProfitTicks }
        : null,
  stopLoss:
    bracket.stopLossPrice !== null
      ? { price: bracket.stopLossPrice }
      : bracket.stopLossTicks !== null
        ? { ticks: bracket.stopLossTicks }
        : null,
});

/**
 * Server-managed take-profit / stop-loss brackets: once an entry fills, a limit (take profit) and a
 * stop (stop loss) on the other side for the quantity that filled; when one of them fills the
 * other is cancelled. Brackets are on record before their entry is sent, and work left over by a
 * restart (an entry that filled while the server was down) is picked up at start. Broker-native
 * OCO can replace the placing here without changing `attachBracket`.
 */
const HAS_BRACKET = 'SELECT 1 AS "found" FROM order_brackets WHERE "parentClientOrderId" = ?';
const HAS_OPEN_BRACKET = `SELECT 1 AS "found" FROM order_brackets WHERE "strategyId" = ? AND "status" IN ('waiting', 'open') LIMIT 1`;
const HAS_OPEN_MANUAL_BRACKET = `SELECT 1 AS "found" FROM order_brackets WHERE "strategyId" IS NULL AND "status" IN ('waiting', 'open') LIMIT 1`;

@Injectable()
export class BracketsService implements OnApplicationBootstrap, OnModuleDestroy {
  /** Bracket work runs one step at a time, off the broker's fill callback. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Stops that follow the market, by `<entry>:<n>`. */
  private readonly managed = new Map<string, FollowedStop>();
  private readonly managedTickers = new Set<string>();
  private stopQuotes?: () => void;
  /** With one process (no Redis), the open brackets in memory; with several, asked of the table each time. */
  private readonly openBrackets: OpenBrackets | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectRepository(OrderBracket) private readonly brackets: Repository<OrderBracket>,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly router: OrderRouter,
    private readonly intake: FillIntake,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly statements: Statements,
    private readonly positions: PositionsReader,
  ) {
    this.openBrackets = soleWriter(config) ? new OpenBrackets() : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.openBrackets) {
      for (const bracket of await this.brackets.findBy({ status: In(['waiting', 'open']) })) {
        this.openBrackets.set(bracket.parentClientOrderId, bracket.strategyId, true);
      }
    }
    this.intake.onFillBooked((booked) => void this.enqueue(() => this.onFill(booked)));
    this.stopQuotes = this.market.onQuote((quote) => {
      if (this.managedTickers.has(quote.ticker)) void this.enqueue(() => this.followQuote(quote)).catch(() => undefined);
    });
    // A failure is logged by the chain; the server starts regardless.
    await this.enqueue(() => this.reconcile()).catch(() => undefined);
  }

  /** Bracket work under way finishes before the database closes (its failure would be logged to a closed database). */
  async onModuleDestroy(): Promise<void> {
    this.stopQuotes?.();
    await this.chain.catch(() => undefined);
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
      this.database.onCommitted(m, () => this.openBrackets?.set(parentClientOrderId, spec.strategyId, true));
      await m.insert(OrderBracket, {
        parentClientOrderId,
        strategyId: spec.strategyId,
        takeProfitPrice: spec.takeProfit?.price ?? null,
        takeProfitTicks: spec.takeProfit?.price === undefined ? (spec.takeProfit?.ticks ?? null) : null,
        stopLossPrice: spec.stopLoss?.price ?? null,
        stopLossTicks: spec.stopLoss?.price === undefined ? (spec.stopLoss?.ticks ?? null) : null,
        stopLossType: spec.stopLossType ?? null,
        stopLossLimitPrice: spec.stopLossLimitPrice ?? null,
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
      // Run for most alerts, and most strategies have no bracket open: a look in memory (or a prepared one) first.
      if (!(await this.anyOpenFor(strategyId))) return 0;
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

  /** Whether a strategy has a bracket waiting or open, once the bracket work queued before this look is done. */
  anyOpenIn(strategyId: string): Promise<boolean> {
    return this.enqueue(() => this.anyOpenFor(strategyId));
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

  private async onFill({ order, fill, position }: BookedFill): Promise<void> {
    const leg = LEG.exec(order.clientOrderId);
    if (leg) return this.onLegFill(order, leg[1], leg[2] as 'tp' | 'sl', Number(leg[3]));
    // Most fills have no bracket: a look in memory (or a prepared one) first.
    if (!(await this.anyOpenFor(order.strategyId))) return;
    if (await this.hasOpen(order.clientOrderId)) {
      const bracket = await this.brackets.findOneBy({ parentClientOrderId: order.clientOrderId });
      if (bracket && (bracket.status === 'waiting' || bracket.status === 'open'))
        return this.placeLegs(bracket, order, fill.quantity, fill.price);
    }
    await this.fitLegs(order, position.quantity);
  }

  /**
   * An order that is no bracket's (a partial exit, a manual sell) moved a position whose legs are
   * working: legs that would close more than it now holds are cut to what it holds, the oldest
   * kept whole first, the rest cancelled. Left as they were, a long of 2 sold down to 1 keeps a
   * stop for 2, and the stop would turn it short.
   */
  private async fitLegs(order: Order, held: number): Promise<void> {
    const working = await this.orders.findBy({
      accountId: order.accountId,
      strategyId: order.strategyId ?? IsNull(),
      ticker: order.ticker,
      status: In(['pending', 'working']),
    });
    const legs = working
      .filter((o) => (o.linkId ?? null) === (order.linkId ?? null) && LEG.test(o.clientOrderId))
      .sort((a, b) => a.createdAt - b.createdAt || (a.clientOrderId < b.clientOrderId ? -1 : 1));
    const touched = new Map<string, OrderBracket>();
    for (const role of ['tp', 'sl'] as const) {
      const room = { sell: Math.max(0, held), buy: Math.max(0, -held) };
      for (const leg of legs) {
        const [, parentClientOrderId, legRole, n] = LEG.exec(leg.clientOrderId)!;
        if (legRole !== role) continue;
        const left = leg.quantity - leg.filledQuantity;
        const fits = Math.min(left, room[leg.side]);
        room[leg.side] -= fits;
        if (fits === left) continue;
        const what = role === 'tp' ? 'take profit' : 'stop loss';
        const reason = `the position now holds ${Math.abs(held)}: ${what} ${fits === 0 ? 'cancelled' : `cut to ${fits}`}`;
        if (!(await this.router.cancel(leg.clientOrderId, reason))) continue;
        const bracket = await this.brackets.findOneBy({ parentClientOrderId });
        if (bracket) touched.set(parentClientOrderId, bracket);
        if (fits === 0 || !bracket || bracket.status !== 'open') {
          await this.logs.write({
            level: 'info',
            category: 'order',
            strategyId: leg.strategyId,
            message: reason,
            context: { orderId: leg.id },
          });
          continue;
        }
        // What the leg filled before its cancel took is booked by now: the replacement covers what is left of the room.
        const cancelled = (await this.orders.findOneBy({ id: leg.id })) ?? leg;
        const quantity = Math.min(fits, cancelled.quantity - cancelled.filledQuantity);
        if (quantity > 0) await this.replaceLeg(cancelled, await this.pairLegs(bracket, leg.strategyId, Number(n)), quantity, reason);
      }
    }
    // A bracket whose legs were all cancelled here is done.
    for (const bracket of touched.values()) await this.closeIfDone(bracket);
  }

  private async placeLegs(bracket: OrderBracket, parent: Order, quantity: number, fillPrice: number): Promise<void> {
    const account = await this.accounts.byIdOrFail(parent.accountId);
    const { takeProfit, stopLoss } = legPrices(parent.side, fillPrice, this.market.instrument(parent.ticker).tickSize, targetsOf(bracket));
    const n = bracket.legs + 1;
    bracket.legs = n;
    bracket.coveredQuantity += quantity;
    await this.setStatus(bracket, 'open');
    const side: OrderSide = parent.side === 'buy' ? 'sell' : 'buy';
    const common = { account, strategyId: parent.strategyId, eventId: parent.eventId, ticker: parent.ticker, side, quantity };
    const placed: string[] = [];
    /** A leg refused or not placed: the bracket's line is an error. */
    let faulty = false;
    /** What the stop loss is to cover: all the fill opened, less what a take profit filled as it was placed. */
    let held = quantity;
    if (takeProfit !== null && stopLoss !== null && exitsCrossed(side, takeProfit, stopLoss)) {
      // Every price between the two fills both: the position would be closed twice and turned
      // around. The stop is kept (it protects); the take profit is the trader's to set right.
      placed.push(
        `take profit ${side} ${quantity} @ ${takeProfit} not placed: it is at or ${side === 'sell' ? 'below' : 'above'} the stop loss @ ${stopLoss}, so both would fill`,
      );
      faulty = true;
    } else if (takeProfit !== null) {
      const tp = await this.router.submit({
        ...common,
        clientOrderId: `${parent.clientOrderId}:tp${n}`,
        type: 'limit',
        limitPrice: takeProfit,
      });
      placed.push(`take profit ${tp.side} ${tp.quantity} @ ${takeProfit} → ${legOutcome(tp, 'take profit')}`);
      if (tp.status === 'rejected') faulty = true;
      // The market was already through it: what it filled as it was placed is closed, and the stop covers the rest.
      const booked = await this.orders.findOneBy({ clientOrderId: tp.clientOrderId });
      held = quantity - Math.max(tp.filledQuantity, booked?.filledQuantity ?? 0);
    }
    if (stopLoss !== null && held <= 0) {
      placed.push(`stop loss not placed: the take profit filled as it was placed`);
    } else if (stopLoss !== null) {
      const stopLimit = bracket.stopLossType === 'stop_limit';
      const limit = stopLimit ? (bracket.stopLossLimitPrice ?? stopLoss) : undefined;
      const sl = await this.router.submit({
        ...common,
        quantity: held,
        clientOrderId: `${parent.clientOrderId}:sl${n}`,
        type: stopLimit ? 'stop_limit' : 'stop',
        stopPrice: stopLoss,
        ...(limit !== undefined ? { limitPrice: limit } : {}),
      });
      placed.push(
        `stop loss ${sl.side} ${sl.quantity} @ ${stopLoss}${limit !== undefined ? ` limit ${limit}` : ''} → ${legOutcome(sl, 'stop loss')}`,
      );
      if (sl.status === 'rejected') faulty = true;
      // A stop-limit waits on the server as it is; a stop moves (break-even, trailing) by cancel and replace.
      if (!stopLimit && sl.status === 'working' && (bracket.breakEvenTicks !== null || bracket.trailingTicks !== null)) {
        this.manage({
          parentClientOrderId: parent.clientOrderId,
          n,
          ticker: parent.ticker,
          entrySide: parent.side,
          entryPrice: fillPrice,
          tickSize: this.market.instrument(parent.ticker).tickSize,
          breakEvenTicks: bracket.breakEvenTicks,
          trailingTicks: bracket.trailingTicks,
          best: fillPrice,
          moves: 0,
        });
      }
    }
    await this.logs.write({
      level: faulty ? 'error' : 'info',
      category: 'order',
      strategyId: parent.strategyId,
      message: `bracket for ${parent.side} ${quantity} ${parent.ticker} @ ${fillPrice}: ${placed.join(', ')}`,
      context: { orderId: parent.id },
    });
    // A leg that filled at once (the market had already moved through it) cancels its sibling now.
    for (const role of ['tp', 'sl'] as const) {
      const legOrder = await this.orders.findOneBy({ clientOrderId: `${parent.clientOrderId}:${role}${n}` });
      if (legOrder && legOrder.filledQuantity > 0) await this.onLegFill(legOrder, parent.clientOrderId, role, n);
    }
  }

  private manage(stop: FollowedStop): void {
    this.managed.set(`${stop.parentClientOrderId}:${stop.n}`, stop);
    this.managedTickers.add(stop.ticker);
  }

  /** Working legs of pair n in one role (a moved stop has replaced its first order). */
  private async workingLegs(parentClientOrderId: string, role: 'tp' | 'sl', n: number): Promise<Order[]> {
    const legs = await this.orders.findBy({
      clientOrderId: Like(`${parentClientOrderId}:${role}${n}%`),
      status: In(['pending', 'working']),
    });
    return legs.filter((o) => {
      const leg = LEG.exec(o.clientOrderId);
      return leg !== null && leg[1] === parentClientOrderId && leg[2] === role && Number(leg[3]) === n;
    });
  }

  /**
   * Moves managed stops with the market: cancel the working stop, place the tighter one. Cancel
   * first, so two stops never work at once and over-close the position; the moment in between is
   * one round trip to the broker.
   */
  private async followQuote(quote: Quote): Promise<void> {
    for (const [key, stop] of this.managed) {
      if (stop.ticker !== quote.ticker) continue;
      stop.best = bestPrice(stop, quote);
      const [working] = await this.workingLegs(stop.parentClientOrderId, 'sl', stop.n);
      if (!working || working.stopPrice === null) {
        this.managed.delete(key);
        continue;
      }
      const next = managedStopPrice(stop, working.stopPrice);
      if (next === null) continue;
      if (!(await this.router.cancel(working.clientOrderId, `stop moved to ${next}`))) continue;
      // What the stop filled before the cancel took is booked by now (an order's fills take their
      // turn before its cancel): the new stop covers only what is left, or the position would turn around.
      const cancelled = (await this.orders.findOneBy({ clientOrderId: working.clientOrderId })) ?? working;
      const left = cancelled.quantity - cancelled.filledQuantity;
      if (left <= 0) continue;
      stop.moves++;
      const moved = await this.resubmit(working, `${stop.parentClientOrderId}:sl${stop.n}.${stop.moves}`, left, next);
      const why = stop.breakEvenTicks !== null && next === stop.entryPrice ? 'break-even' : 'trailing';
      await this.logs.write({
        level: moved.status === 'rejected' ? 'error' : 'info',
        category: 'order',
        strategyId: working.strategyId,
        message: `stop loss moved (${why}) from ${working.stopPrice} to ${next} → ${legOutcome(moved, 'stop loss')}`,
        context: { orderId: moved.id },
      });
      if (moved.status === 'filled') await this.onLegFill(moved, stop.parentClientOrderId, 'sl', stop.n);
    }
  }

  /**
   * A leg filled, whole or a piece of it: the pair's other legs are cut to what is still held, so
   * the two never close more than the entry opened. A whole fill leaves nothing, and the other leg
   * is cancelled (one cancels the other); a piece leaves less, and a leg larger than that is
   * replaced by one for what is left at its own price (brokers here have no modify: cancel first,
   * so two never work at once for more than is held).
   */
  private async onLegFill(order: Order, parentClientOrderId: string, role: 'tp' | 'sl', n: number): Promise<void> {
    const bracket = await this.brackets.findOneBy({ parentClientOrderId });
    if (!bracket) return;
    const what = role === 'tp' ? 'take profit' : 'stop loss';
    let pair = await this.closable(order, await this.pairLegs(bracket, order.strategyId, n));
    if (pair.filledBy(order.id) === 0) return;
    if (pair.open === 0) this.managed.delete(`${parentClientOrderId}:${n}`);
    let cancelled = 0;
    for (const leg of pair.working) {
      if (leg.quantity - leg.filledQuantity <= pair.open) continue;
      const whole = pair.open === 0;
      const legWhat = bracketRole(leg.clientOrderId) === 'takeProfit' ? 'take profit' : 'stop loss';
      const reason = whole ? `${what} filled (one cancels the other)` : `${what} filled in part: ${legWhat} cut to ${pair.open}`;
      if (!(await this.router.cancel(leg.clientOrderId, reason))) continue;
      cancelled++;
      // A bracket cancelled meanwhile (a flatten, an exit) gets no new leg: its legs are being cancelled.
      if (whole || bracket.status !== 'open') continue;
      // What the leg filled before its cancel took is booked by now (an order's fills take their
      // turn before its cancel): the replacement covers what is held after it.
      pair = await this.closable(order, await this.pairLegs(bracket, order.strategyId, n));
      const left = pair.legs.find((o) => o.id === leg.id) ?? leg;
      const quantity = Math.min(pair.open, left.quantity - left.filledQuantity);
      if (quantity > 0) await this.replaceLeg(left, pair, quantity, reason);
    }
    if (cancelled > 0 && pair.open === 0) {
      await this.logs.write({
        level: 'info',
        category: 'order',
        strategyId: order.strategyId,
        message: `${what} filled: cancelled its ${role === 'tp' ? 'stop loss' : 'take profit'}`,
        context: { orderId: order.id },
      });
    }
    await this.closeIfDone(bracket);
  }

  /** A leg cut to `quantity`: the same order for less, as `<entry>:<role><n>.<k>`. */
  private async replaceLeg(leg: Order, pair: PairLegs, quantity: number, reason: string): Promise<void> {
    const [, parentClientOrderId, role, n] = LEG.exec(leg.clientOrderId)!;
    const k = pair.nextSuffix(role as 'tp' | 'sl');
    const followed = role === 'sl' ? this.managed.get(`${parentClientOrderId}:${n}`) : undefined;
    if (followed) followed.moves = Math.max(followed.moves, k);
    const placed = await this.resubmit(leg, `${parentClientOrderId}:${role}${n}.${k}`, quantity);
    await this.logs.write({
      level: placed.status === 'rejected' ? 'error' : 'info',
      category: 'order',
      strategyId: leg.strategyId,
      message: `${reason}: ${placed.side} ${placed.quantity} @ ${leg.stopPrice ?? leg.limitPrice} → ${legOutcome(placed, role === 'tp' ? 'take profit' : 'stop loss')}`,
      context: { orderId: placed.id },
    });
    if (placed.status === 'filled' || placed.filledQuantity > 0)
      await this.onLegFill(placed, parentClientOrderId, role as 'tp' | 'sl', Number(n));
  }

  /** A leg placed again as `clientOrderId` for `quantity`, at its own prices or, moved, at `stopPrice`. */
  private async resubmit(leg: Order, clientOrderId: string, quantity: number, stopPrice = leg.stopPrice): Promise<Order> {
    return this.router.submit({
      clientOrderId,
      account: await this.accounts.byIdOrFail(leg.accountId),
      strategyId: leg.strategyId,
      linkId: leg.linkId,
      eventId: leg.eventId,
      ticker: leg.ticker,
      side: leg.side,
      quantity,
      type: leg.type,
      ...(leg.limitPrice !== null ? { limitPrice: leg.limitPrice } : {}),
      ...(stopPrice !== null ? { stopPrice } : {}),
    });
  }

  /**
   * The pair, its `open` no more than the position its legs close still holds: an order that is no
   * leg of it (a partial exit) may have sold some of what its entry opened.
   */
  private async closable(leg: Order, pair: PairLegs): Promise<PairLegs> {
    const held = await this.positions.quantityHeld(leg.accountId, leg.linkId ?? leg.strategyId ?? NO_STRATEGY, leg.ticker);
    const room = leg.side === 'sell' ? Math.max(0, held) : Math.max(0, -held);
    return room >= pair.open ? pair : { ...pair, open: room };
  }

  /** Every order of leg pair n (both roles, moved and cut ones too), and how much of the pair is still held. */
  private async pairLegs(bracket: OrderBracket, strategyId: string | null, n: number): Promise<PairLegs> {
    const { parentClientOrderId } = bracket;
    // Legs are the entry's strategy's orders made since its bracket: read through the strategy's
    // index by time, not a scan of every order ever made (a prefix LIKE uses no index here).
    const candidates = await this.orders.findBy({
      strategyId: strategyId ?? IsNull(),
      createdAt: MoreThanOrEqual(bracket.createdAt - LEG_CLOCK_SLACK_MS),
      clientOrderId: Like(`${parentClientOrderId}:%`),
    });
    const legs = candidates.filter((o) => {
      const leg = LEG.exec(o.clientOrderId);
      return leg !== null && leg[1] === parentClientOrderId && Number(leg[3]) === n;
    });
    // The first legs are for what the entry's fill opened (a stop placed after a take profit that
    // filled a piece as it was placed is for less); what any leg filled since is closed.
    const opened = Math.max(0, ...legs.filter((o) => LEG.exec(o.clientOrderId)![4] === undefined).map((o) => o.quantity));
    const filled = legs.reduce((sum, o) => sum + o.filledQuantity, 0);
    const open = Math.max(0, opened - filled);
    return {
      legs,
      open,
      working: legs.filter((o) => o.status === 'pending' || o.status === 'working'),
      filledBy: (id) => legs.find((o) => o.id === id)?.filledQuantity ?? 0,
      nextSuffix: (role) =>
        1 +
        Math.max(
          0,
          ...legs
            .map((o) => LEG.exec(o.clientOrderId)!)
            .filter((leg) => leg[2] === role)
            .map((leg) => Number(leg[4] ?? 0)),
        ),
    };
  }

  /** Closed once the entry has fully filled and no leg is working any more. */
  private async closeIfDone(bracket: OrderBracket): Promise<void> {
    if (bracket.status !== 'open') return;
    const parent = await this.orders.findOneBy({ clientOrderId: bracket.parentClientOrderId });
    if (!parent || parent.filledQuantity < parent.quantity) return;
    const working = await this.orders.countBy({
      clientOrderId: Like(`${bracket.parentClientOrderId}:%`),
      status: In(['pending', 'working']),
    });
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
      await this.resumeManagedStops(bracket, parent);
    }
  }

  /** After a restart, stops that followed the market follow it again (from the entry: the best price since is not kept). */
  private async resumeManagedStops(bracket: OrderBracket, parent: Order): Promise<void> {
    if ((bracket.breakEvenTicks === null && bracket.trailingTicks === null) || parent.avgFillPrice === null) return;
    const legs = await this.orders.findBy({ clientOrderId: Like(`${parent.clientOrderId}:sl%`) });
    for (let n = 1; n <= bracket.legs; n++) {
      const pair = legs
        .map((o) => LEG.exec(o.clientOrderId))
        .filter((leg) => leg !== null && leg[1] === parent.clientOrderId && Number(leg[3]) === n);
      if (!(await this.workingLegs(parent.clientOrderId, 'sl', n)).length) continue;
      this.manage({
        parentClientOrderId: parent.clientOrderId,
        n,
        ticker: parent.ticker,
        entrySide: parent.side,
        entryPrice: parent.avgFillPrice,
        tickSize: this.market.instrument(parent.ticker).tickSize,
        breakEvenTicks: bracket.breakEvenTicks,
        trailingTicks: bracket.trailingTicks,
        best: parent.avgFillPrice,
        moves: Math.max(0, ...pair.map((leg) => Number(leg![4] ?? 0))),
      });
    }
  }

  private async setStatus(bracket: OrderBracket, status: OrderBracket['status']): Promise<void> {
    bracket.status = status;
    bracket.updatedAt = Date.now();
    await this.database.transaction(async (m) => {
      await m.update(
        OrderBracket,
        { parentClientOrderId: bracket.parentClientOrderId },
        { status, legs: bracket.legs, coveredQuantity: bracket.coveredQuantity, updatedAt: bracket.updatedAt },
      );
      const open = status === 'waiting' || status === 'open';
      this.database.onCommitted(m, () => this.openBrackets?.set(bracket.parentClientOrderId, bracket.strategyId, open));
    });
  }

  /** Whether the entry may have a bracket waiting or open (with several processes: any bracket, closed ones too). */
  private async hasOpen(parentClientOrderId: string): Promise<boolean> {
    if (this.openBrackets) return this.openBrackets.has(parentClientOrderId);
    return Boolean(await this.statements.get(undefined, HAS_BRACKET, [parentClientOrderId]));
  }

  private async anyOpenFor(strategyId: string | null): Promise<boolean> {
    if (this.openBrackets) return this.openBrackets.anyFor(strategyId);
    if (strategyId === null) return Boolean(await this.statements.get(undefined, HAS_OPEN_MANUAL_BRACKET, []));
    return Boolean(await this.statements.get(undefined, HAS_OPEN_BRACKET, [strategyId]));
  }
}
