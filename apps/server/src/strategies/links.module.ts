import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountRecordsModule } from '../accounts/account-records.module.js';
import { MarketModule } from '../market/market.module.js';
import { StrategiesReader } from './strategies.reader.js';
import { StrategyCache } from './strategy-cache.js';
import { StrategyChangeRelay } from './strategy-change-relay.js';
import { StrategyLink } from './strategy-link.entity.js';
import { StrategyLinksService } from './strategy-links.service.js';
import { Strategy } from './strategy.entity.js';

/**
 * Strategies' tables, their links and readers, without the strategies service: the P&L module
 * tells copies from strategies, and risk, the engine and trading read strategies, without
 * depending on everything the strategies service does. The strategies themselves are held in
 * memory (StrategyCache), kept current between processes by StrategyChangeRelay.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Strategy, StrategyLink]), MarketModule, AccountRecordsModule],
  providers: [StrategyLinksService, StrategiesReader, StrategyCache, StrategyChangeRelay],
  exports: [StrategyLinksService, StrategiesReader, StrategyCache, TypeOrmModule],
})
export class LinksModule {}
