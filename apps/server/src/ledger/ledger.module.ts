import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StrategyListing } from '../database/strategy-listing.js';
import { Fill } from './fill.entity.js';
import { Position } from './position.entity.js';
import { PositionsReader } from './positions.reader.js';
import { Trade } from './trade.entity.js';
import { MarketModule } from '../market/market.module.js';
import { LedgerQueryService } from './ledger-query.service.js';
import { LedgerController } from './ledger.controller.js';
import { LedgerService } from './ledger.service.js';
import { LedgerStore } from './ledger-store.js';

@Module({
  imports: [TypeOrmModule.forFeature([Fill, Position, Trade]), MarketModule],
  controllers: [LedgerController],
  providers: [LedgerStore, LedgerService, LedgerQueryService, PositionsReader],
  exports: [LedgerService, LedgerQueryService, PositionsReader],
})
export class LedgerModule {
  constructor(listing: StrategyListing) {
    listing.register('fills');
  }
}
