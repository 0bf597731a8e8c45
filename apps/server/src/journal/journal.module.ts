import { Module } from '@nestjs/common';
import { JournalController } from './journal.controller.js';
import { JournalService } from './journal.service.js';

/** Tags and notes on trades and trading days; tag filters in the trade list, calendar and summary read its tags table. */
@Module({ controllers: [JournalController], providers: [JournalService], exports: [JournalService] })
export class JournalModule {}
