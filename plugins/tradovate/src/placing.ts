import type { BracketAck, BracketExits, OrderAck, OrderRequest, OrderSide, OrderType, TimeInForce } from '@tradeloop/contracts';
import { orderRequestProblem } from '@tradeloop/contracts';
import { refusalOf, type CommandAnswer } from './answers.js';
import type { FillSync } from './fills.js';
import { waitUntil, type BrokerKit } from './kit.js';
import { isFinal, type OrderBook, type Tracked } from './order-book.js';
import { CL_ORD_PREFIX, type Recognizer } from './recognition.js';
import type { Route, Router } from './routing.js';
import type { TradovateError } from './rest.js';
import type { Session } from './session.js';

const ORDER_TYPES: Record<OrderType, string> = { market: 'Market', limit: 'Limit', stop: 'Stop' };
/** Tradovate's `timeInForce` values (Day, FOK, GTC, GTD, IOC); an order without one takes the plugin's setting. */
const TIME_IN_FORCE: Record<TimeInForce, string> = { day: 'Day', gtc: 'GTC', ioc: 'IOC', fok: 'FOK' };

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Why an order cannot be sent at all, or undefined if it is well-formed. */
export function invalidOrder(order: OrderRequest): string | undefined {
  const problem = orderRequestProblem(order);
  if (problem) return problem;
  if (!Number.isInteger(order.quantity)) return `quantity must be a whole number of contracts, got ${order.quantity}`;
  if (order.timeInForce !== undefined && !Object.hasOwn(TIME_IN_FORCE, order.timeInForce)) {
    return `timeInForce must be one of ${Object.keys(TIME_IN_FORCE).join(', ')}, got ${JSON.stringify(order.timeInForce)}`;
  }
  return undefined;
}

type Prepared = { ok: true; route: Route; body: Record<string, unknown> } | { ok: false; problem: string };

/**
 * Places, brackets and cancels orders through the REST API. Before sending, it makes sure the
 * order is not already at Tradovate (an order recognised after a restart is answered from what
 * Tradovate says, never sent twice); after, it waits briefly for Tradovate's verdict.
 */
export class Placer {
  constructor(
    private readonly kit: BrokerKit,
    private readonly book: OrderBook,
    private readonly router: Router,
    private readonly recognizer: Recognizer,
    private readonly fills: FillSync,
  ) {}

  async place(order: OrderRequest): Promise<OrderAck> {
    const reason = invalidOrder(order);
    if (reason) return this.rejected(reason);
    const prepared = await this.prepare(order);
    if (!prepared.ok) return this.rejected(prepared.problem);
    const known = await this.alreadyThere(order, prepared.route.session);
    if (known) return this.book.ackOf(known);
    const tracked = this.book.track(order, prepared.route.session);
    const result = await this.submit(tracked, prepared.route, 'order/placeorder', prepared.body);
    if (result.failure !== undefined) return this.settleRejected(tracked, result.failure);
    return this.awaitAck(tracked);
  }

  async placeWithExits(order: OrderRequest, exits: BracketExits): Promise<BracketAck> {
    const reason =
      invalidOrder(order) ??
      (exits.takeProfit === undefined && exits.stopLoss === undefined ? 'a bracket needs a takeProfit, a stopLoss or both' : undefined) ??
      (exits.takeProfit !== undefined && !isPositive(exits.takeProfit)
        ? `takeProfit must be a price above 0, got ${exits.takeProfit}`
        : undefined) ??
      (exits.stopLoss !== undefined && !isPositive(exits.stopLoss) ? `stopLoss must be a price above 0, got ${exits.stopLoss}` : undefined);
    if (reason) return { entry: this.rejected(reason) };
    const prepared = await this.prepare(order);
    if (!prepared.ok) return { entry: this.rejected(prepared.problem) };
    const { session } = prepared.route;
    const known = await this.alreadyThere(order, session);
    if (known) return { entry: this.book.ackOf(known) };
    const entry = this.book.track(order, session);
    const exitSide: OrderSide = order.side === 'buy' ? 'sell' : 'buy';
    const action = exitSide === 'buy' ? 'Buy' : 'Sell';
    const legs: Tracked[] = [];
    const body: Record<string, unknown> = { ...prepared.body };
    const leg = (kind: 'tp' | 'sl') => {
      const t = this.book.track(
        { ...order, clientOrderId: `${order.clientOrderId}:${kind}`, side: exitSide, type: kind === 'tp' ? 'limit' : 'stop' },
        session,
      );
      t.acked = true;
      t.nameAccount = true;
      t.legKind = kind;
      legs.push(t);
      return t;
    };
    if (exits.takeProfit !== undefined) {
      leg('tp');
      body.bracket1 = { action, orderType: 'Limit', price: exits.takeProfit };
    }
    if (exits.stopLoss !== undefined) {
      leg('sl');
      body[legs.length === 1 ? 'bracket1' : 'bracket2'] = { action, orderType: 'Stop', stopPrice: exits.stopLoss };
    }
    entry.pendingLegs = [...legs];
    const result = await this.submit(entry, prepared.route, 'order/placeOSO', body, (answer) => {
      // Link the legs whose ids came back; some answers leave oso2Id null: those are found from their parentId.
      [answer.oso1Id, answer.oso2Id].forEach((orderId, i) => {
        if (typeof orderId === 'number' && legs[i]) this.book.link(legs[i]!, orderId);
      });
      entry.pendingLegs = legs.filter((l) => l.orderId === undefined);
    });
    if (result.failure !== undefined) {
      for (const l of legs) this.settleRejected(l, result.failure);
      return { entry: this.settleRejected(entry, result.failure) };
    }
    const ack = await this.awaitAck(entry);
    const idOf = (kind: 'tp' | 'sl') => legs.find((l) => l.legKind === kind)?.orderId;
    return {
      entry: ack,
      ...(idOf('tp') !== undefined ? { takeProfitOrderId: String(idOf('tp')) } : {}),
      ...(idOf('sl') !== undefined ? { stopLossOrderId: String(idOf('sl')) } : {}),
    };
  }

