import type { OrderSide } from '@tradeloop/contracts';
import { roundQuantity } from '@tradeloop/domain';

/**
 * How long an allowed order counts toward its account's limits while it has neither filled nor
 * ended. Bounded, so that an order a broker never answers cannot hold the room for ever: a limit
 * order resting longer is not counted, as before there was any of this.
 */
export const IN_FLIGHT_MS = 30_000;

interface Order {
  /** Signed quantity still to fill: positive buys, negative sells. */
  signed: number;
  until: number;
  /** The key of the position it moves (a link's, a strategy's, '' for manual), when told. */
  positionKey?: string;
  /** It brought its position toward flat when allowed: it counts only for that position (see pending). */
  closing?: boolean;
  /** A market order, which fills; a closing limit or stop may never (a bracket's two exits: one fills). */
  market?: boolean;
}

/**
 * Orders the risk check allowed that are not in the positions yet, by account and ticker. Orders
 * checked side by side — several strategies' alerts at once — each read the positions before any
 * of them filled; counting these beside the positions keeps them from all passing on the same
 * room. An order leaves when its fills are booked (what is left of it stays) or when it ends;
 * each leaving is counted per account, so a check that read the positions before it can tell and
 * read them again. Kept in memory: with several worker processes each counts its own, and the risk
 * service adds the others' (their opening orders from Redis: SharedOrdersInFlight; their market
 * orders from their rows: RiskService.readOrdersOnRecord).
 */
const NONE: ReadonlyMap<string, Map<string, Order>> = new Map();
const NO_FILLING: ReadonlyMap<string, number> = new Map();

export class OrdersInFlight {
  private readonly byAccount = new Map<string, Map<string, Map<string, Order>>>();
  private readonly placeOf = new Map<string, { accountId: string; ticker: string }>();
  private readonly landings = new Map<string, number>();
  private landingsAll = 0;
  /**
   * By account, a time at or before which none of its orders' time is over: checks look through
   * the account's orders for lapsed ones only once it has passed, not on every read (a check reads
   * them up to three times, and under a burst an account has hundreds in flight).
   */
  private readonly firstLapse = new Map<string, number>();

  constructor(private readonly holdMs = IN_FLIGHT_MS) {}

  /** Orders of the account that left the set so far: compare before and after reading its positions. */
  landed(accountId: string): number {
    return this.landings.get(accountId) ?? 0;
  }

  add(
    orderId: string,
    accountId: string,
    ticker: string,
    side: OrderSide,
    quantity: number,
    now: number,
    position?: { key: string; closing: boolean; market: boolean },
  ): void {
    let tickers = this.byAccount.get(accountId);
    if (!tickers) this.byAccount.set(accountId, (tickers = new Map()));
    let orders = tickers.get(ticker);
    if (!orders) tickers.set(ticker, (orders = new Map()));
    const until = now + this.holdMs;
    if (until < (this.firstLapse.get(accountId) ?? Infinity)) this.firstLapse.set(accountId, until);
    orders.set(orderId, {
      signed: side === 'buy' ? quantity : -quantity,
      until,
      ...(position ? { positionKey: position.key, closing: position.closing, market: position.market } : {}),
    });
    this.placeOf.set(orderId, { accountId, ticker });
  }

  /**
   * What the position's orders in flight still add in `side`'s direction — those that opened or
   * grew it, and closing market orders: the position as it will be once they fill, for deciding
   * whether an order closes or opens. Two closing orders read side by side (two flattens) both saw
   * the position as it was; the second is closing only for what the first leaves. A closing limit
   * or stop is left out: a bracket's take profit and stop loss both close the same contracts, and
   * only one of them will fill.
   */
  pending(accountId: string, positionKey: string, ticker: string, side: OrderSide, now: number): number {
    let sum = 0;
    for (const order of this.live(accountId, now).get(ticker)?.values() ?? []) {
      if (order.positionKey !== positionKey || (order.closing && !order.market)) continue;
      if (side === 'buy' ? order.signed > 0 : order.signed < 0) sum += order.signed;
    }
    return sum;
  }

  /**
   * What the position's market orders in flight the other way from `side` will move it by once
   * they fill (signed): an entry acked and not yet filled, which an order in `side` closes.
   */
  marketAgainst(accountId: string, positionKey: string, ticker: string, side: OrderSide, now: number): number {
    let sum = 0;
    for (const order of this.live(accountId, now).get(ticker)?.values() ?? []) {
      if (order.positionKey !== positionKey || !order.market) continue;
      if (side === 'buy' ? order.signed < 0 : order.signed > 0) sum += order.signed;
    }
    return sum;
  }

