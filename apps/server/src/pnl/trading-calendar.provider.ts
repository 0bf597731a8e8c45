import type { Provider } from '@nestjs/common';
import { TradingCalendar } from '@tradeloop/domain';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/** The configured trading day (zone + day start), injectable as `TradingCalendar`. */
export const tradingCalendarProvider: Provider = {
  provide: TradingCalendar,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => TradingCalendar.of(config.pnl.timeZone, config.pnl.dayStart),
};
