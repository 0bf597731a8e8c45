import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-events.js';
import { EventBus } from './event-bus.js';
import { RedisEventBridge } from './redis-event-bridge.js';

/** The `/ws` message bus (relayed between processes with Redis) and the in-process internal events. */
@Global()
@Module({ providers: [EventBus, RedisEventBridge, DomainEvents], exports: [EventBus, DomainEvents] })
export class EventsModule {}
