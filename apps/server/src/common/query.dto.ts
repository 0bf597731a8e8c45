import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** The deepest page: past it an offset is a mistake or a probe, answered 400 rather than handed to the database. */
export const MAX_OFFSET = 10_000_000;
/** Row ids (`beforeId`) fit a 32-bit integer column. */
export const MAX_ROW_ID = 2_147_483_647;

export class PageQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ default: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}

export class StrategyAccountQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() strategyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() accountId?: string;
}

export class TimeRangeQueryDto extends StrategyAccountQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'ISO 8601, inclusive' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ example: '2026-11-30T23:59:59Z', description: 'ISO 8601, inclusive' }) @IsOptional() @IsISO8601() to?: string;
}

export const page = (q: PageQueryDto) => ({ limit: q.limit ?? 100, offset: q.offset ?? 0 });
export const instant = (value?: string) => (value === undefined ? undefined : Date.parse(value));
