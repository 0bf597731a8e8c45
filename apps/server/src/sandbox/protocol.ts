import type { OrderOptions, ScriptLogLevel, ScriptParams, ScriptState } from '@tradeloop/contracts';

/**
 * The messages between the server and the sandbox host process. Only plain data crosses: script
 * arguments and results travel as JSON strings and are parsed (and validated) on the other side.
 */

export const HANDLERS = ['onWebhook', 'onTick', 'onFill', 'onTimer'] as const;
export type HandlerName = (typeof HANDLERS)[number];

export interface SandboxLimits {
  /** Heap of one isolate, in MB (isolated-vm's memoryLimit; 8 at least). */
  memoryMb: number;
  /**
   * Budget of one handler call, in ms: enforced on the wall clock, and on the CPU when a starved
   * call runs again with more wall-clock time (see STARVED_RUNS).
   */
  cpuMs: number;
}

/** A script's top-level code gets this many handler budgets: it runs once per load. */
export const LOAD_BUDGETS = 4;
/**
 * How many times a starved call or load runs (stopped with less than half a budget spent on the
 * CPU), each time with twice the wall-clock allowance of the one before: 1, 2, then 4 budgets.
 */
export const STARVED_RUNS = 3;

/**
 * The longest one run of a call can take in the host: it may rebuild the isolate (the top level,
 * then its init, each up to LOAD_BUDGETS) and then run the handler (a call, then a poll for what
 * it awaited, each up to a budget), all with `stretch` times the wall-clock allowance.
 */
export function longestRunMs(limits: SandboxLimits, stretch = 1): number {
  return limits.cpuMs * (2 * LOAD_BUDGETS + 2) * stretch;
}

/** The longest a call can take in the host with every run STARVED_RUNS allows (1 + 2 + 4 stretches). */
export function longestCallMs(limits: SandboxLimits): number {
  return longestRunMs(limits, 2 ** STARVED_RUNS - 1);
}

/** What a script declares, read from its default export when it loads. */
export interface ScriptMeta {
  handlers: HandlerName[];
  params: ScriptParams;
  /** The initial `ctx.state`, or null. */
  state: ScriptState | null;
  /** As written in the script; the server resolves them to canonical tickers. */
  tickers: string[];
  /** `every`, in milliseconds; null when the script has no timer. */
  everyMs: number | null;
}

export type ScriptErrorKind = 'syntax' | 'error' | 'timeout' | 'memory' | 'invalid' | 'crash';

/** A script's failure: `stack` and `line`/`column` point into the script as written, not the transpiled code. */
export interface ScriptError {
  kind: ScriptErrorKind;
  message: string;
  stack?: string;
  line?: number;
  column?: number;
  /** What the script logged before it failed. */
  logs?: ScriptLog[];
}

/**
 * The longest error message that leaves the sandbox (its stack may be twice as long). A script can
 * throw an error of any size; each copy of it (isolate → host → server → log) is cut to this, short
 * enough that the log line naming the call and its place still fits the log's 2,000 characters.
 */
export const MAX_ERROR_CHARS = 1500;

/** Cuts a text from a script to at most `max` characters, saying how much was left out. Cutting again changes nothing. */
export function clip(text: string, max = MAX_ERROR_CHARS): string {
  if (text.length <= max) return text;
  const kept = max - 32;
  return `${text.slice(0, kept)}… (${text.length - kept} more characters)`;
}

/**
 * A script error with its message and stack bounded. V8 starts a stack with the message: that copy
 * is cut first, so the frames (where it happened) survive.
 */
export function boundedError(error: ScriptError): ScriptError {
  const message = String(error.message);
  let stack = error.stack === undefined ? undefined : String(error.stack);
  if (stack !== undefined && message.length > MAX_ERROR_CHARS) {
    const at = stack.indexOf(message);
    if (at >= 0) stack = stack.slice(0, at) + clip(message, 200) + stack.slice(at + message.length);
  }
  return {
    ...error,
    message: clip(message),
    ...(stack !== undefined ? { stack: clip(stack) } : {}),
    ...(error.logs ? { logs: error.logs.slice(0, 20).map((l) => ({ level: l.level, message: clip(String(l.message), 1000) })) } : {}),
  };
}

/** A script that failed: syntax, a throw, a timeout, memory, an invalid export, or the host dying under it. */
export class ScriptFailure extends Error {
  readonly error: ScriptError;
  constructor(error: ScriptError) {
    const bounded = boundedError(error);
    super(bounded.message);
    this.error = bounded;
  }
}

/** An order intent as the script produced it; the engine validates every field before acting. */
export type ScriptAction =
  | { kind: 'order'; side: 'buy' | 'sell'; ticker: string; quantity: number; options: OrderOptions }
  | { kind: 'flatten'; ticker: string | null }
  | { kind: 'cancelAll'; ticker: string | null };

export interface ScriptLog {
  level: ScriptLogLevel;
  message: string;
}

export interface CallOutcome {
  actions: unknown[];
  logs: ScriptLog[];
  /** `ctx.state` after the call, as JSON. */
  state: string;
  /** Time spent inside the isolate, in microseconds. */
  micros: number;
}

/** What the server asks of the host, and what each answer carries. */
export interface HostOperations {
  /** Loads (or replaces) the script of one strategy in its own isolate. */
  load: { request: { key: string; name: string; source: string; limits: SandboxLimits }; reply: ScriptMeta & { logs: ScriptLog[] } };
  /** `runs`: how many runs a starved call may have (STARVED_RUNS when absent). */
  call: { request: { key: string; handler: HandlerName; arg: string; ctx: string; runs?: number }; reply: CallOutcome };
  unload: { request: { key: string }; reply: null };
  /** Transpiles and runs a script's top level in a throwaway isolate. */
  check: { request: { name: string; source: string; limits: SandboxLimits }; reply: ScriptMeta };
  stats: { request: Record<string, never>; reply: HostStats };
}

export type HostOperation = keyof HostOperations;

export interface HostStats {
  isolates: number;
  /** Heap in use per loaded isolate, in bytes. */
  heapUsed: number[];
  rss: number;
}

/**
 * `hold`: the answer may wait and travel with the next ones (a quick tick among others sent
 * together); the host sends what it holds before it starts any request without `hold`, and once
 * a batch is done.
 */
export type HostRequest = { [K in HostOperation]: { id: number; op: K; hold?: true } & HostOperations[K]['request'] }[HostOperation];

/** `micros`: how long the host spent on the request (the strategy's share of sandbox time is counted from it). */
export type HostReply = { id: number; micros: number } & ({ ok: true; value: unknown } | { ok: false; error: ScriptError });

/** Sent unasked: the host is up, or going down (V8 lost control of an isolate). */
export type HostNotice =
  | { notice: 'ready' }
  | { notice: 'catastrophic'; message: string }
  /** A starved call or load is about to run again, with `stretch` times the wall-clock allowance. */
  | { notice: 'rerun'; stretch: number };

/** An answer, answers held and sent together (in the order the requests ran), or a notice. */
export type HostMessage = HostReply | HostReply[] | HostNotice;
