import { Body, Controller, Get, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { JournalEntryView, JournalTagView } from '@tradeloop/contracts';
import { IsOptional, IsString } from 'class-validator';
import { TagQueryParam } from './dto/tag-query.dto.js';
import { JournalService } from './journal.service.js';

export class JournalQueryDto {
  @TagQueryParam() tag?: string;
  @ApiPropertyOptional({ example: '2026-12-01', description: "Days' entries from this date (trades' entries are always listed)" })
  @IsOptional()
  @IsString()
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31' }) @IsOptional() @IsString() to?: string;
}

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 400 });
const entryBody = { schema: { type: 'object', example: { tags: ['breakout', 'a+ setup'], note: 'waited for the retest' } } };

@ApiTags('journal')
@Controller('api/journal')
export class JournalController {
  constructor(private readonly journal: JournalService) {}

  @Get()
  @ApiOperation({ summary: 'Journal entries (trades and days), newest change first; with tag=, only those carrying it' })
  list(@Query() query: JournalQueryDto): Promise<JournalEntryView[]> {
    return this.journal.list(query);
  }

  @Get('tags')
  @ApiOperation({ summary: 'Every tag in use and on how many entries' })
  tags(): Promise<JournalTagView[]> {
    return this.journal.tags();
  }

  @Get('trades/:tradeId')
  @ApiOperation({ summary: "A trade's tags and note (empty when it has none)" })
  trade(@Param('tradeId', uuid) tradeId: string): Promise<JournalEntryView> {
    return this.journal.trade(tradeId);
  }

  @Put('trades/:tradeId')
  @ApiBody(entryBody)
  @ApiOperation({ summary: "Sets a trade's tags and/or note (at most 20 tags of 32 characters, a note of 4,000)" })
  putTrade(@Param('tradeId', uuid) tradeId: string, @Body() body: unknown): Promise<JournalEntryView> {
    return this.journal.putTrade(tradeId, body);
  }

  @Get('days/:date')
  @ApiOperation({ summary: "A trading day's tags and note" })
  day(@Param('date') date: string): Promise<JournalEntryView> {
    return this.journal.day(date);
  }

  @Put('days/:date')
  @ApiBody(entryBody)
  @ApiOperation({ summary: "Sets a trading day's tags and/or note" })
  putDay(@Param('date') date: string, @Body() body: unknown): Promise<JournalEntryView> {
    return this.journal.putDay(date, body);
  }
}
