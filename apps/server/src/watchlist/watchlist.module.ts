import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module.js';
import { MarketModule } from '../market/market.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { WatchlistController } from './watchlist.controller.js';
import { WatchlistService } from './watchlist.service.js';

/** The tickers always quoted, editable on the admin's Market page. */
@Module({
  imports: [SettingsModule, MarketModule, StrategiesModule],
  controllers: [WatchlistController],
  providers: [WatchlistService],
})
export class WatchlistModule {}
