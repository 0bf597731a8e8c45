import { Module, type DynamicModule } from '@nestjs/common';
import { AccountRulesWatchModule } from './account-rules/account-rules-watch.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { StampsModule } from './analytics/stamps.module.js';
import { JournalModule } from './journal/journal.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BacktestModule } from './backtest/backtest.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { AlertPreviewModule } from './engine/alert-preview.module.js';
import { EngineModule } from './engine/engine.module.js';
import { ENTITIES } from './entities.js';
import { ExecutionModule } from './execution/execution.module.js';
import { HealthModule } from './health/health.module.js';
import { EventsModule } from './infra/events/events.module.js';
import { SecretsModule } from './infra/secrets/secrets.module.js';
import { QueueModule } from './infra/queue/queue.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { LogsModule } from './logs/logs.module.js';
import { MarketModule } from './market/market.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { PnlModule } from './pnl/pnl.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { ScriptsModule } from './scripts/scripts.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { StrategyPortsModule } from './strategies/strategy-ports.module.js';
import { WebhookRecordsModule } from './webhooks/webhook-records.module.js';
import { StrategiesModule } from './strategies/strategies.module.js';
import { TradingModule } from './trading/trading.module.js';
import { TradingPortsModule } from './trading/trading-ports.module.js';
import { WatchlistModule } from './watchlist/watchlist.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    // An api process takes webhooks and serves HTTP and /ws; a worker consumes the queue. `all` does both.
    const consumes = config.role !== 'api';
    const serves = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(ENTITIES, config),
        SettingsModule,
        EventsModule,
        StampsModule,
        SecretsModule,
        AuthModule,
        LogsModule,
        QueueModule,
        MarketModule,
        PluginsModule,
        AccountsModule,
        SandboxModule,
        StrategyPortsModule,
        WebhookRecordsModule,
        ScriptsModule,
        StrategiesModule,
        WatchlistModule,
        LedgerModule,
        PnlModule,
        ExecutionModule,
        ...(consumes ? [EngineModule] : []),
        TradingModule,
        TradingPortsModule,
        AccountRulesWatchModule,
        NotificationsModule,
        WebhooksModule,
        AlertPreviewModule,
        HealthModule,
        AnalyticsModule.forRole(consumes),
        JournalModule,
        BacktestModule,
        ...(serves ? [RealtimeModule] : []),
      ],
    };
  }
}
