import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PnlBar } from './pnl-bar.entity.js';
import { PnlLatest } from './pnl-latest.entity.js';
import { PnlPoint } from './pnl-point.entity.js';
import { PnlRollupMark } from './pnl-rollup-mark.entity.js';
import { ScheduleModule } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LocalLeaderLock, RedisLeaderLock, type LeaderLock } from '../infra/leader/leader-lock.js';
import { MarketModule } from '../market/market.module.js';
import { Clock } from './clock.js';
import { PnlJobs, PNL_LEADER_LOCK } from './pnl-jobs.service.js';
import { PnlLiveService } from './pnl-live.service.js';
import { PnlQueryService } from './pnl-query.service.js';
import { PnlRecorder } from './pnl-recorder.service.js';
import { PnlRollups } from './pnl-rollup.service.js';
import { PnlStream } from './pnl-stream.service.js';
import { PnlSql } from './pnl-sql.js';
import { PnlTrades } from './pnl-trades.js';
import { PnlController } from './pnl.controller.js';
import { PositionReader } from './position-reader.js';
import { tradingCalendarProvider } from './trading-calendar.provider.js';

/** Recorder, rollups, the summary/calendar/series API and the live P&L the listings show. */
@Module({
  imports: [TypeOrmModule.forFeature([PnlPoint, PnlBar, PnlLatest, PnlRollupMark]), ScheduleModule.forRoot(), MarketModule, LedgerModule],
  controllers: [PnlController],
  providers: [
    tradingCalendarProvider,
    Clock,
    PnlSql,
    PositionReader,
    PnlTrades,
    PnlLiveService,
    PnlQueryService,
    PnlRecorder,
    PnlRollups,
    PnlJobs,
    PnlStream,
    {
      provide: PNL_LEADER_LOCK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): LeaderLock =>
        config.redis.url ? new RedisLeaderLock(config.redis.url, `${config.queue.prefix}:pnl-recorder`) : new LocalLeaderLock(),
    },
  ],
  exports: [PnlLiveService, PnlStream, tradingCalendarProvider, Clock],
})
export class PnlModule {}
