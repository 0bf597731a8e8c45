import { Module } from '@nestjs/common';
import { MarketController } from './market.controller.js';
import { FeedLeader } from './feed-leader.service.js';
import { MarketService } from './market.service.js';

@Module({ controllers: [MarketController], providers: [MarketService, FeedLeader], exports: [MarketService] })
export class MarketModule {}
