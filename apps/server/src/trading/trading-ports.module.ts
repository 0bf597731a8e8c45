import { Global, Injectable, Module } from '@nestjs/common';
import type { FlattenResult } from '@tradeloop/contracts';
import { AccountFlattener } from '../account-rules/account-flattener.js';
import { TradingModule } from './trading.module.js';
import { TradingService } from './trading.service.js';

/** An account's flatten, for its rules: the trader's flatten scoped to the account. */
@Injectable()
export class TradingFlattener extends AccountFlattener {
  constructor(private readonly trading: TradingService) {
    super();
  }

  flattenAccount(accountId: string, reason: string, cause: string): Promise<FlattenResult> {
    return this.trading.flatten({ accountId }, reason, cause);
  }
}

/** What modules below trading ask of it, answered here app-wide (today: an account's flatten, for its rules). */
@Global()
@Module({
  imports: [TradingModule],
  providers: [{ provide: AccountFlattener, useClass: TradingFlattener }],
  exports: [AccountFlattener],
})
export class TradingPortsModule {}
