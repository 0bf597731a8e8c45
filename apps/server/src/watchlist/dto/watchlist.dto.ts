import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_WATCHLIST } from '../watchlist.service.js';

export class WatchlistDto {
  @ApiProperty({ type: [String], example: ['NQ1!', 'MNQ1!', 'ES1!', 'MES1!'], maxItems: MAX_WATCHLIST })
  @IsArray()
  @ArrayMaxSize(MAX_WATCHLIST)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tickers!: string[];
}
