import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ServerOrderType } from '@tradeloop/contracts';
import { In, type FindOptionsWhere, type Repository } from 'typeorm';
import { Order } from './order.entity.js';

/** Which working (pending or working) orders: every field optional. */
export interface WorkingWhere {
  accountId?: string;
  strategyId?: string;
  ticker?: string;
  tickers?: string[];
  type?: ServerOrderType;
}

/** What other modules may read of orders; execution alone writes them. */
@Injectable()
export class OrdersReader {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  byId(id: string): Promise<Order | null> {
    return this.orders.findOneBy({ id });
  }

  working(where: WorkingWhere = {}): Promise<Order[]> {
    return this.orders.findBy(this.working$(where));
  }

  countWorking(where: WorkingWhere = {}): Promise<number> {
    return this.orders.countBy(this.working$(where));
  }

  private working$(w: WorkingWhere): FindOptionsWhere<Order> {
    return {
      status: In(['pending', 'working']),
      ...(w.accountId !== undefined ? { accountId: w.accountId } : {}),
      ...(w.strategyId !== undefined ? { strategyId: w.strategyId } : {}),
      ...(w.ticker !== undefined ? { ticker: w.ticker } : {}),
      ...(w.tickers !== undefined ? { ticker: In(w.tickers) } : {}),
      ...(w.type !== undefined ? { type: w.type } : {}),
    };
  }
}
