import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MarketModule } from '../market/market.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [AuthModule, MarketModule, PluginsModule], controllers: [HealthController] })
export class HealthModule {}
