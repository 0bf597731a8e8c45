import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HealthView } from '@tradeloop/contracts';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/access.js';
import { AuthService } from '../auth/auth.service.js';
import { credentialOf } from '../auth/authentication.hook.js';
import { DatabaseService } from '../database/database.service.js';
import type { EventQueue } from '../infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { MarketService } from '../market/market.service.js';
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
    private readonly auth: AuthService,
    private readonly market: MarketService,
  ) {}

  /** Open, for uptime checks; the details (versions, plugin errors) only to a signed-in caller. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Status for anyone; server, database, queue and plugin details when signed in' })
  async health(@Req() request: FastifyRequest): Promise<HealthView> {
    const databaseOk = await this.database.ping();
    const plugins = this.plugins.list();
    const status = databaseOk ? (plugins.some((p) => p.status === 'failed') ? 'degraded' : 'ok') : 'error';
    if (!(await this.auth.authenticate(credentialOf(request.headers).token))) return { status };
    return {
      status,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      database: { type: this.database.type, ok: databaseOk },
      queue: { driver: this.queue.driver },
      plugins,
      feeds: this.market.feedStatus(),
    };
  }
}
