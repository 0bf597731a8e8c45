import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller.js';
import { PnlModule } from '../pnl/pnl.module.js';
import { AccountsService } from './accounts.service.js';

@Module({ imports: [PnlModule], controllers: [AccountsController], providers: [AccountsService], exports: [AccountsService] })
export class AccountsModule {}
