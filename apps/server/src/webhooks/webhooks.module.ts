import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

@Module({ imports: [StrategiesModule, MarketModule], controllers: [WebhooksController], providers: [WebhooksService] })
export class WebhooksModule {}
