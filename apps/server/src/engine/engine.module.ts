import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { MarketModule } from '../market/market.module.js';
import { EngineService } from './engine.service.js';

@Module({ imports: [AccountsModule, ExecutionModule, MarketModule], providers: [EngineService] })
export class EngineModule {}
