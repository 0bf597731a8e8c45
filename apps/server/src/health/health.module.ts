import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [AuthModule, PluginsModule], controllers: [HealthController] })
export class HealthModule {}
