import { Global, Module } from '@nestjs/common';
import { LogsController } from './logs.controller.js';
import { LogsService } from './logs.service.js';

@Global()
@Module({ controllers: [LogsController], providers: [LogsService], exports: [LogsService] })
export class LogsModule {}
