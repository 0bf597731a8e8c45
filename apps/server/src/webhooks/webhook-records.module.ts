import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookEvent } from './webhook-event.entity.js';
import { WebhookEventsReader } from './webhook-events.reader.js';

/** The webhook events table and its reader, for the engine that works the events through. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent])],
  providers: [WebhookEventsReader],
  exports: [WebhookEventsReader, TypeOrmModule],
})
export class WebhookRecordsModule {}
