import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountRecordsModule } from '../accounts/account-records.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { Trade } from '../ledger/trade.entity.js';
import { LinksModule } from '../strategies/links.module.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LocalLeaderLock, RedisLeaderLock, type LeaderLock } from '../infra/leader/leader-lock.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { NotificationChannelsService } from './notification-channels.service.js';
import { NotificationHub, NOTIFICATIONS_LEADER_LOCK } from './notification-hub.service.js';
import { NotificationOutbox } from './notification-outbox.js';
import { NotificationSources } from './notification-sources.service.js';
import { NotificationsController } from './notifications.controller.js';

/** Notification channels, the outbox and its delivery, and the events that feed it (from the event bus). */
@Module({
  // Trades are read for the daily summary (the ledger has no trades reader yet).
  imports: [
    TypeOrmModule.forFeature([NotificationChannel, NotificationDelivery, Trade]),
    AccountRecordsModule,
    LedgerModule,
    LinksModule,
    PnlModule,
  ],
  controllers: [NotificationsController],
  providers: [
    NotificationOutbox,
    NotificationHub,
    NotificationChannelsService,
    NotificationSources,
    {
      provide: NOTIFICATIONS_LEADER_LOCK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): LeaderLock =>
        config.redis.url ? new RedisLeaderLock(config.redis.url, `${config.queue.prefix}:notifications`) : new LocalLeaderLock(),
    },
  ],
})
export class NotificationsModule {}
