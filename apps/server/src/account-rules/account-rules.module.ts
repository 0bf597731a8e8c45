import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { AccountRulesGate } from './account-rules.gate.js';
import { AccountRulesStore } from './account-rules.store.js';

/**
 * Prop-firm rules per account, as the order path reads them: the store (rules and their state,
 * `account_rule_sets`) and the gate every order and every alert passes. The watcher, the REST
 * API and the presets sit in `AccountRulesWatchModule`, above trading.
 */
@Module({
  imports: [MarketModule, LinksModule],
  providers: [AccountRulesStore, AccountRulesGate],
  exports: [AccountRulesStore, AccountRulesGate],
})
export class AccountRulesModule {}
