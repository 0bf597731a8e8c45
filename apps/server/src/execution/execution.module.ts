import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { BracketsService } from './brackets.service.js';
import { ExecutionService } from './execution.service.js';
import { HeldOrdersService } from './held-orders.service.js';
import { OrdersController } from './orders.controller.js';

@Module({
  imports: [PluginsModule, LedgerModule, MarketModule, RiskModule],
  controllers: [OrdersController],
  providers: [ExecutionService, BracketsService, HeldOrdersService],
  exports: [ExecutionService, BracketsService, HeldOrdersService],
})
export class ExecutionModule {}
