import { Module } from '@nestjs/common';
import { AccountRulesModule } from '../account-rules/account-rules.module.js';
import { PlanningModule } from '../engine/planning.module.js';
import { MarketModule } from '../market/market.module.js';
import { AlertPreviewController } from './alert-preview.controller.js';
import { AlertPreviewService } from './alert-preview.service.js';
import { DelayedAlertsService } from './delayed-alerts.service.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { StaleEventSweeper } from './stale-event-sweeper.js';
import { WebhookEventsController } from './webhook-events.controller.js';
import { WebhookEventsService } from './webhook-events.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  imports: [StrategiesModule, MarketModule, PlanningModule, AccountRulesModule],
  controllers: [WebhooksController, WebhookEventsController, AlertPreviewController],
  providers: [WebhooksService, WebhookEventsService, StaleEventSweeper, DelayedAlertsService, AlertPreviewService],
  exports: [WebhookEventsService],
})
export class WebhooksModule {}
