import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { MarketModule } from '../market/market.module.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { ScriptsModule } from '../scripts/scripts.module.js';
import { LinksModule } from './links.module.js';
import { StrategiesController } from './strategies.controller.js';
import { StrategiesService } from './strategies.service.js';

@Module({
  imports: [AccountsModule, MarketModule, ScriptsModule, PnlModule, LinksModule],
  controllers: [StrategiesController],
  providers: [StrategiesService],
  exports: [StrategiesService],
})
export class StrategiesModule {}
