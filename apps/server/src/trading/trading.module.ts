import { Module } from '@nestjs/common';
import { AccountRecordsModule } from '../accounts/account-records.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { AccountsModule } from '../accounts/accounts.module.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { MarketModule } from '../market/market.module.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { CommandsService } from './commands.service.js';
import { RiskMonitor } from './risk-monitor.service.js';
import { TradingController } from './trading.controller.js';
import { TradingService } from './trading.service.js';

/** Manual trading, flatten and reverse, the kill switch, and the limits that act on their own. */
@Module({
  imports: [
    AccountRecordsModule,
    LinksModule,
    LedgerModule,
    AccountsModule,
    ExecutionModule,
    MarketModule,
    PnlModule,
    RiskModule,
    StrategiesModule,
  ],
  controllers: [TradingController],
  providers: [TradingService, CommandsService, RiskMonitor],
  exports: [TradingService, CommandsService],
})
export class TradingModule {}
