import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DeadWorkerReclaimer } from './dead-worker-reclaimer.js';
import type { EngineEvent, EnqueueOptions, EventHandler, EventQueue } from './event-queue.js';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_JOB_OPTIONS,
  DEFAULT_PARTITIONS,
  MAX_RECLAIMS,
  MAX_STALLED_COUNT,
  QUEUE_NAME,
  RECLAIM_EVERY_MS,
  RECLAIM_REMOTE_GRACE_MS,
  WORKER_LOCK_MS,
  WORKER_STALLED_INTERVAL_MS,
} from './queue.constants.js';

export interface BullMqEventQueueOptions {
  redisUrl: string;
  partitions?: number;
  /** Redis key prefix, so installs (and test runs) sharing one Redis stay apart. */
  prefix?: string;
  onFailed?: (event: EngineEvent, error: unknown) => void;
  attempts?: number;
  backoffMs?: number;
  /** A job held this long without its worker renewing the lock is presumed dead (see WORKER_LOCK_MS). */
  lockMs?: number;
  /** How often workers look for such jobs. */
  stalledMs?: number;
  /** How often this process looks for jobs of workers that died (0: never; only the locks then). */
  reclaimMs?: number;
  /** Lifecycle lines for the log: a job taken back from a dead worker. */
  onNotice?: (message: string) => void;
  /** The workers' name, `host:pid:suffix` (tests; by default this machine's, this process's and a random suffix). */
  workerName?: string;
}

/** FNV-1a: stable across processes and versions, so a strategy always lands on the same partition. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

export function connectionFromUrl(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis: their commands must wait through a reconnect, not fail.
    maxRetriesPerRequest: null,
  };
}

/**
 * N partition queues on Redis, each with a global concurrency of 1 (one active job per partition
 * across all worker processes): per-strategy order is kept and strategies spread over partitions
 * and, with several processes, over workers. Retries happen
 * inside the job, so a failing event is never overtaken by the next one of its strategy; BullMQ's
 * own redelivery covers a worker that died mid-job.
 */
export class BullMqEventQueue implements EventQueue {
  readonly driver = 'bullmq' as const;
  private readonly connection: ConnectionOptions;
  private readonly partitions: number;
  private readonly prefix: string;
  private readonly queues: Queue[];
  private readonly workers: Worker[] = [];
  /** The newest job per conflation key, to replace it while it still waits. */
  private readonly latestByKey = new Map<string, Job>();
  private sequence = 0;
  private closed = false;
  /** The queues' shared Redis connection, once made; its status says whether Redis is reachable. */
  private client?: { status: string };
  /**
   * This process's workers' name, on their Redis connections and on every job they take: a job
   * whose worker has no connection left belongs to a process that died.
   */
  readonly workerName: string;
  private reclaimer?: DeadWorkerReclaimer;

