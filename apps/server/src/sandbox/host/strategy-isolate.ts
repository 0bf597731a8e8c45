import ivm from 'isolated-vm';
import {
  boundedError,
  LOAD_BUDGETS,
  ScriptFailure,
  STARVED_RUNS,
  type CallOutcome,
  type HandlerName,
  type SandboxLimits,
  type ScriptError,
  type ScriptLog,
  type ScriptMeta,
} from '../protocol.js';
import { BOOTSTRAP, BOOTSTRAP_FILENAME } from './bootstrap.js';
import { cpuMsSinceMark, markCpu } from './process-cpu.js';
import { mapStack, type CompiledScript } from './transpile.js';

/** Results bigger than this are refused (a script cannot balloon the host's heap through them). */
const MAX_RESULT_CHARS = 1_000_000;

type Answer =
  | { status: 'done'; actions?: unknown[]; logs?: ScriptLog[]; state?: string; meta?: ScriptMeta }
  | { status: 'pending' }
  | { status: 'error'; error: { message: string; stack?: string }; logs?: ScriptLog[] };

/**
 * One strategy's isolate: created once, reused for every call, rebuilt only after it ran out of
 * memory or timed out (V8 may leave such an isolate half-done). Nothing but strings crosses into
 * it; the References to its bootstrap functions stay on this side.
 */
export class StrategyIsolate {
  private isolate?: ivm.Isolate;
  private context?: ivm.Context;
  private run?: ivm.Reference<(handler: string, arg: string, ctx: string) => string>;
  private poll?: ivm.Reference<() => string>;
  meta?: ScriptMeta;
  loadLogs: ScriptLog[] = [];
  /** CPU time the last run that failed can have had, in ms (see process-cpu.ts). */
  private lastCpuMs = 0;

  constructor(
    readonly script: CompiledScript,
    private readonly limits: SandboxLimits,
    private readonly onCatastrophe: (message: string) => void,
    /** Told before a starved run runs again (the server's watchdog gives it the time). */
    private readonly onRerun?: (stretch: number) => void,
  ) {}

  /** Creates the isolate and runs the script's top level; throws ScriptFailure when the script is unusable. */
  load(): ScriptMeta {
    return this.unstarved((stretch) => this.loadOnce(stretch));
  }

  /** `runs`: how many runs a starved call may have, 1 to STARVED_RUNS. */
  call(handler: HandlerName, arg: string, ctx: string, runs = STARVED_RUNS): CallOutcome {
    return this.unstarved((stretch) => this.callOnce(handler, arg, ctx, stretch), runs);
  }

  /**
   * The budget is enforced on the wall clock, so a machine busy elsewhere (the slow lane and
   * backtests run at a lower priority than the server) can stop a call that barely ran. A run
   * stopped with less than half a budget spent on the CPU was starved, not spinning: it runs
   * again on a fresh isolate with more wall-clock time, and still no more CPU than one budget.
   * Handlers act only through what they return, so a run that was stopped left nothing behind.
   */
  private unstarved<T>(once: (stretch: number) => T, runs = STARVED_RUNS): T {
    const most = Math.min(Math.max(1, Math.floor(runs) || 1), STARVED_RUNS);
    for (let run = 1, stretch = 1; ; run++, stretch *= 2) {
      try {
        // The first run is measured from the server's message (process-cpu.ts); a stretched one
        // marks its own start, after the isolate is rebuilt (loadOnce, callOnce).
        if (run > 1) this.onRerun?.(stretch);
        return once(stretch);
      } catch (error) {
        const starved = error instanceof ScriptFailure && error.error.kind === 'timeout' && this.lastCpuMs < this.limits.cpuMs / 2;
        if (!starved || run >= most) throw error;
      }
    }
  }

  private loadOnce(stretch: number): ScriptMeta {
    this.dispose();
    const isolate = new ivm.Isolate({ memoryLimit: this.limits.memoryMb, onCatastrophicError: this.onCatastrophe });
    this.isolate = isolate;
    try {
      const context = isolate.createContextSync();
      this.context = context;
      const api = context.evalClosureSync(BOOTSTRAP, [], { filename: BOOTSTRAP_FILENAME, result: { reference: true } }) as ivm.Reference<{
        init: () => string;
        run: (handler: string, arg: string, ctx: string) => string;
        poll: () => string;
      }>;
      const init = api.getSync('init', { reference: true }) as ivm.Reference<() => string>;
      this.run = api.getSync('run', { reference: true }) as ivm.Reference<(handler: string, arg: string, ctx: string) => string>;
      this.poll = api.getSync('poll', { reference: true }) as ivm.Reference<() => string>;
      api.release();
      const budget = this.limits.cpuMs * LOAD_BUDGETS;
      const timeout = budget * stretch;
      if (stretch > 1) markCpu();
      try {
        const compiled = isolate.compileScriptSync(this.script.code, { filename: this.script.name });
        compiled.runSync(context, { timeout, release: true });
      } catch (error) {
        this.lastCpuMs = isolate.isDisposed ? Infinity : cpuMsSinceMark();
        throw this.failure(error, 'top level');
      }
      if (stretch > 1) this.overBudget(budget, 'top level');
      const answer = this.answer(() => init.applySync(undefined, [], { timeout }));
      init.release();
      this.loadLogs = answer.status === 'error' || answer.status === 'done' ? (answer.logs ?? []) : [];
      if (answer.status === 'error') throw new ScriptFailure(this.scriptError('invalid', answer.error));
      if (answer.status !== 'done' || !answer.meta) throw new ScriptFailure({ kind: 'invalid', message: 'the script did not load' });
      this.meta = answer.meta;
      return answer.meta;
    } catch (error) {
      this.dispose();
      throw error instanceof ScriptFailure ? error : this.failure(error, 'load');
    }
  }

