import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { StrategyLinksService } from './strategy-links.service.js';

/** Links on their own, so the P&L module can tell copies from strategies without depending on strategies. */
@Module({ imports: [MarketModule], providers: [StrategyLinksService], exports: [StrategyLinksService] })
export class LinksModule {}
