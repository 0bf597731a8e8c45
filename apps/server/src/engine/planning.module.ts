import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { MarketModule } from '../market/market.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { SignalPlannerService } from './signal-planner.service.js';

/** The alert planner on its own: the engine executes its plans, the API's preview shows them (in an api process too). */
@Module({
  imports: [AccountsModule, MarketModule, LinksModule, RiskModule],
  providers: [SignalPlannerService],
  exports: [SignalPlannerService],
})
export class PlanningModule {}
