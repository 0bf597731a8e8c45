import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StrategyListing } from '../database/strategy-listing.js';
import { LastSignals } from '../strategies/last-signals.js';
import { WebhookLastSignals } from './last-signals.provider.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { WebhookEventsReader } from './webhook-events.reader.js';

/**
 * The webhook events table and its readers: the engine works the events through, and the
 * strategies list shows each strategy's last alert (global, as strategies sit below webhooks).
 * The events are listed by strategy once a second (StrategyListing).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent])],
  providers: [WebhookEventsReader, { provide: LastSignals, useClass: WebhookLastSignals }],
  exports: [WebhookEventsReader, LastSignals, TypeOrmModule],
})
export class WebhookRecordsModule {
  constructor(listing: StrategyListing) {
    listing.register('webhook_events');
  }
}