  /**
   * What the position's market orders in flight will move it by once they fill (signed), by ticker:
   * sent and not yet filled, they fill, unlike a resting limit or stop. The position they will leave
   * is what a signal's next order is sized on, or a second exit would sell again what the first sold.
   */
  marketFillingByTicker(accountId: string, positionKey: string, now: number): ReadonlyMap<string, number> {
    // Asked before every script call (every tick): an account with nothing in flight allocates nothing.
    const live = this.live(accountId, now);
    if (!live.size) return NO_FILLING;
    const out = new Map<string, number>();
    for (const [ticker, orders] of live) {
      for (const order of orders.values()) {
        if (order.positionKey === positionKey && order.market) out.set(ticker, (out.get(ticker) ?? 0) + order.signed);
      }
    }
    for (const [ticker, sum] of out) out.set(ticker, roundQuantity(sum));
    return out;
  }

  /**
   * The positions a market order in flight will move, in one account or in all: where a flatten
   * must look besides the positions on record, which do not hold an entry sent a moment ago yet.
   */
  marketFillingPositions(now: number, accountId?: string): { accountId: string; positionKey: string; ticker: string }[] {
    const out: { accountId: string; positionKey: string; ticker: string }[] = [];
    // The accounts copied first: looking through one drops its lapsed orders, and an emptied account.
    for (const account of accountId === undefined ? [...this.byAccount.keys()] : [accountId]) {
      for (const [ticker, orders] of this.live(account, now)) {
        const keys = new Set<string>();
        for (const order of orders.values()) if (order.market && order.positionKey !== undefined) keys.add(order.positionKey);
        for (const positionKey of keys) out.push({ accountId: account, positionKey, ticker });
      }
    }
    return out;
  }

  /** Orders that left the set so far, in every account. */
  get landedAll(): number {
    return this.landingsAll;
  }

  /** The order's fills are in the positions and `remaining` is still to fill, or (0) it ended. */
  land(orderId: string, remaining: number): void {
    const place = this.placeOf.get(orderId);
    if (!place) return;
    this.remove(orderId, place, remaining);
    this.landings.set(place.accountId, this.landed(place.accountId) + 1);
    this.landingsAll++;
  }

  /**
   * What the account's orders in flight in `ticker` still add in `side`'s direction (those the
   * other way may never fill), but the position `exceptKey`'s (already in what the caller counts).
   */
  toward(accountId: string, ticker: string, side: OrderSide, now: number, exceptKey?: string): number {
    let sum = 0;
    for (const order of this.live(accountId, now).get(ticker)?.values() ?? []) {
      if (order.closing || (exceptKey !== undefined && order.positionKey === exceptKey)) continue;
      if (side === 'buy' ? order.signed > 0 : order.signed < 0) sum += order.signed;
    }
    return sum;
  }

  /** The account's orders in flight that opened or grew a position, by ticker: the signed quantities still to fill. */
  on(accountId: string, now: number): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [ticker, orders] of this.live(accountId, now)) {
      let signed: number[] | undefined;
      for (const order of orders.values()) if (!order.closing) (signed ??= []).push(order.signed);
      if (signed) out.set(ticker, signed);
    }
    return out;
  }

  /** The account's orders in flight by ticker, once those whose time is over are dropped. */
  private live(accountId: string, now: number): ReadonlyMap<string, Map<string, Order>> {
    const tickers = this.byAccount.get(accountId);
    if (!tickers) return NONE;
    if (now < (this.firstLapse.get(accountId) ?? Infinity)) return tickers;
    let next = Infinity;
    for (const [ticker, orders] of tickers) {
      for (const [orderId, order] of orders) {
        if (order.until <= now) this.remove(orderId, { accountId, ticker }, 0);
        else next = Math.min(next, order.until);
      }
    }
    if (next === Infinity) this.firstLapse.delete(accountId);
    else this.firstLapse.set(accountId, next);
    return this.byAccount.get(accountId) ?? NONE;
  }

  /** Whether the order is counted here (allowed by this process, not yet landed or lapsed). */
  has(orderId: string): boolean {
    return this.placeOf.has(orderId);
  }

  /** How many orders are in flight (tests, diagnostics). */
  get size(): number {
    return this.placeOf.size;
  }

  private remove(orderId: string, place: { accountId: string; ticker: string }, remaining: number): void {
    const tickers = this.byAccount.get(place.accountId);
    const orders = tickers?.get(place.ticker);
    const order = orders?.get(orderId);
    if (!tickers || !orders || !order) return;
    if (remaining > 0) {
      order.signed = Math.sign(order.signed) * remaining;
      return;
    }
    orders.delete(orderId);
    this.placeOf.delete(orderId);
    if (!orders.size) tickers.delete(place.ticker);
    if (tickers.size) return;
    this.byAccount.delete(place.accountId);
    this.firstLapse.delete(place.accountId);
  }
}
