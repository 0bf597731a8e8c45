import { Module } from '@nestjs/common';
import { AccountRulesModule } from '../account-rules/account-rules.module.js';
import { MarketModule } from '../market/market.module.js';
import { DelayedAlertsService } from './delayed-alerts.service.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { StaleEventSweeper } from './stale-event-sweeper.js';
import { WebhookEventsController } from './webhook-events.controller.js';
import { WebhookEventsService } from './webhook-events.service.js';
import { WebhookRecordsModule } from './webhook-records.module.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  imports: [WebhookRecordsModule, StrategiesModule, MarketModule, AccountRulesModule],
  controllers: [WebhookEventsController],
  providers: [WebhooksService, WebhookEventsService, StaleEventSweeper, DelayedAlertsService],
  exports: [WebhooksService, WebhookEventsService],
})
export class WebhooksModule {}
