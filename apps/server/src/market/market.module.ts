import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module.js';
import { MarketController } from './market.controller.js';
import { FeedLeader } from './feed-leader.service.js';
import { InstrumentCatalogue } from './instrument-catalogue.js';
import { MarketService } from './market.service.js';
import { SimulatedFeedSetting } from './simulated-feed.service.js';

@Module({
  imports: [SettingsModule],
  controllers: [MarketController],
  providers: [InstrumentCatalogue, MarketService, FeedLeader, SimulatedFeedSetting],
  exports: [InstrumentCatalogue, MarketService],
})
export class MarketModule {}
