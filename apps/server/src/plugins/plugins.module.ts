import { Module } from '@nestjs/common';
import { MarketModule } from '../market/market.module.js';
import { PluginHostService } from './plugin-host.service.js';

@Module({ imports: [MarketModule], providers: [PluginHostService], exports: [PluginHostService] })
export class PluginsModule {}
