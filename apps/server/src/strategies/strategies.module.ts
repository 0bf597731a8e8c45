import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { MarketModule } from '../market/market.module.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { ScriptsModule } from '../scripts/scripts.module.js';
import { LinksModule } from './links.module.js';
import { StrategiesController } from './strategies.controller.js';
import { StrategiesService } from './strategies.service.js';

@Module({
  imports: [LedgerModule, AccountsModule, MarketModule, ScriptsModule, PnlModule, LinksModule],
  controllers: [StrategiesController],
  providers: [StrategiesService],
  exports: [StrategiesService],
})
export class StrategiesModule {}
