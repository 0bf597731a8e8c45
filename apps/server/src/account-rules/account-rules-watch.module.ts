import { Module } from '@nestjs/common';
import { AccountRecordsModule } from '../accounts/account-records.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { AccountRulePresets } from './account-rule-presets.js';
import { AccountRulesController } from './account-rules.controller.js';
import { AccountRulesModule } from './account-rules.module.js';
import { AccountRulesService } from './account-rules.service.js';
import { AccountRulesWatcher } from './account-rules.watcher.js';

/**
 * Account rules acting on their own (flatten and lock on a breach), their REST API and the firm
 * presets. Flatten itself is trading's, asked for through `AccountFlattener`.
 */
@Module({
  imports: [AccountRulesModule, AccountRecordsModule, LedgerModule, MarketModule, PnlModule],
  controllers: [AccountRulesController],
  providers: [AccountRulePresets, AccountRulesService, AccountRulesWatcher],
})
export class AccountRulesWatchModule {}
