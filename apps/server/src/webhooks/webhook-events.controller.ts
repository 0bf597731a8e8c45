import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { WebhookEventView } from '@tradeloop/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { instant } from '../common/query.dto.js';
import type { WebhookEventStatus } from './webhook-event.entity.js';
import { WebhookEventsService } from './webhook-events.service.js';

const STATUSES: WebhookEventStatus[] = ['delayed', 'accepted', 'processing', 'done', 'failed', 'dismissed'];

class EventQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, description: 'failed: the dead letters' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: WebhookEventStatus;
  @ApiPropertyOptional() @IsOptional() @IsUUID() strategyId?: string;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ description: 'ISO 8601: events received before it (paging back)' }) @IsOptional() @IsISO8601() before?: string;
}

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class WebhookEventsController {
  constructor(private readonly events: WebhookEventsService) {}

  @Get()
  @ApiOperation({ summary: 'Accepted alerts and what became of them; status=failed lists the dead letters' })
  list(@Query() query: EventQueryDto): Promise<WebhookEventView[]> {
    return this.events.list({
      status: query.status,
      strategyId: query.strategyId,
      limit: query.limit ?? 100,
      beforeReceivedAt: instant(query.before),
    });
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookEventView> {
    return this.events.get(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a failed event again (orders are keyed by the event: none is placed twice)' })
  retry(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookEventView> {
    return this.events.retry(id);
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let a failed event go; it stays on record as dismissed' })
  dismiss(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookEventView> {
    return this.events.dismiss(id);
  }
}
