import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MarketService } from './market.service.js';

@ApiTags('market')
@ApiBearerAuth()
@Controller('api/market')
export class MarketController {
  constructor(private readonly market: MarketService) {}

  @Get('quotes')
  @ApiOperation({ summary: 'The quote cache: latest bid/ask per ticker with its tick size and tick value' })
  quotes() {
    return this.market.allQuotes().map((q) => {
      const instrument = this.market.instrument(q.ticker);
      return {
        ticker: q.ticker,
        bid: q.bid,
        ask: q.ask,
        step: instrument.tickSize,
        tickValue: instrument.tickValue,
        time: new Date(q.time).toISOString(),
        subscribed: this.market.subscriptions().includes(q.ticker),
      };
    });
  }

  @Get('instruments')
  @ApiOperation({ summary: 'The futures catalog (built in plus config); any other symbol trades at step 0.01, $0.01 per unit' })
  instruments() {
    return this.market.catalog.futuresRoots().map((root) => {
      const { description, tickSize, tickValue } = this.market.instrument(root);
      return { root, ticker: `${root}1!`, description, tickSize, tickValue };
    });
  }

  @Get('feeds')
  @ApiOperation({ summary: 'Data feeds: connected, age of the last quote, reconnects' })
  feeds() {
    return this.market.feedStatus();
  }
}
