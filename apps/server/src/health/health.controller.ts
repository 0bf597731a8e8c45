import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService } from '../database/database.service.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { PluginHostService } from '../plugins/plugin-host.service.js';
import { VERSION } from '../version.js';

const startedAt = Date.now();

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly database: DatabaseService,
    private readonly plugins: PluginHostService,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Server, database, queue and plugin status' })
  async health() {
    const databaseOk = await this.database.ping();
    const plugins = this.plugins.list();
    return {
      status: databaseOk ? (plugins.some((p) => p.status === 'failed') ? 'degraded' : 'ok') : 'error',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      database: { type: this.database.type, ok: databaseOk },
      queue: { driver: this.queue.driver },
      plugins,
    };
  }
}
