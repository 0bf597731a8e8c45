import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ServerOrderType } from '@tradeloop/contracts';
import { In, type FindOptionsWhere, type Repository } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { soleWriter, type AppConfig } from '../config/config.schema.js';
import { RiskService } from '../risk/risk.service.js';
import { OrderStore } from './order-store.js';
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
export class OrdersReader implements OnModuleInit {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly risk: RiskService,
    private readonly store: OrderStore,
  ) {}

  /**
   * With several processes, an order another one sent is on record only: the risk service reads
   * the market orders on their way there too (a flatten, an alert's size, a script's position).
   */
  onModuleInit(): void {
    if (!soleWriter(this.config)) this.risk.readOrdersOnRecord((where) => this.store.marketFilling(where));
  }

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
