import { Controller, Get, Header, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { AnalyticsView, OrderTimelineView, Page, TradeExcursionView } from '@tradeloop/contracts';
import type { FastifyReply } from 'fastify';
import { IsOptional, IsUUID } from 'class-validator';
import { Readable } from 'node:stream';
import { instant, page } from '../common/query.dto.js';
import { TaggedTimeRangeQueryDto } from '../journal/dto/tag-query.dto.js';
import { AnalyticsQueryService } from './analytics-query.service.js';
import { TradesCsvService } from './trades-csv.service.js';

export class TimelinesQueryDto extends TaggedTimeRangeQueryDto {
  @ApiPropertyOptional({ description: 'Only the orders of this alert' }) @IsOptional() @IsUUID() eventId?: string;
}

const filterOf = (q: TaggedTimeRangeQueryDto) => ({
  strategyId: q.strategyId,
  accountId: q.accountId,
  from: instant(q.from),
  to: instant(q.to),
  tag: q.tag,
});

@ApiTags('analytics')
@Controller('api/analytics')
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsQueryService,
    private readonly csv: TradesCsvService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Latency per stage (p50/p99, histogram), slippage (distribution, per strategy/account/instrument/hour), MFE/MAE, win rate and expectancy by tag and hour',
  })
  view(@Query() query: TaggedTimeRangeQueryDto): Promise<AnalyticsView> {
    return this.analytics.analytics(filterOf(query));
  }

  @Get('timelines')
  @ApiOperation({
    summary:
      "Each order's path from the alert to /ws: TradingView's time, received, accepted, handled, sent, acknowledged, filled, pushed (newest first)",
  })
  timelines(@Query() query: TimelinesQueryDto): Promise<Page<OrderTimelineView>> {
    return this.analytics.timelines({ ...filterOf(query), eventId: query.eventId, ...page(query) });
  }

  @Get('trades.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="trades.csv"')
  @ApiOperation({
    summary: 'Every trade in the scope with every field, its excursions, tags and note, as CSV (newest exit first, at most 100,000)',
  })
  exportCsv(@Query() query: TaggedTimeRangeQueryDto, @Res() reply: FastifyReply): FastifyReply {
    return reply.send(Readable.from(this.csv.lines(filterOf(query))));
  }

  @Get('trades/:id')
  @ApiOperation({ summary: "A trade's MFE/MAE (ticks, dollars, when), stop, risk, R-multiple and holding time" })
  excursion(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string): Promise<TradeExcursionView> {
    return this.analytics.excursion(id);
  }
}
