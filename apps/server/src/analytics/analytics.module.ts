import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import { EventBus } from '../infra/events/event-bus.js';
import { MarketModule } from '../market/market.module.js';
import { MarketService } from '../market/market.service.js';
import { AnalyticsQueryService } from './analytics-query.service.js';
import { AnalyticsRecorder } from './analytics-recorder.service.js';
import { AnalyticsSql } from './analytics-sql.js';
import { AnalyticsController } from './analytics.controller.js';
import { ExecutionStamps } from './execution-stamps.js';
import { TradesCsvService } from './trades-csv.service.js';

/**
 * Execution analytics: the recorder writes stamps and excursions off the hot path (a trading
 * process also follows open positions' quotes), the controller answers the Analytics tab and the CSV.
 */
@Module({})
export class AnalyticsModule {
  static forRole(consumes: boolean): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [MarketModule],
      controllers: [AnalyticsController],
      providers: [
        AnalyticsSql,
        AnalyticsQueryService,
        TradesCsvService,
        {
          provide: AnalyticsRecorder,
          inject: [ExecutionStamps, EventBus, MarketService, DatabaseService, AnalyticsSql],
          useFactory: (stamps: ExecutionStamps, bus: EventBus, market: MarketService, database: DatabaseService, sql: AnalyticsSql) =>
            new AnalyticsRecorder(stamps, bus, market, database, sql, consumes),
        },
      ],
      exports: [AnalyticsQueryService, AnalyticsRecorder],
    };
  }
}
