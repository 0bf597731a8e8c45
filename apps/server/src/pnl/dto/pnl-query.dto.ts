import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { TagQueryParam } from '../../journal/dto/tag-query.dto.js';
import { RESOLUTIONS } from '../pnl-query.service.js';

export class PnlScopeQueryDto {
  @ApiPropertyOptional({ description: 'One strategy' }) @IsOptional() @IsUUID() strategyId?: string;
  @ApiPropertyOptional({ description: 'One account (manual trades included); with neither id: every strategy together' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class PnlSummaryQueryDto extends PnlScopeQueryDto {
  @TagQueryParam() tag?: string;
}

export class PnlCalendarQueryDto extends PnlScopeQueryDto {
  @TagQueryParam() tag?: string;
  @ApiPropertyOptional({ example: '2026-11', description: 'YYYY-MM; the current trading month when absent' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month?: string;
}

const INSTANT = /^(\d{1,15}|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?)$/;

export class PnlSeriesQueryDto extends PnlScopeQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'ISO 8601 or epoch milliseconds; default `to` minus one day' })
  @IsOptional()
  @Matches(INSTANT, { message: 'from must be ISO 8601 or epoch milliseconds' })
  from?: string;
  @ApiPropertyOptional({ example: '2026-11-30T23:59:59Z', description: 'ISO 8601 or epoch milliseconds; default now' })
  @IsOptional()
  @Matches(INSTANT, { message: 'to must be ISO 8601 or epoch milliseconds' })
  to?: string;
  @ApiPropertyOptional({ enum: RESOLUTIONS, default: 'auto', description: 'auto: the finest kept resolution giving at most ~1,000 points' })
  @IsOptional()
  @IsIn(RESOLUTIONS)
  resolution?: (typeof RESOLUTIONS)[number];
}

/** An instant from the query: epoch milliseconds, or ISO 8601 (UTC unless it names an offset). */
export function parseInstant(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const iso = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : /T/.test(value) ? `${value}Z` : `${value}T00:00:00Z`;
  return Date.parse(iso);
}
