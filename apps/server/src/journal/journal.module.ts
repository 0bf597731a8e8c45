import { Module } from '@nestjs/common';
import { AnalyticsSql } from '../analytics/analytics-sql.js';
import { JournalController } from './journal.controller.js';
import { JournalService } from './journal.service.js';

/** Tags and notes on trades and trading days; tag filters in the trade list, calendar and summary read its tags table. */
@Module({ controllers: [JournalController], providers: [JournalService, AnalyticsSql], exports: [JournalService] })
export class JournalModule {}
