import ivm from 'isolated-vm';
import {
  boundedError,
  ScriptFailure,
  type CallOutcome,
  type HandlerName,
  type SandboxLimits,
  type ScriptError,
  type ScriptLog,
  type ScriptMeta,
} from '../protocol.js';
import { BOOTSTRAP, BOOTSTRAP_FILENAME } from './bootstrap.js';
import { mapStack, type CompiledScript } from './transpile.js';

/** A script's top-level code gets this many handler budgets: it runs once per load. */
const LOAD_BUDGETS = 4;
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
  /** CPU time the last call that failed had spent in the isolate, in ms. */
  private lastCpuMs = 0;

  constructor(
    readonly script: CompiledScript,
    private readonly limits: SandboxLimits,
    private readonly onCatastrophe: (message: string) => void,
  ) {}

  /** Creates the isolate and runs the script's top level; throws ScriptFailure when the script is unusable. */
  load(): ScriptMeta {
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
      const timeout = this.limits.cpuMs * LOAD_BUDGETS;
      const cpu = isolate.cpuTime;
      try {
        const compiled = isolate.compileScriptSync(this.script.code, { filename: this.script.name });
        compiled.runSync(context, { timeout, release: true });
      } catch (error) {
        this.lastCpuMs = isolate.isDisposed ? Infinity : Number(isolate.cpuTime - cpu) / 1e6;
        throw this.failure(error, 'top level');
      }
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

  call(handler: HandlerName, arg: string, ctx: string): CallOutcome {
    try {
      return this.callOnce(handler, arg, ctx);
    } catch (error) {
      // The budget is enforced on the wall clock; a call stopped with less than half of it spent on
      // the CPU was starved by a busy machine, not spinning. Handlers act only through what they
      // return, so it runs once more, on a fresh isolate.
      if (error instanceof ScriptFailure && error.error.kind === 'timeout' && this.lastCpuMs < this.limits.cpuMs / 2) {
        return this.callOnce(handler, arg, ctx);
      }
      throw error;
    }
  }

  private callOnce(handler: HandlerName, arg: string, ctx: string): CallOutcome {
    if (!this.isolate || this.isolate.isDisposed || !this.run) this.load();
    const started = process.hrtime.bigint();
    const options = { timeout: this.limits.cpuMs };
    let answer = this.answer(() => this.run!.applySync(undefined, [handler, arg, ctx], options));
    if (answer.status === 'pending') answer = this.answer(() => this.poll!.applySync(undefined, [], options));
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    if (answer.status === 'error') {
      throw new ScriptFailure({ ...this.scriptError('error', answer.error), logs: answer.logs });
    }
    if (answer.status !== 'done') throw new ScriptFailure({ kind: 'invalid', message: 'the handler did not finish' });
    return { actions: answer.actions ?? [], logs: answer.logs ?? [], state: answer.state ?? 'null', micros };
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
    const cpu = isolate.cpuTime;
    try {
      raw = invoke();
    } catch (error) {
      this.lastCpuMs = isolate.isDisposed ? Infinity : Number(isolate.cpuTime - cpu) / 1e6;
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
