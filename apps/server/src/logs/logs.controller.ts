import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { LogEntryView } from '@tradeloop/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_ROW_ID } from '../common/query.dto.js';
import type { LogLevel } from './log-entry.entity.js';
import { LOG_LEVELS, LogsService } from './logs.service.js';

export class LogsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() strategyId?: string;
  @ApiPropertyOptional({ enum: LOG_LEVELS, description: 'Minimum level' }) @IsOptional() @IsIn(LOG_LEVELS) level?: LogLevel;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ description: 'Entries older than this id (paging)', maximum: MAX_ROW_ID })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ROW_ID)
  beforeId?: number;
}

@ApiTags('logs')
@Controller('api/logs')
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get()
  @ApiOperation({ summary: 'Newest log entries first' })
  list(@Query() query: LogsQueryDto): Promise<LogEntryView[]> {
    return this.logs.query({ ...query, limit: query.limit ?? 100 });
  }
}
