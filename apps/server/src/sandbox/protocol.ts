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
  /** Wall-clock budget of one handler call (and of a script's top-level code), in ms. */
  cpuMs: number;
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

/** A script that failed: syntax, a throw, a timeout, memory, an invalid export, or the host dying under it. */
export class ScriptFailure extends Error {
  constructor(readonly error: ScriptError) {
    super(error.message);
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
  call: { request: { key: string; handler: HandlerName; arg: string; ctx: string }; reply: CallOutcome };
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

export type HostRequest = { [K in HostOperation]: { id: number; op: K } & HostOperations[K]['request'] }[HostOperation];

export type HostReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ScriptError };

/** Sent unasked: the host is up, or going down (V8 lost control of an isolate). */
export type HostNotice = { notice: 'ready' } | { notice: 'catastrophic'; message: string };

export type HostMessage = HostReply | HostNotice;
