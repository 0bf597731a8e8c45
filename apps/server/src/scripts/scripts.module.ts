import { Module } from '@nestjs/common';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { ScriptsController } from './scripts.controller.js';
import { ScriptsService } from './scripts.service.js';

@Module({
  imports: [SandboxModule],
  controllers: [ScriptsController],
  providers: [ScriptsService],
  exports: [ScriptsService, SandboxModule],
})
export class ScriptsModule {}
