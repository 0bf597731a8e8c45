import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogsService } from '../logs/logs.service.js';
import { SandboxHost } from './sandbox-host.js';

/** The sandbox host of this server process, with the configured limits; its crashes and restarts go to the log. */
@Injectable()
export class SandboxService extends SandboxHost implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig, logs: LogsService) {
    super({
      limits: { memoryMb: config.strategies.memoryMb, cpuMs: config.strategies.cpuMs },
      onNotice: (level, message) => void logs.write({ level, category: 'sandbox', message }).catch(() => undefined),
    });
  }

  /** After every module's destroy hook: the event queue has drained (its events may still need scripts). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
