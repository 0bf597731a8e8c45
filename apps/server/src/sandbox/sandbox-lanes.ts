import type { CallOutcome, HandlerName, HostStats, SandboxLimits, ScriptLog, ScriptMeta } from './protocol.js';
import { SandboxHost } from './sandbox-host.js';
import { SandboxUsage } from './sandbox-usage.js';

export type Lane = 'main' | 'slow';

export interface SandboxLanesOptions {
  limits: SandboxLimits;
  /** A strategy whose handler calls average more than this (ms) runs in the slow lane. */
  slowCallMs: number;
  /** The host entry module (tests); defaults to the built one. */
  entry?: string;
  /** Lifecycle messages for the server log; `key` names the strategy when one is concerned. */
  onNotice?: (level: 'info' | 'warn' | 'error', message: string, key?: string) => void;
}

/** A strategy moved to the slow lane stays there at least this long, so a script does not flap between the two. */
const MIN_SLOW_STAY_MS = 10_000;
/** The checker process ends after this long without a check. */
const CHECKER_IDLE_MS = 30_000;
/** Niceness of the slow lane and the checker: they give way to the server and to quick strategies. */
const BACKGROUND_NICE = 10;

/**
 * The strategy sandbox of one server process, in three processes so that no script can hold up
 * another's alert:
 *
 * - the **main lane** runs every strategy whose handler calls are quick. Requests wait on this
 *   side and the next one is picked fairly (alerts, fills and timers before ticks, then the
 *   strategy that used the least sandbox time lately); only about 2 ms of work is sent ahead, so
 *   a healthy strategy's alert waits at most for that and the call running;
 * - the **slow lane** takes a strategy whose calls average more than `slowCallMs`, at a lower CPU
 *   priority, one call at a time and fairly among the slow ones; it comes back once its calls are
 *   quick again (half the limit). Moving reloads the script in the other process: top-level
 *   variables start afresh there (`ctx.state` is kept);
 * - the **checker** runs the top level of scripts being uploaded or reloaded from disk, never in a
 *   process that runs strategies, at a lower priority, and ends when idle.
 */
export class SandboxLanes {
  readonly usage = new SandboxUsage();
  readonly main: SandboxHost;
  readonly slow: SandboxHost;
  readonly checker: SandboxHost;
  private readonly lanes = new Map<string, { lane: Lane; since: number }>();
  private readonly scripts = new Map<string, { name: string; source: string }>();

  constructor(private readonly lanesOptions: SandboxLanesOptions) {
    const { limits, entry } = lanesOptions;
    const notice = (level: 'warn' | 'error', message: string) => lanesOptions.onNotice?.(level, message);
    // A starved live tick is not run again (see tickRuns): the next quote comes soon.
    this.main = new SandboxHost({ limits, entry, usage: this.usage, onNotice: notice, tickRuns: 1 });
    this.slow = new SandboxHost({
      limits,
      entry,
      usage: this.usage,
      onNotice: notice,
      label: 'slow-lane sandbox host',
      tickRuns: 1,
      window: 1,
      order: 'least',
      nice: BACKGROUND_NICE,
    });
    this.checker = new SandboxHost({
      limits,
      entry,
      onNotice: notice,
      label: 'script checker',
      window: 1,
      nice: BACKGROUND_NICE,
      idleMs: CHECKER_IDLE_MS,
    });
  }

  get limits(): SandboxLimits {
    return this.lanesOptions.limits;
  }

  /** The main lane's process (the one most strategies run in). */
  get pid(): number | undefined {
    return this.main.pid;
  }

  get spawns(): number {
    return this.main.spawns;
  }

  /** Where the strategy's calls run now. */
  laneOf(key: string): Lane {
    return this.lanes.get(key)?.lane ?? 'main';
  }

  /**
   * Whether a call for the key would wait its turn in the slow lane. Where strategies share a
   * queue partition (BullMQ), a tick that would wait is skipped rather than hold the partition.
   */
  wouldWait(key: string): boolean {
    return this.laneOf(key) === 'slow' && this.slow.queued > 0;
  }

  async load(key: string, name: string, source: string): Promise<ScriptMeta & { logs: ScriptLog[] }> {
    const lane = this.laneOf(key);
    const meta = await this.host(lane).load(key, name, source);
    this.scripts.set(key, { name, source });
    if (!this.lanes.has(key)) this.lanes.set(key, { lane, since: Date.now() });
    return meta;
  }

  async call(key: string, handler: HandlerName, arg: string, ctx: string): Promise<CallOutcome> {
    const lane = this.decide(key);
    if (lane !== this.laneOf(key)) await this.move(key, lane);
    return this.host(this.laneOf(key)).call(key, handler, arg, ctx);
  }

  async unload(key: string): Promise<void> {
    this.scripts.delete(key);
    this.lanes.delete(key);
    this.usage.forget(key);
    await Promise.all([this.main.has(key) && this.main.unload(key), this.slow.has(key) && this.slow.unload(key)]);
  }

  /** Transpiles and runs a script's top level in the checker process: what it declares, or a ScriptFailure. */
  check(name: string, source: string): Promise<ScriptMeta> {
    return this.checker.check(name, source);
  }

  /** Both lanes together: their isolates, heaps and memory. */
  async stats(): Promise<HostStats> {
    const main = await this.main.stats();
    if (!this.slow.pid) return main;
    const slow = await this.slow.stats();
    return { isolates: main.isolates + slow.isolates, heapUsed: [...main.heapUsed, ...slow.heapUsed], rss: main.rss + slow.rss };
  }

  async close(): Promise<void> {
    await Promise.all([this.main.close(), this.slow.close(), this.checker.close()]);
  }

  private host(lane: Lane): SandboxHost {
    return lane === 'slow' ? this.slow : this.main;
  }

  /** Slow above the limit; back to the main lane under half of it, after a while in the slow one. */
  private decide(key: string): Lane {
    const current = this.lanes.get(key);
    const average = this.usage.averageMs(key);
    const limit = this.lanesOptions.slowCallMs;
    if (current?.lane !== 'slow') return average > limit ? 'slow' : 'main';
    return average < limit / 2 && Date.now() - current.since >= MIN_SLOW_STAY_MS ? 'main' : 'slow';
  }

  private async move(key: string, to: Lane): Promise<void> {
    const script = this.scripts.get(key);
    if (!script) return;
    const from = this.laneOf(key);
    await this.host(to).load(key, script.name, script.source);
    this.lanes.set(key, { lane: to, since: Date.now() });
    void this.host(from)
      .unload(key)
      .catch(() => undefined);
    const average = this.usage.averageMs(key).toFixed(1);
    this.lanesOptions.onNotice?.(
      'info',
      to === 'slow'
        ? `its script's calls take ${average} ms on average (over ${this.lanesOptions.slowCallMs} ms): it runs in the slow lane of the sandbox now, so other strategies do not wait for it`
        : `its script's calls are quick again (${average} ms on average): it runs in the main lane of the sandbox again`,
      key,
    );
  }
}
