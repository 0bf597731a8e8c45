import { Module } from '@nestjs/common';
import { AccountRecordsModule } from './account-records.module.js';
import { AccountsController } from './accounts.controller.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { AccountsService } from './accounts.service.js';

@Module({
  imports: [AccountRecordsModule, PluginsModule, PnlModule],
  controllers: [AccountsController],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
