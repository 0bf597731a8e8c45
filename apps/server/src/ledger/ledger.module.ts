import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { LedgerQueryService } from './ledger-query.service.js';
import { LedgerController } from './ledger.controller.js';
import { LedgerService } from './ledger.service.js';

@Module({
  imports: [MarketModule],
  controllers: [LedgerController],
  providers: [LedgerService, LedgerQueryService],
  exports: [LedgerService, LedgerQueryService],
})
export class LedgerModule {}
