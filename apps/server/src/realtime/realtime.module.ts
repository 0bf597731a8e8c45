import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MarketModule } from '../market/market.module.js';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({ imports: [AuthModule, MarketModule], providers: [RealtimeGateway], exports: [RealtimeGateway] })
export class RealtimeModule {}
