import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { FillView, Page, PositionView, TradeView } from '@tradeloop/contracts';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { instant, page, StrategyAccountQueryDto, TimeRangeQueryDto } from '../common/query.dto.js';
import { TaggedTimeRangeQueryDto } from '../journal/dto/tag-query.dto.js';
import { LedgerQueryService } from './ledger-query.service.js';

export class PositionsQueryDto extends StrategyAccountQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Also list flat positions' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeFlat?: boolean;
}

@ApiTags('positions & trades')
@Controller('api')
export class LedgerController {
  constructor(private readonly ledger: LedgerQueryService) {}

  @Get('positions')
  @ApiOperation({ summary: 'Open positions with open P&L (longs at the bid, shorts at the ask; null until a quote arrives)' })
  positions(@Query() query: PositionsQueryDto): Promise<PositionView[]> {
    return this.ledger.listPositions(query);
  }

  @Get('fills')
  @ApiOperation({ summary: 'Fills, newest first, each with where its price came from (quote:<feed>, alert, simulated, broker)' })
  fills(@Query() query: TimeRangeQueryDto): Promise<Page<FillView>> {
    return this.ledger.listFills({
      strategyId: query.strategyId,
      accountId: query.accountId,
      from: instant(query.from),
      to: instant(query.to),
      ...page(query),
    });
  }

  @Get('trades')
  @ApiOperation({ summary: 'Closed round trips, newest exit first, matched FIFO; tag= keeps those with that journal tag' })
  trades(@Query() query: TaggedTimeRangeQueryDto): Promise<Page<TradeView>> {
    return this.ledger.listTrades({
      tag: query.tag,
      strategyId: query.strategyId,
      accountId: query.accountId,
      from: instant(query.from),
      to: instant(query.to),
      ...page(query),
    });
  }
}
