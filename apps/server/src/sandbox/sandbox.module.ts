import { Module } from '@nestjs/common';
import { SandboxService } from './sandbox.service.js';

/** Strategy scripts run here: one isolated-vm isolate per strategy, in a supervised child process. */
@Module({ providers: [SandboxService], exports: [SandboxService] })
export class SandboxModule {}
