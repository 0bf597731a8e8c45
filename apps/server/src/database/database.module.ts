import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { dataSourceOptions } from './data-source-options.js';
import { DatabaseService } from './database.service.js';
import { ENTITIES } from './entities.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => dataSourceOptions(config) }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [DatabaseService],
  exports: [TypeOrmModule, DatabaseService],
})
export class DatabaseModule {}
