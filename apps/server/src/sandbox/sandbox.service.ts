import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogsService } from '../logs/logs.service.js';
import { SandboxLanes } from './sandbox-lanes.js';

/** The sandbox of this server process, with the configured limits; crashes, restarts and lane moves go to the log. */
@Injectable()
export class SandboxService extends SandboxLanes implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig, logs: LogsService) {
    super({
      limits: { memoryMb: config.strategies.memoryMb, cpuMs: config.strategies.cpuMs },
      slowCallMs: config.strategies.slowCallMs,
      onNotice: (level, message, strategyId) =>
        void logs.write({ level, category: 'sandbox', message, ...(strategyId ? { strategyId } : {}) }).catch(() => undefined),
    });
  }

  /** After every module's destroy hook: the event queue has drained (its events may still need scripts). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
