import { Module } from '@nestjs/common';
import { AccountRulesModule } from '../account-rules/account-rules.module.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { LinksModule } from '../strategies/links.module.js';
import { RiskService } from './risk.service.js';
import { RedisOrderCounts, SHARED_ORDER_COUNTS } from './shared-order-counts.js';
import { RedisOrdersInFlight, SHARED_ORDERS_IN_FLIGHT } from './shared-orders-in-flight.js';

@Module({
  imports: [SettingsModule, LedgerModule, LinksModule, AccountRulesModule],
  providers: [
    RiskService,
    {
      // With Redis, several processes may place one account's or one strategy's orders.
      provide: SHARED_ORDER_COUNTS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redis.url ? new RedisOrderCounts(config.redis.url, config.queue.prefix) : null),
    },
    {
      // With Redis, several processes may place one account's orders.
      provide: SHARED_ORDERS_IN_FLIGHT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redis.url ? new RedisOrdersInFlight(config.redis.url, config.queue.prefix) : null),
    },
  ],
  exports: [RiskService, SHARED_ORDER_COUNTS],
})
export class RiskModule {}
