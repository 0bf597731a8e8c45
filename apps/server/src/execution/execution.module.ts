import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountRecordsModule } from '../accounts/account-records.module.js';
import { StrategyListing } from '../database/strategy-listing.js';
import { OrderBracket } from './order-bracket.entity.js';
import { Order } from './order.entity.js';
import { OrdersReader } from './orders.reader.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { BracketsService } from './brackets.service.js';
import { BrokerReconciler } from './broker-reconciler.service.js';
import { FillIntake } from './fill-intake.service.js';
import { OrderQueries } from './order-queries.service.js';
import { OrderRouter } from './order-router.service.js';
import { OrderStates } from './order-states.service.js';
import { OrderStore } from './order-store.js';
import { HeldOrdersService } from './held-orders.service.js';
import { OrdersController } from './orders.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([Order, OrderBracket]), AccountRecordsModule, PluginsModule, LedgerModule, MarketModule, RiskModule],
  controllers: [OrdersController],
  providers: [
    OrderStore,
    OrderStates,
    OrderQueries,
    FillIntake,
    OrderRouter,
    BrokerReconciler,
    BracketsService,
    HeldOrdersService,
    OrdersReader,
  ],
  exports: [OrderRouter, FillIntake, BracketsService, HeldOrdersService, OrdersReader],
})
export class ExecutionModule {
  constructor(listing: StrategyListing) {
    listing.register('orders');
  }
}
