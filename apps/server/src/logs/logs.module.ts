import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogEntry } from './log-entry.entity.js';
import { LogStrategyLine } from './log-strategy-line.entity.js';
import { LogsController } from './logs.controller.js';
import { LogsService } from './logs.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LogEntry, LogStrategyLine])],
  controllers: [LogsController],
  providers: [LogsService],
  exports: [LogsService],
})
export class LogsModule {}
