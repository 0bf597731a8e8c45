import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketModule } from '../market/market.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { AccountRuleSet } from './account-rule-set.entity.js';
import { AccountRulesGate } from './account-rules.gate.js';
import { AccountRulesStore } from './account-rules.store.js';

/**
 * Prop-firm rules per account, as the order path reads them: the store (rules and their state,
 * `account_rule_sets`) and the gate every order and every alert passes. The watcher, the REST
 * API and the presets sit in `AccountRulesWatchModule`, above trading.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AccountRuleSet]), MarketModule, LinksModule, LedgerModule],
  providers: [AccountRulesStore, AccountRulesGate],
  exports: [AccountRulesStore, AccountRulesGate],
})
export class AccountRulesModule {}
