import type { ChildProcess } from 'node:child_process';
import { defaultHostEntry, SandboxUnavailableError, setNiceness, startHostProcess, stoppedItself } from './host-process.js';
import { PendingCalls, type Request } from './pending-calls.js';
import {
  longestRunMs,
  ScriptFailure,
  STARVED_RUNS,
  type CallOutcome,
  type HandlerName,
  type HostMessage,
  type HostOperation,
  type HostReply,
  type HostOperations,
  type HostStats,
  type SandboxLimits,
  type ScriptLog,
  type ScriptMeta,
} from './protocol.js';
import { SandboxUsage } from './sandbox-usage.js';

export { defaultHostEntry, SandboxUnavailableError } from './host-process.js';

export interface SandboxHostOptions {
  limits: SandboxLimits;
  /** The host's entry module; defaults to the built `host/main.js` next to this file. */
  entry?: string;
  /** Lifecycle messages (a crash, a restart) for the server log. */
  onNotice?: (level: 'warn' | 'error', message: string) => void;
  /** What the log calls this process ("sandbox host"). */
  label?: string;
  /**
   * Requests sent to the process ahead of its answers (it runs them one at a time, in order), at
   * most. Quick calls keep it busy between round trips; the rest wait here, where the next one is
   * chosen fairly.
   */
  window?: number;
  /**
   * How much work (ms, by each strategy's average call) may be sent ahead at once: many quick calls
   * ride together, a slower one waits here, where an alert can still go before it.
   */
  aheadMs?: number;
  /** Niceness of the process: a lane for slow scripts, or for checks, yields the CPU to the server. */
  nice?: number;
  /** With nothing to do for this long, the process ends; the next request starts it again. */
  idleMs?: number;
  /** Sandbox time per key, shared by the hosts of one server. */
  usage?: SandboxUsage;
  /**
   * How many runs a starved `onTick` call gets (STARVED_RUNS when absent). Live lanes give it one:
   * the next quote supersedes it, and a longer call would hold up the others queued behind it (a
   * BullMQ partition carries several strategies). A backtest's ticks each get them all.
   */
  tickRuns?: number;
  /**
   * How the next request is picked among those of the same priority: `oldest` first, or the
   * strategy that used the `least` sandbox time lately (where calls are slow and few wait).
   */
  order?: 'oldest' | 'least';
}

/**
 * How long the request at the head of the line (the one the host is running: it handles them one
 * at a time) may take before the host is presumed stuck, killed and restarted. V8 can wedge an
 * isolate that ran out of memory badly enough that no timeout fires; this is the way out. A call
 * may rebuild its isolate and then run; a starved one runs again with more time, and the host says
 * so first (a `rerun` notice), which starts the watchdog over for that longer run.
 */
const WATCHDOG_SETUP_MS = 30_000;
const watchdogCallMs = (limits: SandboxLimits, stretch = 1) => 2_000 + longestRunMs(limits, stretch);
/** After a crash among ticks whose answers were held together, answers are sent one by one this long. */
const CAREFUL_MS = 60_000;
/** A crash loop cannot spin faster than this. */
const MIN_RESPAWN_INTERVAL_MS = 250;

/**
 * The server's side of the sandbox host: forks it on first use, sends typed requests, restarts it
 * when it dies. The scripts it was told to load are reloaded into a new host on demand, so a
 * crash costs the calls in flight: the oldest one (the call that was running) fails as the
 * script's crash, the others fail with SandboxUnavailableError and are redelivered by the queue.
 */
export class SandboxHost {
  private child?: ChildProcess;
  private starting?: Promise<ChildProcess>;
  /** Waiting their turn, and sent and unanswered. */
  private readonly calls: PendingCalls;
  private watchdog?: NodeJS.Timeout;
  /** The request the watchdog is timing. */
  private watched?: number;
  /** The request the watchdog killed the host over. */
  private killedFor?: number;
  private idleTimer?: NodeJS.Timeout;
  /** A process let go for having nothing to do: its exit is no crash. */
  private retiring?: ChildProcess;
  private readonly scripts = new Map<string, { name: string; source: string }>();
  /** The host generation each script was loaded into. */
  private readonly loadedIn = new Map<string, number>();
  private generation = 0;
  private seq = 0;
  private batches = 0;
  /** Until then, every answer is sent as its request ends: a crash was not told apart (see onExit). */
  private carefulUntil = 0;
  private pumpScheduled = false;
  private lastSpawn = 0;
  private closed = false;
  readonly usage: SandboxUsage;
  /** How many times the host has been started. */
  spawns = 0;
  /** How many times a starved call or load was run again (the host's `rerun` notices). */
  reruns = 0;

  constructor(private readonly options: SandboxHostOptions) {
    this.usage = options.usage ?? new SandboxUsage();
    this.calls = new PendingCalls({
      window: Math.max(1, options.window ?? 64),
      aheadMs: options.aheadMs ?? 2,
      order: options.order,
      usage: this.usage,
    });
  }

