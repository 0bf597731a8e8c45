import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { StrategiesModule } from '../strategies/strategies.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { BacktestController } from './backtest.controller.js';
import { BacktestService } from './backtest.service.js';
import { QuoteRecorder } from './quote-recorder.service.js';

/** Backtests and replays (`/api/backtests`), and the quote recording they replay. */
@Module({
  imports: [MarketModule, StrategiesModule, WebhooksModule],
  controllers: [BacktestController],
  providers: [BacktestService, QuoteRecorder],
})
export class BacktestModule {}
