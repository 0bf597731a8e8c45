import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { BacktestComparison, BacktestReport, BacktestRunView, HistoryFileView } from '@tradeloop/contracts';
import { BacktestService } from './backtest.service.js';

@ApiTags('backtests')
@ApiBearerAuth()
@Controller('api/backtests')
export class BacktestController {
  constructor(private readonly backtests: BacktestService) {}

  @Get()
  @ApiOperation({ summary: 'Backtests run since the server started, newest first, with their progress' })
  list(): BacktestRunView[] {
    return this.backtests.list();
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start a backtest: a strategy over bars, quotes or alerts (inline CSV, files of the history folder, or a recorded live session); 400 names the bad line',
  })
  start(@Body() body: unknown): Promise<BacktestRunView> {
    return this.backtests.start(body);
  }

  @Get('data')
  @ApiOperation({ summary: 'History files on the server: recorded quotes and files copied into <dataDir>/history' })
  data(): Promise<HistoryFileView[]> {
    return this.backtests.data();
  }

  @Get('compare')
  @ApiOperation({ summary: 'Finished runs side by side: ids=a,b' })
  compare(@Query('ids') ids = ''): BacktestComparison {
    return this.backtests.compare(String(ids).split(',').filter(Boolean).slice(0, 9));
  }

  @Get(':id')
  @ApiOperation({ summary: "One run's progress" })
  get(@Param('id', ParseUUIDPipe) id: string): BacktestRunView {
    return this.backtests.get(id);
  }

  @Get(':id/report')
  @ApiOperation({ summary: "A finished run's report: trades, fills, summary, calendar and P&L-vs-drawdown series (409 while running)" })
  report(@Param('id', ParseUUIDPipe) id: string): BacktestReport {
    return this.backtests.report(id);
  }
}
