import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { ScriptsModule } from '../scripts/scripts.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { EngineService } from './engine.service.js';
import { ScriptContextService } from './script-context.service.js';
import { ScriptOrdersService } from './script-orders.service.js';
import { ScriptTriggersService } from './script-triggers.service.js';
import { ScriptedStrategyService } from './scripted-strategy.service.js';
import { SignalOrdersService } from './signal-orders.service.js';
import { PlanningModule } from './planning.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { WebhookRecordsModule } from '../webhooks/webhook-records.module.js';

@Module({
  imports: [
    AccountsModule,
    ExecutionModule,
    MarketModule,
    ScriptsModule,
    StrategiesModule,
    LinksModule,
    PlanningModule,
    LedgerModule,
    RiskModule,
    WebhookRecordsModule,
  ],
  providers: [
    EngineService,
    SignalOrdersService,
    ScriptedStrategyService,
    ScriptContextService,
    ScriptOrdersService,
    ScriptTriggersService,
  ],
})
export class EngineModule {}