  private callOnce(handler: HandlerName, arg: string, ctx: string, stretch: number): CallOutcome {
    if (!this.isolate || this.isolate.isDisposed || !this.run) this.loadOnce(stretch);
    const started = process.hrtime.bigint();
    const options = { timeout: this.limits.cpuMs * stretch };
    // Only a stretched run is held to its CPU: on the first, the wall-clock timeout bounds it already.
    if (stretch > 1) markCpu();
    let answer = this.answer(() => this.run!.applySync(undefined, [handler, arg, ctx], options));
    if (answer.status === 'pending') answer = this.answer(() => this.poll!.applySync(undefined, [], options));
    if (stretch > 1) this.overBudget(this.limits.cpuMs, 'call');
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    if (answer.status === 'error') {
      throw new ScriptFailure({ ...this.scriptError('error', answer.error), logs: answer.logs });
    }
    if (answer.status !== 'done') throw new ScriptFailure({ kind: 'invalid', message: 'the handler did not finish' });
    return { actions: answer.actions ?? [], logs: answer.logs ?? [], state: answer.state ?? 'null', micros };
  }

  /** A stretched run that finished on more CPU than its budget is a timeout all the same. */
  private overBudget(budgetMs: number, where: string): void {
    const spentMs = cpuMsSinceMark();
    if (spentMs <= budgetMs) return;
    this.lastCpuMs = spentMs;
    this.dispose();
    throw new ScriptFailure({ kind: 'timeout', message: `${where}: ran over its ${this.limits.cpuMs} ms budget and was stopped` });
  }

  heapUsed(): number {
    if (!this.isolate || this.isolate.isDisposed) return 0;
    return this.isolate.getHeapStatisticsSync().used_heap_size;
  }

  dispose(): void {
    this.run?.release();
    this.poll?.release();
    this.run = this.poll = undefined;
    this.context?.release();
    this.context = undefined;
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.isolate = undefined;
  }

  /** Calls into the isolate; a timeout or an exhausted heap throws ScriptFailure and discards the isolate. */
  private answer(invoke: () => string): Answer {
    let raw: unknown;
    const isolate = this.isolate!;
    try {
      raw = invoke();
    } catch (error) {
      this.lastCpuMs = isolate.isDisposed ? Infinity : cpuMsSinceMark();
      throw this.failure(error, 'call');
    }
    if (typeof raw !== 'string' || raw.length > MAX_RESULT_CHARS) {
      throw new ScriptFailure({ kind: 'invalid', message: 'the sandbox returned an unusable result (was JSON patched?)' });
    }
    try {
      return JSON.parse(raw) as Answer;
    } catch {
      throw new ScriptFailure({ kind: 'invalid', message: 'the sandbox returned an unusable result (was JSON patched?)' });
    }
  }

  private failure(error: unknown, where: string): ScriptFailure {
    const message = error instanceof Error ? error.message : String(error);
    if (/timed out/i.test(message)) {
      this.dispose();
      return new ScriptFailure({ kind: 'timeout', message: `${where}: ran over its ${this.limits.cpuMs} ms budget and was stopped` });
    }
    if (/memory limit/i.test(message) || this.isolate?.isDisposed) {
      this.dispose();
      return new ScriptFailure({
        kind: 'memory',
        message: `${where}: ran out of its ${this.limits.memoryMb} MB of memory and was stopped`,
      });
    }
    return new ScriptFailure(this.scriptError('error', { message, stack: error instanceof Error ? error.stack : undefined }));
  }

  private scriptError(kind: ScriptError['kind'], error: { message: string; stack?: string }): ScriptError {
    // Bounded before the stack is mapped: a script decides how long its error is.
    const bounded = boundedError({ kind, message: String(error.message), stack: error.stack });
    return { kind, message: bounded.message, ...mapStack(this.script, bounded.stack) };
  }
}
