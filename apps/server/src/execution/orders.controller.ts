import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { OrderView, Page } from '@tradeloop/contracts';
import { IsIn, IsOptional } from 'class-validator';
import { page, StrategyAccountQueryDto } from '../common/query.dto.js';
import { OrderQueries } from './order-queries.service.js';

const STATUSES = ['pending', 'working', 'filled', 'cancelled', 'rejected'];

export class OrdersQueryDto extends StrategyAccountQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: string;
}

@ApiTags('orders')
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly queries: OrderQueries) {}

  @Get()
  @ApiOperation({ summary: 'Orders, newest first' })
  list(@Query() query: OrdersQueryDto): Promise<Page<OrderView>> {
    return this.queries.list({ strategyId: query.strategyId, accountId: query.accountId, status: query.status, ...page(query) });
  }
}