  constructor(private readonly options: BullMqEventQueueOptions) {
    this.connection = connectionFromUrl(options.redisUrl);
    this.partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.prefix = options.prefix ?? 'tradeloop';
    this.workerName = options.workerName ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.queues = Array.from(
      { length: this.partitions },
      (_, i) =>
        new Queue(`${QUEUE_NAME}-${i}`, {
          connection: this.connection,
          prefix: this.prefix,
          defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, attempts: 1 },
        }),
    );
    this.queues.forEach((queue) => queue.on('error', () => undefined)); // reconnecting is ioredis's job; accepting() reports it
    void this.queues[0].getBackend().client.then(
      (client) => (this.client = client as unknown as { status: string }),
      () => undefined,
    );
  }

  accepting(): boolean {
    return !this.closed && this.client?.status === 'ready';
  }

  async enqueue(partitionKey: string, event: EngineEvent, options: EnqueueOptions = {}): Promise<void> {
    const key = options.conflateKey;
    if (key !== undefined) {
      const pending = this.latestByKey.get(key);
      if (pending && (await pending.getState()) === 'waiting') {
        await pending.updateData(event);
        return;
      }
    }
    const queue = this.queues[partitionOf(partitionKey, this.partitions)];
    const jobId = event.type === 'webhook' ? `webhook-${event.eventId}` : `${event.type}-${Date.now()}-${++this.sequence}`;
    const job = await queue.add(event.type, event, { jobId });
    if (key !== undefined) this.latestByKey.set(key, job);
  }

  async process(handler: EventHandler): Promise<void> {
    if (this.workers.length) throw new Error('event queue already has a handler');
    const attempts = this.options.attempts ?? DEFAULT_ATTEMPTS;
    const backoffMs = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    // One active job per partition across every worker process: a strategy's events never run side by side.
    await Promise.all(this.queues.map((queue) => queue.setGlobalConcurrency(1)));
    for (const queue of this.queues) {
      const worker = new Worker(
        queue.name,
        async (job: Job<EngineEvent>) => {
          for (let attempt = 1; ; attempt++) {
            try {
              return await handler(job.data);
            } catch (error) {
              if (attempt >= attempts || worker.closing) {
                this.options.onFailed?.(job.data, error);
                return;
              }
              await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
            }
          }
        },
        {
          name: this.workerName,
          connection: this.connection,
          prefix: this.prefix,
          concurrency: 1,
          lockDuration: this.options.lockMs ?? WORKER_LOCK_MS,
          stalledInterval: this.options.stalledMs ?? WORKER_STALLED_INTERVAL_MS,
          maxStalledCount: MAX_STALLED_COUNT,
        },
      );
      worker.on('error', () => undefined); // reconnects are BullMQ's job; errors surface through /api/health later
      // The handler above never throws: a job failed by BullMQ itself stalled too often (its workers
      // kept dying). It ends as a dead letter like any event that failed every attempt.
      worker.on('failed', (job, error) => {
        if (job) this.options.onFailed?.(job.data, error);
      });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    const reclaimMs = this.options.reclaimMs ?? RECLAIM_EVERY_MS;
    if (reclaimMs > 0) {
      this.reclaimer = new DeadWorkerReclaimer(this.queues, {
        ownName: this.workerName,
        everyMs: reclaimMs,
        remoteGraceMs: RECLAIM_REMOTE_GRACE_MS,
        maxReclaims: MAX_RECLAIMS,
        onReclaimed: (queue, jobId, worker) => this.options.onNotice?.(`took job ${jobId} of ${queue} back from ${worker}, which died`),
        onUnavailable: (reason) =>
          this.options.onNotice?.(
            `Redis refuses CLIENT LIST (${reason}): a dead worker's job waits for its lock to lapse (queue.lockSeconds)`,
          ),
      });
      this.reclaimer.start();
    }
  }

  /**
   * What Redis keeps across its own restart. BullMQ's jobs live only in Redis: without an append-only
   * file, or with keys evicted under memory pressure, a Redis restart or a full Redis drops queued
   * events (the database still holds them, and the stale-event sweep queues them again).
   */
  async redisSettings(): Promise<{ appendonly: string; maxmemoryPolicy: string } | null> {
    try {
      const client = (await this.queues[0].getBackend().client) as unknown as { config(op: 'GET', key: string): Promise<string[]> };
      const [, appendonly] = await client.config('GET', 'appendonly');
      const [, maxmemoryPolicy] = await client.config('GET', 'maxmemory-policy');
      return { appendonly, maxmemoryPolicy };
    } catch {
      return null; // CONFIG may be disabled on a managed Redis
    }
  }

  async idle(): Promise<void> {
    for (;;) {
      const counts = await Promise.all(this.queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reclaimer?.stop();
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.queues.map((q) => q.close()));
  }

  /** Test cleanup: removes every key this queue made. */
  async obliterate(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.obliterate({ force: true })));
  }
}
