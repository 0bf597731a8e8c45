import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrderView, Page, RecordedOrder } from '@tradeloop/contracts';
import { In, Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { strategyPage } from '../database/strategy-listing.js';
import { Order } from './order.entity.js';
import { brokerRequest, isHeldType, orderView } from './order-shapes.js';
import { OPEN_STATUSES } from './order-states.service.js';

export interface OrderFilter {
  strategyId?: string;
  accountId?: string;
  status?: string;
  limit: number;
  offset: number;
}

/** A strategy's orders, newest first, from its listed and unlisted parts (StrategyListing), and their total. */
export function ordersOfStrategy(orders: Repository<Order>, filter: OrderFilter, strategyId: string): Promise<[Order[], number]> {
  const part = (arm: string) => {
    const query = orders.createQueryBuilder('record').where(arm, { strategyId });
    if (filter.accountId) query.andWhere('record.accountId = :accountId', { accountId: filter.accountId });
    if (filter.status) query.andWhere('record.status = :status', { status: filter.status });
    return query;
  };
  return strategyPage(part, 'createdAt', filter.offset, filter.limit);
}

/** Orders as the API lists them, and as a broker plugin recognises its own after a restart. */
@Injectable()
export class OrderQueries {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
  ) {}

  async list(filter: OrderFilter): Promise<Page<OrderView>> {
    const [items, total] = filter.strategyId
      ? await ordersOfStrategy(this.orders, filter, filter.strategyId)
      : await this.orders.findAndCount({
          where: {
            ...(filter.accountId ? { accountId: filter.accountId } : {}),
            ...(filter.status ? { status: filter.status as Order['status'] } : {}),
          },
          order: { createdAt: 'DESC', id: 'ASC' },
          take: filter.limit,
          skip: filter.offset,
        });
    return {
      total,
      limit: filter.limit,
      offset: filter.offset,
      items: items.map((o) => orderView(o)),
    };
  }

  /**
   * A broker plugin's orders on record as pending or working: it recognises its own orders at the
   * broker by them after a restart (recorded before it was asked, with its id once it answered).
   */
  async openOrders(broker: string): Promise<RecordedOrder[]> {
    const accounts = await this.accounts.byBroker(broker);
    if (!accounts.length) return [];
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const open = await this.orders.findBy({ accountId: In([...byId.keys()]), status: In([...OPEN_STATUSES]) });
    // A held order that has not triggered never reached the broker; one that did is what it became there.
    return open
      .filter((o) => !(isHeldType(o.type) && o.triggeredAt === null))
      .map((o) => {
        const request = brokerRequest(o, byId.get(o.accountId)!);
        return {
          clientOrderId: o.clientOrderId,
          brokerAccountId: request.brokerAccountId,
          brokerOrderId: o.brokerOrderId,
          ticker: o.ticker,
          side: o.side,
          quantity: o.quantity,
          type: request.type,
          limitPrice: request.limitPrice ?? null,
          stopPrice: request.stopPrice ?? null,
          createdAt: o.createdAt,
        };
      });
  }
}
