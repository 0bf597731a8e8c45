import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus.js';
import { RedisEventBridge } from './redis-event-bridge.js';

@Global()
@Module({ providers: [EventBus, RedisEventBridge], exports: [EventBus] })
export class EventsModule {}
