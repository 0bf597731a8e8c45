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

/**
 * A worker that has not renewed its job's lock for this long is presumed dead and the job handed
 * out again (it renews every half of it). Short, so a dead worker's partition does not stand
 * still long even where its death cannot be seen sooner; a job run twice orders nothing twice.
 */
export const WORKER_LOCK_MS = 5_000;
export const WORKER_STALLED_INTERVAL_MS = 2_000;
/** Times a job may be found stalled (its worker gone) and run again before it fails as a dead letter. */
export const MAX_STALLED_COUNT = 3;
/** How often a process looks for jobs held by workers whose Redis connections are gone. */
export const RECLAIM_EVERY_MS = 500;
/** A worker on another machine counts as dead after this long without a connection (a reconnect takes less). */
export const RECLAIM_REMOTE_GRACE_MS = 3_000;
/** A job is taken back from dead workers at most this many times; after that it waits for its lock. */
export const MAX_RECLAIMS = 3;
