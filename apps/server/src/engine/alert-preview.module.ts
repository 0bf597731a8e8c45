import { Module } from '@nestjs/common';
import { ExecutionModule } from '../execution/execution.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AlertPreviewController } from './alert-preview.controller.js';
import { AlertPreviewService } from './alert-preview.service.js';
import { PlanningModule } from './planning.module.js';

/** "What would this alert do": the webhook's parsing and the engine's planner, run without trading (in an api process too). */
@Module({
  imports: [PlanningModule, WebhooksModule, StrategiesModule, ExecutionModule],
  controllers: [AlertPreviewController],
  providers: [AlertPreviewService],
})
export class AlertPreviewModule {}
