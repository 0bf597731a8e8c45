import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { ExecutionService } from './execution.service.js';
import { OrdersController } from './orders.controller.js';

@Module({
  imports: [PluginsModule, LedgerModule, MarketModule],
  controllers: [OrdersController],
  providers: [ExecutionService],
  exports: [ExecutionService],
})
export class ExecutionModule {}
