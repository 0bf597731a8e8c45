import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-events.js';
import { EventBus } from './event-bus.js';
import { ProcessNotes } from './process-notes.js';
import { RedisEventBridge } from './redis-event-bridge.js';

/** The `/ws` message bus and the notes between processes (both relayed with Redis), and the in-process internal events. */
@Global()
@Module({ providers: [EventBus, ProcessNotes, RedisEventBridge, DomainEvents], exports: [EventBus, ProcessNotes, DomainEvents] })
export class EventsModule {}
