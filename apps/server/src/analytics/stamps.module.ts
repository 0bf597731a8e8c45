import { Global, Module } from '@nestjs/common';
import { ExecutionStamps } from './execution-stamps.js';

/** The in-memory stamp collector, for the intake, the engine, execution and `/ws` to stamp into. */
@Global()
@Module({ providers: [ExecutionStamps], exports: [ExecutionStamps] })
export class StampsModule {}
