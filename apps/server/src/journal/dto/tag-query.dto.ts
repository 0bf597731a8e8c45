import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { JOURNAL_MAX_TAG_LENGTH } from '@tradeloop/contracts';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { TimeRangeQueryDto } from '../../common/query.dto.js';

/** `tag=`: one journal tag, normalized like stored tags (trimmed, lower-cased); 400 naming the problem. */
export const TagQueryParam = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Only trades with this journal tag', example: 'a+ setup' }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toLowerCase() : value)),
    IsString({ message: 'tag must be one tag (give it once)' }),
    MinLength(1, { message: 'tag must not be empty' }),
    MaxLength(JOURNAL_MAX_TAG_LENGTH, { message: `tag must be at most ${JOURNAL_MAX_TAG_LENGTH} characters` }),
    Matches(/^[\p{L}\p{N}][\p{L}\p{N} _\-.:/#+]*$/u, { message: 'tag may hold letters, digits, spaces and - _ . : / # + only' }),
  );

/** The trade history's filters: strategy or account, time range, page, and a journal tag. */
export class TaggedTimeRangeQueryDto extends TimeRangeQueryDto {
  @TagQueryParam() tag?: string;
}

/** SQL keeping only trades that carry a tag (one `?` for the tag). */
export const taggedTrades = (idColumn: string) =>
  `${idColumn} IN (SELECT "tradeId" FROM "journal_tags" WHERE "tag" = ? AND "tradeId" IS NOT NULL)`;
