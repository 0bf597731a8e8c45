import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { quantityProblem, type KillSwitchState, type OrderSide, type RiskLimits, type ServerOrderType } from '@tradeloop/contracts';
import { increasesExposure, insideWindow, roundQuantity } from '@tradeloop/domain';
import { AccountRulesGate } from '../account-rules/account-rules.gate.js';
import type { Account } from '../accounts/account.entity.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { PositionsReader } from '../ledger/positions.reader.js';
import { SystemSettings } from '../settings/system-settings.service.js';
import { StrategiesReader } from '../strategies/strategies.reader.js';
import { IN_FLIGHT_MS, OrdersInFlight } from './orders-in-flight.js';
import { SHARED_ORDER_COUNTS, type SharedOrderCounts } from './shared-order-counts.js';
import { SHARED_ORDERS_IN_FLIGHT, type OrderInFlightElsewhere, type SharedOrdersInFlight } from './shared-orders-in-flight.js';

export interface RiskSubject {
  account: Account;
  strategyId: string | null;
  /** The key its position is held under: a link's id, the strategy's, or none (manual). */
  positionKey: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
  /** Its type: a closing market order will fill, a closing limit or stop may never (it has a sibling, or rests). */
  type?: ServerOrderType;
  /**
   * The order being checked. Once allowed, it counts toward its account's position limit and
   * contract rules until its fills are booked or it ends (OrdersInFlight).
   */
  orderId?: string;
}

/** A market order on record that may still fill, as the orders' reader answers it (see readOrdersOnRecord). */
export interface MarketOrderOnRecord {
  id: string;
  accountId: string;
  positionKey: string;
  ticker: string;
  /** What it will still move its position by once it fills: positive buys, negative sells. */
  signed: number;
  /** What of it has filled so far. */
  filled: number;
}

/** The market orders on record that may still fill, in one account or in all, created at or after `since`. */
export type MarketOrdersOnRecord = (where: { accountId?: string; since: number }) => Promise<MarketOrderOnRecord[]>;

const KILL_SWITCH = 'killSwitch';
const MINUTE_MS = 60_000;

/**
 * The hard limits every order passes before it reaches a broker: the kill switch, a halted
 * strategy or account, order and position size, orders per minute and the trading window — of the
 * strategy and of the account, each falling back to the configured defaults (`risk:`) for the
 * sizes. An order that only brings a position toward flat always passes: a limit never keeps a
 * trader in a trade. The answer is the reason for a refusal, in words, or null.
 */
