import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FeedStatus, InstrumentView, QuoteView, SimulatedFeedState } from '@tradeloop/contracts';
import { IsBoolean } from 'class-validator';
import { MarketService } from './market.service.js';
import { SimulatedFeedSetting } from './simulated-feed.service.js';

class SimulatedFeedDto {
  @ApiProperty({ description: 'false: no demo prices at all (paper fills take a real quote or the alert price)' })
  @IsBoolean()
  on!: boolean;
}

@ApiTags('market')
@ApiBearerAuth()
@Controller('api/market')
export class MarketController {
  constructor(
    private readonly market: MarketService,
    private readonly simulated: SimulatedFeedSetting,
  ) {}

  @Get('quotes')
  @ApiOperation({ summary: 'The quote cache: latest bid/ask per ticker with its tick size and tick value' })
  quotes(): QuoteView[] {
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
        feed: q.feed ?? null,
        simulated: q.simulated === true,
      };
    });
  }

  @Get('instruments')
  @ApiOperation({ summary: 'The futures catalog (built in plus config); any other symbol trades at step 0.01, $0.01 per unit' })
  instruments(): InstrumentView[] {
    return this.market.catalog.futuresRoots().map((root) => {
      const { description, tickSize, tickValue } = this.market.instrument(root);
      return { root, ticker: `${root}1!`, description, tickSize, tickValue };
    });
  }

  @Get('feeds')
  @ApiOperation({ summary: 'Data feeds: connected, age of the last quote, reconnects; simulated ones (demo prices) say so' })
  feeds(): FeedStatus[] {
    return this.market.feedStatus();
  }

  @Get('simulated-feed')
  @ApiOperation({ summary: 'Whether the simulated feed (demo prices) is on' })
  simulatedFeed(): SimulatedFeedState {
    return this.simulated.state();
  }

  @Put('simulated-feed')
  @ApiOperation({ summary: 'Switch the simulated feed (demo prices) on or off; kept across restarts' })
  setSimulatedFeed(@Body() dto: SimulatedFeedDto): Promise<SimulatedFeedState> {
    return this.simulated.set(dto.on);
  }
}
