import { Injectable } from '@nestjs/common';
import type { OrderAck } from '@tradeloop/contracts';
import { In, IsNull } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { orderData } from './order-messages.js';
import { Order } from './order.entity.js';
import { OrderStore } from './order-store.js';

export const OPEN_STATUSES = ['pending', 'working'] as const;

/** Where an order row's status moves (a broker's ack, a cancel, a refusal), and who hears of it once committed. */
@Injectable()
export class OrderStates {
  constructor(
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
    private readonly bus: EventBus,
    private readonly events: DomainEvents,
    private readonly market: MarketService,
    private readonly store: OrderStore,
  ) {}

  /**
   * An order row changed (and committed): `/ws` clients get ORDER; an order that left the open
   * statuses frees its ticker's quote (a working order keeps it quoted: the paper broker fills
   * resting orders off quotes) and is announced as OrderSettled.
   */
  changed(order: Order): void {
    const data = orderData(order);
    this.bus.publish('ORDER', data);
    if (OPEN_STATUSES.includes(order.status as never)) return;
    this.market.release(`order:${order.id}`, [order.ticker]);
    this.events.publish('OrderSettled', { order: data });
  }

  /** The ack never undoes a fill that was booked while the broker was answering. */
  async applyAck(orderId: string, ack: OrderAck): Promise<Order> {
    const order = await this.acknowledge(orderId, ack);
    this.changed(order);
    return order;
  }

  private async acknowledge(orderId: string, ack: OrderAck): Promise<Order> {
    // Most acks follow a fill that said it all already (the paper broker fills before it answers):
    // read on committed rows, such an ack needs no unit of work at all.
    if (this.database.settled()) {
      const order = await this.store.byId(orderId);
      if (order && !this.acknowledged(order, ack)) return order;
    }
    return this.database.bookkeeping(async (m) => {
      const order = await this.store.byId(orderId, m);
      if (!order) throw new Error(`order ${orderId} is not on record`);
      // An ack that tells nothing new writes nothing.
      if (!this.acknowledged(order, ack)) return order;
      order.updatedAt = Date.now();
      await this.store.update(m, order.id, {
        brokerOrderId: order.brokerOrderId,
        status: order.status,
        reason: order.reason,
        updatedAt: order.updatedAt,
      });
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

  /** Applies the ack to `order`; whether anything on record changed. */
  private acknowledged(order: Order, ack: OrderAck): boolean {
    const before = { brokerOrderId: order.brokerOrderId, status: order.status, reason: order.reason };
    order.brokerOrderId = ack.brokerOrderId || order.brokerOrderId;
    const settled = order.status === 'filled' || order.status === 'cancelled' || order.status === 'rejected';
    // A broker may ack "filled" before its fill is booked: the order stays working until then.
    if (!settled) order.status = ack.status === 'filled' && order.filledQuantity < order.quantity ? 'working' : ack.status;
    order.reason = ack.reason ?? order.reason;
    return order.brokerOrderId !== before.brokerOrderId || order.status !== before.status || order.reason !== before.reason;
  }

  /**
   * Cancels an order the server holds, unless a quote triggered it meanwhile: the same claim as the
   * trigger's (never triggered, still open), so exactly one of the two takes it. Whether it did.
   */
  async cancelHeld(orderId: string, reason: string): Promise<boolean> {
    const order = await this.database.bookkeeping(async (m) => {
      const claimed = await m.update(
        Order,
        { id: orderId, triggeredAt: IsNull(), status: In(['pending', 'working']) },
        { status: 'cancelled', reason, updatedAt: Date.now() },
      );
      this.store.forget(m, orderId);
      return claimed.affected ? this.store.byId(orderId, m) : null;
    });
    if (!order) return false;
    this.changed(order);
    return true;
  }

  async setStatus(orderId: string, status: Order['status'], reason: string | null): Promise<void> {
    const order = await this.database.bookkeeping(async (m) => {
      await this.store.update(m, orderId, { status, reason, updatedAt: Date.now() });
      const order = await this.store.byId(orderId, m);
      if (!order) throw new Error(`order ${orderId} is not on record`);
      return order;
    });
    this.changed(order);
  }
}