@Injectable()
export class RiskService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly console = new Logger(RiskService.name);
  private giveBackFailing = false;
  private landFailing = false;
  /**
   * With several processes: the orders this process counted in flight on Redis, oldest first, by
   * id, with their account (to take them off there if they are never sent) until their time is over.
   */
  private readonly reserved = new Map<string, { accountId: string; until: number }>();
  /** Order times in the last minute, by `strategy:<id>` / `account:<id>`. */
  private readonly recentOrders = new Map<string, number[]>();
  /**
   * The orders counted toward an orders-a-minute limit in the last minute, oldest first: which
   * counts each took (and whether on Redis too), so that one that never reaches a broker gives
   * them back (forget).
   */
  private readonly counted = new Map<string, { keys: string[]; at: number; shared: boolean }>();
  /** Allowed orders not yet in the positions. */
  private readonly inFlight = new OrdersInFlight();
  private readonly stops: (() => void)[] = [];
  /**
   * With several processes (Redis): the market orders on record. An order another process sent
   * is not among this process's orders in flight — a worker's entry on its way, then a flatten,
   * or the strategy's next alert, taken by another worker — so those are read besides them.
   */
  private onRecord: MarketOrdersOnRecord | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly positions: PositionsReader,
    private readonly strategies: StrategiesReader,
    private readonly settings: SystemSettings,
    private readonly accountRules: AccountRulesGate,
    private readonly events: DomainEvents,
    /** With several processes (Redis): orders a minute as they all count them. */
    @Optional() @Inject(SHARED_ORDER_COUNTS) private readonly shared: SharedOrderCounts | null = null,
    /** With several processes (Redis): the orders in flight as they all see them. */
    @Optional() @Inject(SHARED_ORDERS_IN_FLIGHT) private readonly sharedInFlight: SharedOrdersInFlight | null = null,
  ) {}

  onModuleInit(): void {
    this.stops.push(
      // Published once the fill's position is committed: from now on the positions hold it. With
      // several processes the shared count follows, after the commit: a check that reads both in
      // between counts the fill twice (refuses too soon), never not at all.
      this.events.on('FillBooked', ({ order }) => {
        this.inFlight.land(order.id, order.quantity - order.filledQuantity);
        this.landShared(order.accountId, order.id, order.quantity - order.filledQuantity);
      }),
      this.events.on('OrderSettled', ({ order }) => {
        this.inFlight.land(order.id, 0);
        if (order.filledQuantity < order.quantity) this.landShared(order.accountId, order.id, 0);
      }),
    );
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.shared?.close(), this.sharedInFlight?.close()]);
  }

  /** Read from the database every time: with several processes, any of them may have engaged it. */
  async killSwitchState(): Promise<KillSwitchState> {
    const stored = await this.settings.read(KILL_SWITCH);
    return stored !== null ? (JSON.parse(stored) as KillSwitchState) : { engaged: false, since: null, reason: null };
  }

  async setKillSwitch(engaged: boolean, reason: string | null): Promise<KillSwitchState> {
    const state: KillSwitchState = { engaged, since: engaged ? Date.now() : null, reason: engaged ? reason : null };
    await this.settings.write(KILL_SWITCH, state);
    return state;
  }

  async check(subject: RiskSubject, now = Date.now(), attempt = 0): Promise<string | null> {
    const { account, positionKey, ticker, side, quantity } = subject;
    // No order of any kind may be nonsense: not a number, or beyond what any position may be.
    const malformed = quantityProblem(quantity);
    if (malformed) return malformed;
    const landedBefore = this.inFlight.landed(account.id);
    const held = await this.positions.quantityHeld(account.id, positionKey, ticker);
    // An order of this position that landed in it meanwhile is in neither what was read nor the
    // orders in flight: read again.
    if (this.inFlight.landed(account.id) !== landedBefore && attempt < 3) return this.check(subject, now, attempt + 1);
    // The position as it will be once its orders in flight this way fill: of orders checked side
    // by side (two flattens, a burst of alerts), each sees the room the ones before it took.
    const current = held + this.inFlight.pending(account.id, positionKey, ticker, side, now);
    // A market order on its way the other way (an entry acked, its fill not in yet) fills: what it
    // opens, this order closes. A flatten of it under the kill switch or a lock is a close.
    const onceFilled = roundQuantity(current + this.inFlight.marketAgainst(account.id, positionKey, ticker, side, now));
    // Closing is never refused; it counts for its position until it fills.
    if (!increasesExposure(current, side, quantity) || !increasesExposure(onceFilled, side, quantity)) return this.closing(subject, now);
    const refusal = await this.opening(subject, current, landedBefore, now, attempt);
    // With several processes, another one's market order the other way is on record only.
    if (refusal !== null && this.onRecord && (await this.closesOnRecord(subject, now))) return this.closing(subject, now);
    return refusal;
  }

  /** An order that brings its position toward flat: allowed, and counted for it until it fills. */
  private closing({ account, positionKey, ticker, side, quantity, orderId, type }: RiskSubject, now: number): null {
    if (orderId)
      this.inFlight.add(orderId, account.id, ticker, side, quantity, now, { key: positionKey, closing: true, market: type === 'market' });
    return null;
  }

  /**
   * Whether the order closes what its position will hold once the market orders on record fill,
   * this process's and another's (but this order's own row, written while it is checked).
   */
  private async closesOnRecord({ account, positionKey, ticker, side, quantity, orderId }: RiskSubject, now: number): Promise<boolean> {
    const [held, recorded] = await this.readBesideRecord(
      () => this.inFlight.landed(account.id),
      () => this.positions.quantityHeld(account.id, positionKey, ticker),
      account.id,
      now,
    );
    let onceFilled = held + (this.inFlight.marketFillingByTicker(account.id, positionKey, now).get(ticker) ?? 0);
    for (const order of recorded) {
      if (order.positionKey === positionKey && order.ticker === ticker && order.id !== orderId && !this.inFlight.has(order.id))
        onceFilled += order.signed;
    }
    return !increasesExposure(roundQuantity(onceFilled), side, quantity);
  }

  /**
   * The limits of an order that opens or grows its position: the reason for a refusal, or null
   * (and it counts in flight). With several processes it counts in flight on Redis first, and is
   * held to the limits with the orders in flight there before it, the other processes' too.
   */
  private async opening(subject: RiskSubject, current: number, landedBefore: number, now: number, attempt: number): Promise<string | null> {
    const { account, positionKey, ticker, side, quantity, orderId, type } = subject;
    if (!this.sharedInFlight || !orderId) return this.openingHeld(subject, current, landedBefore, now, attempt, []);
    let before: OrderInFlightElsewhere[];
    try {
      const signed = side === 'buy' ? quantity : -quantity;
      before = await this.sharedInFlight.reserve(
        account.id,
        { id: orderId, ticker, positionKey, signed, market: type === 'market' },
        now,
        now + IN_FLIGHT_MS,
      );
      for (const [id, { until }] of this.reserved) {
        if (until > now) break;
        this.reserved.delete(id);
      }
      this.reserved.delete(orderId);
      this.reserved.set(orderId, { accountId: account.id, until: now + IN_FLIGHT_MS });
    } catch (error) {
      return `the account's orders not yet filled could not be read across processes (Redis: ${(error as Error).message})`;
    }
    // Read again after the orders in flight: a fill another process booked is in the positions
    // before it leaves those (see onModuleInit), so read in this order it is counted once or twice.
    let refusal: string | null;
    try {
      const landedAgain = this.inFlight.landed(account.id);
      const held = await this.positions.quantityHeld(account.id, positionKey, ticker);
      const again = held + this.inFlight.pending(account.id, positionKey, ticker, side, now);
      refusal = await this.openingHeld(subject, again, landedAgain, now, attempt, before);
    } catch (error) {
      // Not allowed, so not in flight: a read that failed leaves no room taken behind it.
      this.releaseShared(orderId);
      throw error;
    }
    if (refusal !== null) this.releaseShared(orderId);
    return refusal;
  }

  /** An order reserved on Redis that will not be sent (refused, or never on record): it stops counting there. */
  private releaseShared(orderId: string): void {
    const reserved = this.reserved.get(orderId);
    if (reserved === undefined) return;
    this.reserved.delete(orderId);
    this.landShared(reserved.accountId, orderId, 0);
  }

  private landShared(accountId: string, orderId: string, remaining: number): void {
    if (!this.sharedInFlight) return;
    if (remaining <= 0) this.reserved.delete(orderId);
    this.sharedInFlight.land(accountId, orderId, remaining).then(
      () => (this.landFailing = false),
      (error: unknown) => {
        // It lapses with its time in flight. Said once while Redis fails, not once an order.
        if (!this.landFailing)
          this.console.warn(`orders no longer in flight still count on Redis until their time is over: ${(error as Error).message}`);
        this.landFailing = true;
      },
    );
  }

  /**
   * The orders in flight on Redis before this one that this process does not count itself (its
   * own are in `inFlight`; asked at each use, as a check of its own may have added one meanwhile).
   */
  private elsewhere(before: readonly OrderInFlightElsewhere[], accountId: string, now: number): OrdersInFlight {
    const others = new OrdersInFlight();
    for (const order of before) {
      if (this.inFlight.has(order.id)) continue;
      const side = order.signed > 0 ? 'buy' : 'sell';
      others.add(order.id, accountId, order.ticker, side, Math.abs(order.signed), now, {
        key: order.positionKey,
        closing: false,
        market: order.market,
      });
    }
    return others;
  }

  private async openingHeld(
    subject: RiskSubject,
    current: number,
    landedBefore: number,
    now: number,
    attempt: number,
    before: readonly OrderInFlightElsewhere[],
  ): Promise<string | null> {
    const { account, strategyId, positionKey, ticker, side, quantity, orderId, type } = subject;
    const pendingElsewhere = before.length
      ? this.elsewhere(before, account.id, now).pending(account.id, positionKey, ticker, side, now)
      : 0;
    const after = current + pendingElsewhere + (side === 'buy' ? quantity : -quantity);

    if ((await this.killSwitchState()).engaged) return 'the kill switch is engaged: only orders that reduce a position are allowed';
    const strategy = strategyId ? await this.strategies.byId(strategyId) : null;
    if (strategy?.haltedUntil && strategy.haltedUntil > now)
      return `strategy "${strategy.name}" is halted until ${new Date(strategy.haltedUntil).toISOString()}: ${strategy.statusReason ?? 'a daily limit was hit'}`;
    if (account.haltedUntil && account.haltedUntil > now)
      return `account "${account.name}" is halted until ${new Date(account.haltedUntil).toISOString()}: a daily limit was hit`;
    const rules = await this.accountRules.prepare({ accountId: account.id, ticker, side, quantity });
    const ruled = rules(new Map(), now);
    if (ruled) return `account "${account.name}": ${ruled}`;

    const defaults: RiskLimits = { ...this.config.risk };
    const scopes: [string, RiskLimits][] = [
      ...(strategy ? [[`strategy "${strategy.name}"`, { ...defaults, ...(strategy.risk ?? {}) }] as [string, RiskLimits]] : []),
      [`account "${account.name}"`, { ...defaults, ...(account.risk ?? {}) }],
    ];
    let accountCap: { scope: string; max: number; net: number } | null = null;
    for (const [scope, limits] of scopes) {
      const problem = await this.checkLimits(scope, limits, { positionKey, ticker, after, quantity }, now);
      if (problem) return problem;
      if (scope.startsWith('account') && limits.maxPositionSize !== undefined) {
        accountCap = { scope, max: limits.maxPositionSize, net: await this.accountNet(account.id, ticker, positionKey, after) };
      }
    }

    // From here on nothing awaits until the order counts in flight: the room an order is allowed on
    // is the room it takes. An order that landed in the positions meanwhile is in neither what was
    // read nor the orders in flight: read again.
    if (this.inFlight.landed(account.id) !== landedBefore && attempt < 3) return this.check(subject, now, attempt + 1);
    const others = before.length ? this.elsewhere(before, account.id, now) : null;
    const inFlight = this.inFlight.on(account.id, now);
    if (others)
      for (const [symbol, signed] of others.on(account.id, now)) inFlight.set(symbol, [...(inFlight.get(symbol) ?? []), ...signed]);
    if (inFlight.size) {
      const ruledInFlight = rules(inFlight, now);
      if (ruledInFlight) return `account "${account.name}": ${ruledInFlight} (with the account's orders not yet filled)`;
    }
    if (accountCap) {
      // This position's orders in flight are in `net` already (through `after`).
      const toward =
        this.inFlight.toward(account.id, ticker, side, now, positionKey) +
        (others?.toward(account.id, ticker, side, now, positionKey) ?? 0);
      const size = Math.abs(accountCap.net + toward);
      if (size > accountCap.max)
        return `${accountCap.scope} may hold at most ${accountCap.max} in ${ticker}; this order would make it ${size}`;
    }
    const limited = scopes
      .map(([scope, limits]) => ({
        scope,
        limit: limits.maxOrdersPerMinute,
        key: scope.startsWith('account') ? `account:${account.id}` : `strategy:${strategyId}`,
      }))
      .filter((s): s is { scope: string; limit: number; key: string } => s.limit !== undefined);
    const counted = orderId ?? randomUUID();
    const rate = this.takeOrderAllowance(limited, now, counted);
    if (rate) return rate;
    if (orderId)
      this.inFlight.add(orderId, account.id, ticker, side, quantity, now, { key: positionKey, closing: false, market: type === 'market' });
    // Allowed here, and counted in flight before the await below: an order this process checks
    // meanwhile sees the room this one takes.
    if (this.shared && limited.length) return this.takeSharedAllowance(limited, now, counted);
    return null;
  }

  /**
   * Orders a minute as every process counts them: another worker may take the same strategy's or
   * account's orders at the same moment. A refusal, or a Redis that cannot count, gives back what
   * this process counted and leaves the order out of the orders in flight.
   */
  private async takeSharedAllowance(
    limited: { scope: string; limit: number; key: string }[],
    now: number,
    orderId: string,
  ): Promise<string | null> {
    let refusal: string;
    try {
      const at = await this.shared!.take(limited, orderId, now, MINUTE_MS);
      const counted = this.counted.get(orderId);
      if (at < 0 && counted) {
        counted.shared = true;
        return null;
      }
      // Forgotten while it was counted (its row could not be written): it never was.
      if (at < 0) {
        this.giveBackShared(
          limited.map((s) => s.key),
          orderId,
        );
        return null;
      }
      refusal = `${limited[at].scope} may place at most ${limited[at].limit} orders a minute`;
    } catch (error) {
      // Had Redis counted it before its answer was lost, that count lapses with its minute.
      refusal = `the orders a minute could not be counted across processes (Redis: ${(error as Error).message})`;
    }
    this.forget(orderId);
    return refusal;
  }

  private giveBackShared(keys: string[], orderId: string): void {
    this.shared?.giveBack(keys, orderId).then(
      () => (this.giveBackFailing = false),
      (error: unknown) => {
        // It lapses with its minute. Said once while Redis fails, not once an order.
        if (!this.giveBackFailing)
          this.console.warn(
            `orders that never reached a broker still count toward orders a minute, for a minute: ${(error as Error).message}`,
          );
        this.giveBackFailing = true;
      },
    );
  }

  /** With several processes, where the market orders on record are read (the orders' reader). */
  readOrdersOnRecord(source: MarketOrdersOnRecord): void {
    this.onRecord = source;
  }

  /**
   * What `read` answers (a position as the ledger holds it) beside what the position's market
   * orders allowed and not yet filled will add, by ticker (see OrdersInFlight.marketFillingByTicker). An
   * order whose fill lands in the ledger during the read would be in both or in neither: read again,
   * as the check does.
   */
  async withMarketFilling<T>(
    accountId: string,
    positionKey: string,
    read: () => Promise<T>,
    now = Date.now(),
  ): Promise<[T, ReadonlyMap<string, number>]> {
    const [value, recorded] = await this.readBesideRecord(() => this.inFlight.landed(accountId), read, accountId, now);
    const here = this.inFlight.marketFillingByTicker(accountId, positionKey, now);
    let filling: Map<string, number> | null = null;
    for (const order of recorded) {
      if (order.positionKey !== positionKey || this.inFlight.has(order.id)) continue;
      filling ??= new Map(here);
      filling.set(order.ticker, roundQuantity((filling.get(order.ticker) ?? 0) + order.signed));
    }
    return [value, filling ?? here];
  }

  /**
   * What `read` answers (positions as the ledger holds them, in one account or in all) beside the
   * positions a market order allowed and not yet filled will move (see
   * OrdersInFlight.marketFillingPositions); read again if a fill lands during the read, as above.
   */
  async withPositionsFilling<T>(
    read: () => Promise<T>,
    accountId?: string,
    now = Date.now(),
  ): Promise<[T, { accountId: string; positionKey: string; ticker: string }[]]> {
    const [value, recorded] = await this.readBesideRecord(() => this.inFlight.landedAll, read, accountId, now);
    const positions = this.inFlight.marketFillingPositions(now, accountId);
    if (!recorded.length) return [value, positions];
    const listed = new Set(positions.map((p) => `${p.accountId}\n${p.positionKey}\n${p.ticker}`));
    for (const { accountId: account, positionKey, ticker } of recorded) {
      const key = `${account}\n${positionKey}\n${ticker}`;
      if (listed.has(key)) continue;
      listed.add(key);
      positions.push({ accountId: account, positionKey, ticker });
    }
    return [value, positions];
  }

  /**
   * `read` between two reads of the market orders on record (in the account, or in all) that may
   * still fill, again (three times at most) while they differ — a fill booked by any process moves
   * an order's fill and the position in one commit, so it is then in what was read and in the
   * orders, or in neither — or while one of this process's orders landed during it (see
   * readWhileSettled). Answers the later read of the orders, none with one process (its orders in
   * flight are all it has); what the caller takes from the orders in flight right after (no await
   * between) agrees.
   */
  private async readBesideRecord<T>(
    landed: () => number,
    read: () => Promise<T>,
    accountId: string | undefined,
    now: number,
  ): Promise<[T, MarketOrderOnRecord[]]> {
    const onRecord = this.onRecord;
    if (!onRecord) return [await this.readWhileSettled(landed, read), []];
    const where = { accountId, since: now - IN_FLIGHT_MS };
    for (let attempt = 0; ; attempt++) {
      const before = await onRecord(where);
      const landedBefore = landed();
      const value = await read();
      const after = await onRecord(where);
      if ((landed() === landedBefore && unchanged(before, after)) || attempt >= 3) return [value, after];
    }
  }

  /**
   * `read` again (three times at most) while an order left the orders in flight during it, as
   * `landed` counts them: its fill would be in both what was read and the orders in flight, or in
   * neither. What the caller takes from the orders in flight right after (no await between) agrees.
   */
  private async readWhileSettled<T>(landed: () => number, read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const before = landed();
      const value = await read();
      if (landed() === before || attempt >= 3) return value;
    }
  }

  /** The position as it will be once its market orders allowed and not yet filled have filled. */
  async positionOnceFilled(accountId: string, positionKey: string, ticker: string, now = Date.now()): Promise<number> {
    const [held, filling] = await this.withMarketFilling(
      accountId,
      positionKey,
      () => this.positions.quantityHeld(accountId, positionKey, ticker),
      now,
    );
    const pending = filling.get(ticker) ?? 0;
    return pending === 0 ? held : roundQuantity(held + pending);
  }

  /**
   * An allowed order that will never reach a broker (its row could not be written, or an order of
   * the same client id was on record already) stops counting: in flight, and in the orders a minute.
   */
  forget(orderId: string): void {
    this.inFlight.land(orderId, 0);
    this.releaseShared(orderId);
    const counted = this.counted.get(orderId);
    if (!counted) return;
    this.counted.delete(orderId);
    if (counted.shared) this.giveBackShared(counted.keys, orderId);
    for (const key of counted.keys) {
      const times = this.recentOrders.get(key);
      const at = times?.lastIndexOf(counted.at) ?? -1;
      if (at >= 0) times!.splice(at, 1);
    }
  }

  /**
   * Orders a minute, checked and counted in one step with no await between them: the orders of
   * several strategies on one account are checked side by side, and a count taken after an await
   * let two of them through on the last place left. Counted only once every other limit allowed
   * the order: a refused order does not use up the allowance.
   */
  private takeOrderAllowance(limited: { scope: string; limit: number; key: string }[], now: number, orderId: string): string | null {
    for (const { scope, limit, key } of limited) {
      if (this.recent(key, now) >= limit) return `${scope} may place at most ${limit} orders a minute`;
    }
    for (const { key } of limited) this.count(key, now);
    if (limited.length) {
      // Older than a minute, a count has lapsed anyway: nothing left to give back.
      for (const [id, { at }] of this.counted) {
        if (at > now - MINUTE_MS) break;
        this.counted.delete(id);
      }
      this.counted.set(orderId, { keys: limited.map((s) => s.key), at: now, shared: false });
    }
    return null;
  }

  /** The limits of one scope but the account's position limit and orders a minute, which are decided last, at once. */
  private async checkLimits(
    scope: string,
    limits: RiskLimits,
    at: { positionKey: string; ticker: string; after: number; quantity: number },
    now: number,
  ): Promise<string | null> {
    const zone = limits.timeZone ?? this.config.pnl.timeZone;
    if (limits.tradingWindow && !insideWindow(now, { ...limits.tradingWindow, timeZone: zone })) {
      return `${scope} trades only between ${limits.tradingWindow.start} and ${limits.tradingWindow.end} (${zone}): only orders that reduce a position are allowed now`;
    }
    if (limits.maxOrderQuantity !== undefined && at.quantity > limits.maxOrderQuantity) {
      return `${scope} may order at most ${limits.maxOrderQuantity} at once; this order is ${at.quantity}`;
    }
    if (limits.maxPositionSize !== undefined && !scope.startsWith('account')) {
      const size = Math.abs(at.after);
      if (size > limits.maxPositionSize)
        return `${scope} may hold at most ${limits.maxPositionSize} in ${at.ticker}; this order would make it ${size}`;
    }
    return null;
  }

  /** The account's net position in a ticker after the order: every strategy, link and manual position there. */
  private async accountNet(accountId: string, ticker: string, positionKey: string, after: number): Promise<number> {
    return (await this.positions.netQuantity(accountId, ticker, positionKey)) + after;
  }

  private recent(key: string, now: number): number {
    const times = (this.recentOrders.get(key) ?? []).filter((t) => t > now - MINUTE_MS);
    this.recentOrders.set(key, times);
    return times.length;
  }

  private count(key: string, now: number): void {
    this.recent(key, now);
    this.recentOrders.get(key)!.push(now);
  }
}

/**
 * No fill was booked between the two reads of the orders on record: each order of the first is in
 * the second with as much left to fill, and an order only in the second (sent meanwhile) has no fill.
 */
function unchanged(before: readonly MarketOrderOnRecord[], after: readonly MarketOrderOnRecord[]): boolean {
  const earlier = new Map(before.map((o) => [o.id, o.signed]));
  for (const order of after) {
    const was = earlier.get(order.id);
    if (was === undefined ? order.filled !== 0 : was !== order.signed) return false;
    earlier.delete(order.id);
  }
  return earlier.size === 0;
}
