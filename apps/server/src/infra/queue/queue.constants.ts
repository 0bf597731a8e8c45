import type { JobsOptions } from 'bullmq';
import type { EngineEvent } from './event-queue.js';

/** BullMQ queue names are `${QUEUE_NAME}-${partition}`. */
export const QUEUE_NAME = 'tradeloop-events';
export const DEFAULT_PARTITIONS = 8;
export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 500;

export const JOB_NAMES = { webhook: 'webhook', tick: 'tick', fill: 'fill', timer: 'timer', command: 'command' } as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];
export type JobPayload = { [K in JobName]: Extract<EngineEvent, { type: K }> };

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: DEFAULT_ATTEMPTS,
  backoff: { type: 'exponential', delay: DEFAULT_BACKOFF_MS },
  removeOnComplete: true,
  removeOnFail: 1000,
};

/** A handler longer than this is presumed dead and its job handed out again (never concurrently). */
export const WORKER_LOCK_MS = 30_000;
export const WORKER_STALLED_INTERVAL_MS = 15_000;
