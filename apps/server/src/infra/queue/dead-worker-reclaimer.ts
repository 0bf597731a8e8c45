import type { Queue } from 'bullmq';
import { hostname } from 'node:os';

export interface ReclaimerOptions {
  /** This process's workers' name (`host:pid:suffix`). */
  ownName: string;
  /** How often active jobs are looked at. */
  everyMs: number;
  /**
   * How long a worker on another machine must have had no connection before its job is taken
   * back: longer than a reconnect after Redis itself restarted.
   */
  remoteGraceMs: number;
  /** A job is taken back at most this many times (a job that kills every worker taking it then waits for its lock). */
  maxReclaims: number;
  /** A job taken back from a dead worker: for the log. */
  onReclaimed?: (queue: string, jobId: string, worker: string) => void;
  /** Redis refuses CLIENT LIST (some managed services): jobs of dead workers wait for their locks instead. */
  onUnavailable?: (reason: string) => void;
}

interface RedisLike {
  incr(key: string): Promise<number>;
  expire(key: string, seconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

/** The worker name in a BullMQ worker connection's client name (`<prefix>:<queue in base64>:w:<name>`). */
const WORKER_NAME = /:w:(.+)$/;

/**
 * Takes back the jobs of a worker process that died. BullMQ notices a dead worker only once the
 * job's lock expires and a stalled check runs (the lock's length plus up to two check intervals);
 * meanwhile the job holds its partition and every strategy on it stands still. A process killed
 * outright closes its Redis connections at once, though. A job whose worker has no connection
 * left goes back to waiting, by its own lock token:
 *
 * - at once when the worker ran on this machine and its process is gone (or was this process's
 *   previous life: a restarted worker takes its own jobs back within a second of starting);
 * - after `remoteGraceMs` without a connection when it ran elsewhere, so a connection being
 *   re-made (Redis restarted) is not taken for a death.
 *
 * Running one twice is harmless: every order carries a client order id derived from its event.
 */
export class DeadWorkerReclaimer {
  private timer?: NodeJS.Timeout;
  private running = false;
  private disabled = false;
  /** Workers seen without a connection, and since when. */
  private missingSince = new Map<string, number>();

  constructor(
    private readonly queues: Queue[],
    private readonly options: ReclaimerOptions,
  ) {}

  start(): void {
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at every partition's active job; returns how many were taken back. */
  async pass(): Promise<number> {
    if (this.running || this.disabled) return 0;
    this.running = true;
    try {
      const active = (await Promise.all(this.queues.map(async (queue) => ({ queue, jobs: await queue.getActive() })))).filter(
        (a) => a.jobs.length > 0,
      );
      if (!active.length) {
        this.missingSince.clear();
        return 0;
      }
      const alive = await this.liveWorkers();
      if (alive === null) return 0;
      const now = Date.now();
      const missing = new Map<string, number>();
      let reclaimed = 0;
      for (const { queue, jobs } of active) {
        for (const job of jobs) {
          const worker = job.processedBy;
          if (!worker || alive.has(worker) || job.id === undefined) continue;
          const since = this.missingSince.get(worker) ?? missing.get(worker) ?? now;
          missing.set(worker, since);
          if (!this.gone(worker, now - since)) continue;
          if (await this.reclaim(queue, job.id, worker)) reclaimed++;
        }
      }
      this.missingSince = missing;
      return reclaimed;
    } catch {
      return 0; // Redis away: the next pass looks again
    } finally {
      this.running = false;
    }
  }

  /** Whether a worker with no connection to Redis, for `missingMs` now, is dead for sure. */
  private gone(worker: string, missingMs: number): boolean {
    const parts = worker.split(':');
    const pid = Number(parts.at(-2));
    const host = parts.slice(0, -2).join(':');
    if (host === hostname() && Number.isInteger(pid) && pid > 0) {
      // This process under an earlier name is its previous life (a container restarts with the same pid).
      if (pid === process.pid) return worker !== this.options.ownName;
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return missingMs >= this.options.remoteGraceMs;
  }

  /** Names of the workers with a connection open to Redis now; null when Redis will not say. */
  private async liveWorkers(): Promise<Set<string> | null> {
    const client = (await this.queues[0].getBackend().client) as unknown as { client(op: 'LIST'): Promise<string> };
    let list: string;
    try {
      list = await client.client('LIST');
    } catch (error) {
      this.disabled = true;
      this.options.onUnavailable?.((error as Error).message);
      return null;
    }
    const names = new Set<string>();
    for (const line of list.split('\n')) {
      const name = /(?:^| )name=(\S+)/.exec(line)?.[1];
      const worker = name && WORKER_NAME.exec(name)?.[1];
      if (worker) names.add(worker);
    }
    return names;
  }

  private async reclaim(queue: Queue, jobId: string, worker: string): Promise<boolean> {
    const client = (await queue.getBackend().client) as unknown as RedisLike;
    const counter = `${queue.toKey(jobId)}:reclaims`;
    const times = await client.incr(counter);
    await client.expire(counter, 3600);
    if (times > this.options.maxReclaims) return false;
    const token = await client.get(`${queue.toKey(jobId)}:lock`);
    if (!token) return false; // already released: BullMQ's own stalled check moves it
    const job = await queue.getJob(jobId);
    if (!job) return false;
    try {
      // By the dead worker's own token: if anything else took the job meanwhile, this changes nothing.
      await job.moveToWait(token);
    } catch {
      return false;
    }
    this.options.onReclaimed?.(queue.name, jobId, worker);
    return true;
  }
}
