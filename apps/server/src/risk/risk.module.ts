import { Module } from '@nestjs/common';
import { AccountRulesModule } from '../account-rules/account-rules.module.js';
import { RiskService } from './risk.service.js';

@Module({ imports: [AccountRulesModule], providers: [RiskService], exports: [RiskService] })
export class RiskModule {}
