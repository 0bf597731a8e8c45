import type { OrderAck, OrderRequest, OrderSide, OrderType } from '@tradeloop/contracts';
import type { BrokerKit } from './kit.js';
import type { Session } from './session.js';
import { fateOf } from './statuses.js';

export type TrackedState = 'placing' | 'working' | 'filled' | 'cancelled' | 'rejected';

/** One order this plugin placed (or recognised as its own after a restart). */
export interface Tracked {
  clientOrderId: string;
  brokerAccountId: string;
  session: Session;
  /** Canonical ticker (`NQ1!`). */
  ticker: string;
  side: OrderSide;
  type: OrderType;
  /** Null when not known (an order recognised after a restart without a record). */
  quantity: number | null;
  limitPrice?: number | null;
  stopPrice?: number | null;
  orderId?: number;
  state: TrackedState;
  /** Tradovate said Filled (or Completed); `state` becomes filled once all its fills are reported. */
  brokerFilled: boolean;
  reason?: string;
  filled: number;
  /** placeOrder has answered: later changes go out through reportOrderUpdate. */
  acked: boolean;
  finalReported: boolean;
  /** Bracket legs and recognised orders: the server may not know them, so their fills name the account. */
  nameAccount: boolean;
  waiters: Set<() => void>;
  /** Bracket entries: legs whose Tradovate order id did not come back with placeOSO. */
  pendingLegs?: Tracked[];
  legKind?: 'tp' | 'sl';
  /** Epoch ms just before it was sent. */
  sentAt?: number;
}

export const isFinal = (t: Tracked) => t.state === 'filled' || t.state === 'cancelled' || t.state === 'rejected';

/**
 * The orders this plugin knows as its own, by clientOrderId and by Tradovate order id, and what
 * Tradovate's statuses do to them: a final status is reported once, after the ack.
 */
export class OrderBook {
  readonly byClient = new Map<string, Tracked>();
  readonly byOrderId = new Map<number, Tracked>();
  private readonly unknownWarned = new Set<number>();

  constructor(private readonly kit: BrokerKit) {}

  track(order: OrderRequest, session: Session): Tracked {
    const tracked: Tracked = {
      clientOrderId: order.clientOrderId,
      brokerAccountId: order.brokerAccountId,
      session,
      ticker: order.ticker,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      limitPrice: order.limitPrice ?? null,
      stopPrice: order.stopPrice ?? null,
      state: 'placing',
      brokerFilled: false,
      filled: 0,
      acked: false,
      finalReported: false,
      nameAccount: false,
      waiters: new Set(),
    };
    this.byClient.set(order.clientOrderId, tracked);
    return tracked;
  }

  /** An order at Tradovate that is ours (found after a restart): tracked as acked, its fills named with the account. */
  adopt(fields: Omit<Tracked, 'state' | 'brokerFilled' | 'filled' | 'acked' | 'finalReported' | 'nameAccount' | 'waiters'>): Tracked {
    const tracked: Tracked = {
      ...fields,
      state: 'working',
      brokerFilled: false,
      filled: 0,
      acked: true,
      finalReported: false,
      nameAccount: true,
      waiters: new Set(),
    };
    this.byClient.set(tracked.clientOrderId, tracked);
    if (tracked.orderId !== undefined) this.byOrderId.set(tracked.orderId, tracked);
    return tracked;
  }

  link(tracked: Tracked, orderId: number): void {
    tracked.orderId = orderId;
    this.byOrderId.set(orderId, tracked);
    // Events may have arrived before the answer: catch up from the synced state.
    this.kit.enqueue(async () => {
      const order = tracked.session.state.orders.get(orderId);
      if (order) await this.applyStatus(tracked, order.ordStatus);
    });
  }

  /** What Tradovate's `ordStatus` does to a tracked order. */
  async applyStatus(tracked: Tracked, ordStatus: string): Promise<void> {
    switch (fateOf(ordStatus)) {
      case 'pending':
        return;
      case 'live':
        if (tracked.state === 'placing') {
          tracked.state = 'working';
          this.notify(tracked);
        }
        return;
      case 'filled':
        tracked.brokerFilled = true;
        await this.completeIfFilled(tracked);
        return;
      case 'cancelled':
      case 'expired':
        if (isFinal(tracked)) return;
        tracked.state = 'cancelled';
        tracked.reason = fateOf(ordStatus) === 'expired' ? 'expired at Tradovate' : 'cancelled at Tradovate';
        await this.reportFinal(tracked);
        return;
      case 'rejected':
        await this.reject(tracked);
        return;
      case 'unknown':
        if (tracked.orderId !== undefined && !this.unknownWarned.has(tracked.orderId)) {
          this.unknownWarned.add(tracked.orderId);
          this.kit.logger.warn(
            `Tradovate reports order ${tracked.orderId} (${tracked.clientOrderId}) as ${JSON.stringify(String(ordStatus).slice(0, 40))}; keeping it as ${tracked.state} until it says more`,
          );
        }
        return;
    }
  }

  /** Rejected at Tradovate (the order's status, or a risk check's command report), in its words. */
  async reject(tracked: Tracked): Promise<void> {
    if (isFinal(tracked)) return;
    const words = tracked.orderId !== undefined ? tracked.session.state.rejectionOf(tracked.orderId) : undefined;
    tracked.state = 'rejected';
    tracked.reason = this.kit.redact(`Tradovate rejected the order: ${words || 'no reason given'}`);
    await this.reportFinal(tracked);
  }

  async completeIfFilled(tracked: Tracked): Promise<void> {
    if (!tracked.brokerFilled || tracked.state === 'filled') return;
    if (tracked.quantity === null ? tracked.filled <= 0 : tracked.filled < tracked.quantity) return;
    tracked.state = 'filled';
    await this.reportFinal(tracked);
  }

  async reportFinal(tracked: Tracked): Promise<void> {
    this.notify(tracked);
    if (!tracked.acked || tracked.finalReported || tracked.orderId === undefined) return;
    tracked.finalReported = true;
    const status = tracked.state === 'filled' ? 'filled' : tracked.state === 'rejected' ? 'rejected' : 'cancelled';
    try {
      await this.kit.ctx.reportOrderUpdate({
        clientOrderId: tracked.clientOrderId,
        brokerOrderId: String(tracked.orderId),
        status,
        ...(tracked.reason && status !== 'filled' ? { reason: tracked.reason } : {}),
      });
    } catch (error) {
      tracked.finalReported = false;
      this.kit.logger.error(`reporting ${tracked.clientOrderId} ${status} failed: ${this.kit.safe(error)}`);
    }
  }

  /** The answer placeOrder gives for an order already tracked (a repeat of the same clientOrderId). */
  ackOf(tracked: Tracked): OrderAck {
    const brokerOrderId = tracked.orderId === undefined ? '' : String(tracked.orderId);
    tracked.acked = true;
    if (isFinal(tracked)) tracked.finalReported = true;
    switch (tracked.state) {
      case 'filled':
        return { brokerOrderId, status: 'filled' };
      case 'rejected':
        return { brokerOrderId, status: 'rejected', reason: tracked.reason ?? 'rejected by Tradovate' };
      case 'cancelled':
        return { brokerOrderId, status: 'cancelled', reason: tracked.reason ?? 'cancelled at Tradovate' };
      case 'placing':
      case 'working':
        return { brokerOrderId, status: 'working' };
    }
  }

  notify(tracked: Tracked): void {
    for (const waiter of [...tracked.waiters]) waiter();
  }

  until(tracked: Tracked, done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        tracked.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      tracked.waiters.add(check);
    });
  }
}
