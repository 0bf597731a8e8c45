import { Module } from '@nestjs/common';
import { AccountRulesModule } from '../account-rules/account-rules.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { RiskService } from './risk.service.js';

@Module({ imports: [SettingsModule, LedgerModule, LinksModule, AccountRulesModule], providers: [RiskService], exports: [RiskService] })
export class RiskModule {}
