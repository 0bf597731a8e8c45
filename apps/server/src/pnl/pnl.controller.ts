import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PnlCalendar, PnlSeries, PnlSummary } from '@tradeloop/contracts';
import { PnlCalendarQueryDto, parseInstant, PnlSeriesQueryDto, PnlSummaryQueryDto } from './dto/pnl-query.dto.js';
import { PnlQueryService } from './pnl-query.service.js';

@ApiTags('pnl')
@Controller('api/pnl')
export class PnlController {
  constructor(private readonly pnl: PnlQueryService) {}

  @Get('summary')
  @ApiOperation({ summary: 'Total, today, realized and open P&L, trade statistics, max drawdown, best and worst trading day' })
  async summary(@Query() query: PnlSummaryQueryDto): Promise<PnlSummary> {
    return this.pnl.summary(await this.pnl.scope(query.strategyId, query.accountId, query.tag));
  }

  @Get('calendar')
  @ApiOperation({ summary: 'Realized P&L and trade count of each trading day of a month (trades closed that day)' })
  async calendar(@Query() query: PnlCalendarQueryDto): Promise<PnlCalendar> {
    const ref = await this.pnl.scope(query.strategyId, query.accountId, query.tag);
    return this.pnl.calendarMonth(ref, query.month ?? this.pnl.currentMonth());
  }

  @Get('series')
  @ApiOperation({ summary: 'Cumulative total P&L and its drawdown over time, at 1s, 1m, 1h or 1d (auto: at most ~1,000 points)' })
  async series(@Query() query: PnlSeriesQueryDto): Promise<PnlSeries> {
    const from = parseInstant(query.from);
    const to = parseInstant(query.to);
    if (Number.isNaN(from) || Number.isNaN(to)) throw new BadRequestException('from and to must be valid instants');
    return this.pnl.series(await this.pnl.scope(query.strategyId, query.accountId), { from, to, resolution: query.resolution });
  }
}