  get limits(): SandboxLimits {
    return this.options.limits;
  }

  private get label(): string {
    return this.options.label ?? 'sandbox host';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Requests not answered yet: sent, or waiting their turn. */
  get queued(): number {
    return this.calls.size;
  }

  /** Whether the script of `key` is loaded here. */
  has(key: string): boolean {
    return this.scripts.has(key);
  }

  /** Loads (or replaces) the script a key runs; the returned meta says what the script declares. */
  async load(key: string, name: string, source: string): Promise<ScriptMeta & { logs: ScriptLog[] }> {
    await this.ensureChild();
    const generation = this.generation;
    const meta = await this.request('load', { key, name, source, limits: this.options.limits }, key, 0);
    this.scripts.set(key, { name, source });
    this.loadedIn.set(key, generation);
    return meta;
  }

  /** Runs one handler; a script loaded into an earlier host is loaded again first. */
  async call(key: string, handler: HandlerName, arg: string, ctx: string): Promise<CallOutcome> {
    await this.ensureChild();
    if (this.loadedIn.get(key) !== this.generation) {
      const script = this.scripts.get(key);
      if (!script) throw new ScriptFailure({ kind: 'invalid', message: `no script is loaded for ${key}` });
      await this.load(key, script.name, script.source);
      await this.ensureChild();
    }
    const tick = handler === 'onTick';
    const runs = tick && this.options.tickRuns !== undefined ? { runs: this.options.tickRuns } : {};
    return this.request('call', { key, handler, arg, ctx, ...runs }, key, tick ? 1 : 0);
  }

  async unload(key: string): Promise<void> {
    this.scripts.delete(key);
    this.loadedIn.delete(key);
    // Behind the key's ticks waiting, as unloading comes after them (ticks wait at priority 1).
    if (this.child) await this.request('unload', { key }, key, 1);
  }

  /** Transpiles and runs a script's top level in a throwaway isolate: what it declares, or a ScriptFailure. */
  async check(name: string, source: string): Promise<ScriptMeta> {
    await this.ensureChild();
    return this.request('check', { name, source, limits: this.options.limits }, null, 0);
  }

  async stats(): Promise<HostStats> {
    await this.ensureChild();
    return this.request('stats', {}, null, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.calls.drainWaiting().forEach((r) => r.reject(new SandboxUnavailableError('the sandbox is closed')));
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect?.();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private request<K extends HostOperation>(
    op: K,
    payload: HostOperations[K]['request'],
    key: string | null,
    priority: 0 | 1,
  ): Promise<HostOperations[K]['reply']> {
    return new Promise((resolve, reject) => {
      this.calls.add({
        id: ++this.seq,
        op,
        key,
        priority,
        generation: this.generation,
        payload: payload as Record<string, unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      clearTimeout(this.idleTimer);
      this.pumpSoon();
    });
  }

  /**
   * Pumps once the requests of this turn of the event loop have come in (and the answers read in
   * it have freed the window), so that they travel together in one message.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Sends waiting requests while the window has room: those picked together, in one message. */
  private pump(): void {
    const child = this.child;
    if (!child) return;
    const stale = (request: Request) =>
      request.reject(new SandboxUnavailableError('the sandbox host restarted before this request was sent'));
    const batch: Request[] = [];
    for (;;) {
      const request = this.calls.takeNext(this.generation, stale);
      if (!request) break;
      batch.push(request);
    }
    if (batch.length) {
      this.watchHead(child);
      // Ticks sent together may have their answers sent together too, unless a crash was not
      // told apart lately (see onExit).
      const holding = batch.length > 1 && Date.now() >= this.carefulUntil;
      const batchNo = ++this.batches;
      for (const r of batch) {
        r.batch = batchNo;
        r.hold = holding && r.op === 'call' && r.priority === 1;
      }
      const message = (r: Request) => ({ id: r.id, op: r.op, ...(r.hold ? { hold: true } : {}), ...r.payload });
      // The host runs a batch's requests one after another, in order, as if each had come alone.
      child.send(batch.length === 1 ? message(batch[0]) : batch.map(message), (error) => {
        if (!error) return;
        for (const request of batch) {
          if (this.calls.settle(request.id)) request.reject(new SandboxUnavailableError(`sandbox host unreachable: ${error.message}`));
        }
        this.watchHead(child);
      });
    }
    if (this.calls.size === 0) this.idleSoon(child);
  }

  private idleSoon(child: ChildProcess): void {
    if (!this.options.idleMs || this.closed) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.child !== child || this.queued > 0) return;
      this.retiring = child;
      this.child = undefined;
      child.disconnect?.();
    }, this.options.idleMs);
    this.idleTimer.unref();
  }

  /** Times the oldest unanswered request: the one running now. */
  private watchHead(child: ChildProcess): void {
    const head = this.calls.head();
    if (!head) {
      clearTimeout(this.watchdog);
      this.watchdog = this.watched = undefined;
      return;
    }
    const { id, op } = head;
    if (this.watched === id) return;
    this.armWatchdog(child, id, op, op === 'call' ? watchdogCallMs(this.options.limits) : WATCHDOG_SETUP_MS);
  }

  /** The host is alive and starts a starved call over, with `stretch` times the time: timed from now. */
  private rearmWatchdog(stretch: number): void {
    const head = this.calls.head();
    const child = this.child;
    if (!child || !head || head.op !== 'call' || this.watched !== head.id) return;
    this.armWatchdog(child, head.id, head.op, watchdogCallMs(this.options.limits, Math.min(Math.max(1, stretch), 2 ** STARVED_RUNS)));
  }

  private armWatchdog(child: ChildProcess, id: number, op: HostOperation, limit: number): void {
    clearTimeout(this.watchdog);
    this.watched = id;
    this.watchdog = setTimeout(() => {
      this.options.onNotice?.('error', `${this.label} did not finish a ${op} within ${limit} ms: restarting it`);
      this.killedFor = id;
      child.kill('SIGKILL');
    }, limit);
  }

  private ensureChild(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new SandboxUnavailableError('the sandbox is closed'));
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawn(): Promise<ChildProcess> {
    const wait = this.lastSpawn + MIN_RESPAWN_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastSpawn = Date.now();
    const entry = this.options.entry ?? defaultHostEntry();
    const child = await startHostProcess({ entry, label: this.label, onNotice: this.options.onNotice, onFork: () => this.spawns++ });
    this.generation++;
    this.child = child;
    child.on('message', (message: HostMessage) => this.onMessage(message));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (error) => this.options.onNotice?.('error', `${this.label}: ${error.message}`));
    setNiceness(child, this.options.nice);
    if (this.closed) {
      child.kill('SIGKILL');
      throw new SandboxUnavailableError('the sandbox is closed');
    }
    return child;
  }

  private onMessage(message: HostMessage): void {
    if (Array.isArray(message)) {
      for (const reply of message) this.onReply(reply);
      this.pumpSoon();
      return;
    }
    if ('notice' in message) {
      if (message.notice === 'catastrophic') this.options.onNotice?.('error', `${this.label}: V8 lost an isolate (${message.message})`);
      if (message.notice === 'rerun') {
        this.reruns++;
        this.rearmWatchdog(message.stretch);
      }
      return;
    }
    this.onReply(message);
    this.pumpSoon();
  }

  private onReply(message: HostReply): void {
    const entry = this.calls.settle(message.id);
    if (!entry) return;
    if (entry.key !== null && typeof message.micros === 'number') {
      this.usage.record(entry.key, message.micros / 1000, entry.op === 'call' ? 'call' : 'other');
    }
    if (this.child) this.watchHead(this.child);
    if (message.ok) entry.resolve(message.value);
    else entry.reject(new ScriptFailure(message.error));
  }

  /**
   * The host handles requests one at a time in order, so when it brings itself down (V8 aborts,
   * or the watchdog kills it over a request that never finished) the oldest unanswered request was
   * running (unless answers were held: see above): it fails as its script's crash. Everything else, and everything when the host was
   * killed from outside, fails with SandboxUnavailableError, for the queue to redeliver.
   */
  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child === this.retiring) {
      this.retiring = undefined; // let go while idle: nothing was running in it
      return;
    }
    if (this.child === child) this.child = undefined;
    // Nothing waiting was sent: it was meant for this process, and is tried again (the queue redelivers).
    const { sent, waiting } = this.calls.drain();
    clearTimeout(this.watchdog);
    const killedFor = this.killedFor;
    this.watchdog = this.watched = this.killedFor = undefined;
    const how = signal ?? `code ${code}`;
    const selfInflicted = killedFor !== undefined || stoppedItself(code, signal);
    // The oldest unanswered request was running, unless its answer was being held with the next
    // one's: then any of the ticks held together may have been. None is blamed (all are retried)
    // and answers are not held for a while, so that the next crash is told apart.
    const [head, next] = sent;
    const untold = head?.hold === true && next?.hold === true && next.batch === head.batch;
    if (untold && selfInflicted) this.carefulUntil = Date.now() + CAREFUL_MS;
    if (!this.closed) this.options.onNotice?.('warn', `${this.label} stopped (${how}); it restarts with the next event`);
    sent.forEach((entry, i) => {
      const culprit = !untold && (killedFor !== undefined ? entry.id === killedFor : i === 0 && selfInflicted);
      if (culprit && !this.closed && entry.op !== 'unload' && entry.op !== 'stats') {
        entry.reject(new ScriptFailure({ kind: 'crash', message: `the ${this.label} stopped (${how}) while running this script` }));
      } else {
        entry.reject(new SandboxUnavailableError(`the ${this.label} stopped (${how}) before this request finished`));
      }
    });
    waiting.forEach((r) => r.reject(new SandboxUnavailableError(`the ${this.label} stopped (${how}) before this request was sent`)));
  }
}
