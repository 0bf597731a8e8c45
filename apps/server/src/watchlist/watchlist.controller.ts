import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WatchlistDto } from './dto/watchlist.dto.js';
import { WatchlistService } from './watchlist.service.js';

@ApiTags('market')
@ApiBearerAuth()
@Controller('api/market/watchlist')
export class WatchlistController {
  constructor(private readonly watchlist: WatchlistService) {}

  @Get()
  @ApiOperation({ summary: 'The tickers always quoted: the watchlist and the default tickers of enabled strategies' })
  view() {
    return this.watchlist.view();
  }

  @Put()
  @ApiOperation({ summary: 'Replace the watchlist (at most 50 tickers, each a valid symbol); kept in the database' })
  replace(@Body() dto: WatchlistDto) {
    return this.watchlist.replace(dto.tickers);
  }
}