  async cancel(clientOrderId: string): Promise<boolean> {
    const tracked = this.book.byClient.get(clientOrderId);
    if (!tracked?.orderId || isFinal(tracked)) return false;
    let result: CommandAnswer | null;
    try {
      result = await tracked.session.call<CommandAnswer | null>('POST', 'order/cancelorder', {
        body: { orderId: tracked.orderId, isAutomated: true },
        order: true,
      });
    } catch (error) {
      this.kit.logger.warn(`cancelling ${clientOrderId} (Tradovate order ${tracked.orderId}) failed: ${this.kit.safe(error)}`);
      return false;
    }
    const refusal = refusalOf(result, 'any-id');
    if (refusal !== undefined) {
      this.kit.logger.warn(`Tradovate refused to cancel ${clientOrderId}: ${this.kit.redact(refusal)}`);
      return false;
    }
    await this.book.until(tracked, () => isFinal(tracked), this.kit.settings.ackTimeoutMs);
    if (tracked.state === 'filled') return false;
    if (tracked.state !== 'cancelled') {
      // Accepted; Tradovate's confirmation is still on its way.
      tracked.state = 'cancelled';
      this.book.notify(tracked);
    }
    tracked.finalReported = true;
    return true;
  }

  /**
   * An order the server sends again (after a restart, a redelivered alert) may be at Tradovate
   * already: recognised once this session has synced and its events are handled.
   */
  private async alreadyThere(order: OrderRequest, session: Session): Promise<Tracked | undefined> {
    if (!session.synced) await waitUntil(() => session.synced, this.kit.settings.requestTimeoutMs);
    await this.kit.idle();
    return this.book.byClient.get(order.clientOrderId);
  }

  private async prepare(order: OrderRequest): Promise<Prepared> {
    let symbol: string;
    try {
      symbol = this.router.contractFor(order.ticker);
    } catch (error) {
      return { ok: false, problem: (error as Error).message };
    }
    const route = await this.router.route(order.brokerAccountId);
    if (!route.ok) return route;
    const body: Record<string, unknown> = {
      accountSpec: route.tvAccount.name,
      accountId: route.tvAccount.id,
      clOrdId: `${CL_ORD_PREFIX}${order.clientOrderId}`,
      action: order.side === 'buy' ? 'Buy' : 'Sell',
      symbol,
      orderQty: order.quantity,
      orderType: ORDER_TYPES[order.type],
      ...(order.type === 'limit' ? { price: order.limitPrice } : {}),
      ...(order.type === 'stop' ? { stopPrice: order.stopPrice } : {}),
      timeInForce: order.timeInForce ? TIME_IN_FORCE[order.timeInForce] : this.kit.settings.timeInForce,
      isAutomated: true,
    };
    return { ok: true, route, body };
  }

  /** Sends the order; `failure` is the reason in words when Tradovate did not take it. */
  private async submit(
    tracked: Tracked,
    route: Route,
    path: string,
    body: Record<string, unknown>,
    onPlaced?: (answer: CommandAnswer) => void,
  ): Promise<{ failure?: string }> {
    this.fills.inFlight++;
    tracked.sentAt = Date.now();
    try {
      let answer: CommandAnswer | string | null;
      try {
        answer = await tracked.session.call<CommandAnswer | string | null>('POST', path, { body, order: true });
      } catch (error) {
        const err = error as TradovateError;
        if (err.kind === 'timeout') {
          // The order may have reached Tradovate: find it by its clOrdId, or by its fields.
          const orderId = await this.recognizer.findPlaced(tracked, route.tvAccount.id, this.kit.settings.ackTimeoutMs);
          if (orderId !== undefined) {
            this.book.link(tracked, orderId);
            return {};
          }
          return { failure: `${this.kit.safe(error)}; it was not seen arriving either — check Tradovate before sending it again` };
        }
        return { failure: `Tradovate did not take the order: ${this.kit.safe(error)}` };
      }
      const refusal = refusalOf(answer, 'orderId');
      if (refusal !== undefined) return { failure: `Tradovate rejected the order: ${refusal}` };
      const placed = answer as CommandAnswer;
      this.book.link(tracked, placed.orderId!);
      onPlaced?.(placed);
      return {};
    } finally {
      this.fills.inFlight--;
      // Events that waited for this answer (a fill of an order not yet known) can be placed now.
      this.kit.enqueue(() => this.fills.sweep(tracked.session));
    }
  }

  /** Waits until Tradovate has said working (limit, stop), filled or rejected, or the wait is over. */
  private async awaitAck(tracked: Tracked): Promise<OrderAck> {
    await this.book.until(
      tracked,
      () => isFinal(tracked) || (tracked.state === 'working' && tracked.type !== 'market'),
      this.kit.settings.ackTimeoutMs,
    );
    return this.book.ackOf(tracked);
  }

  private settleRejected(tracked: Tracked, text: string): OrderAck {
    const reason = this.kit.redact(text);
    tracked.state = 'rejected';
    tracked.reason = reason;
    tracked.acked = true;
    tracked.finalReported = true;
    this.book.notify(tracked);
    return { brokerOrderId: tracked.orderId === undefined ? '' : String(tracked.orderId), status: 'rejected', reason };
  }

  rejected(reason: string): OrderAck {
    return { brokerOrderId: '', status: 'rejected', reason: this.kit.redact(reason) };
  }
}
