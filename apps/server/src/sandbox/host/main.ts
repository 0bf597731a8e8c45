/**
 * The sandbox host: a child process of the server that owns every strategy's isolate. V8 cannot
 * always unwind from an isolate that runs out of memory, so a catastrophe here costs a restart of
 * this process (the server respawns it and redelivers the events in flight), never the webhook API
 * or the ledger. Requests are handled one at a time, synchronously, in arrival order: the server
 * can tell which call was running if this process dies.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ScriptFailure, type HostMessage, type HostRequest, type HostReply, type HostStats, type ScriptMeta } from '../protocol.js';
import { markCpu } from './process-cpu.js';
import { StrategyIsolate } from './strategy-isolate.js';
import { transpile, type CompiledScript } from './transpile.js';

const isolates = new Map<string, StrategyIsolate>();
/** Transpiled scripts by content, so rebuilding an isolate or loading the same file twice skips TypeScript. */
const compiled = new Map<string, CompiledScript>();
const MAX_COMPILED = 200;

function send(message: HostMessage): void {
  process.send?.(message);
}

/** Sent before it starts, so the server's watchdog gives a starved call the longer run it gets. */
function onRerun(stretch: number): void {
  send({ notice: 'rerun', stretch });
}

function onCatastrophe(message: string): void {
  // isolated-vm: V8 lost control of an isolate; nothing in this process can be trusted any more.
  send({ notice: 'catastrophic', message });
  process.abort();
}

function compile(name: string, source: string): CompiledScript {
  const key = createHash('sha256').update(name).update('\0').update(source).digest('hex');
  let script = compiled.get(key);
  if (!script) {
    script = transpile(name, source);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, script);
  }
  return script;
}

function handle(request: HostRequest): unknown {
  switch (request.op) {
    case 'load': {
      const next = new StrategyIsolate(compile(request.name, request.source), request.limits, onCatastrophe, onRerun);
      const meta: ScriptMeta = next.load();
      isolates.get(request.key)?.dispose();
      isolates.set(request.key, next);
      return { ...meta, logs: next.loadLogs };
    }
    case 'call': {
      const isolate = isolates.get(request.key);
      if (!isolate) throw new ScriptFailure({ kind: 'invalid', message: `no script is loaded for ${request.key}` });
      return isolate.call(request.handler, request.arg, request.ctx, request.runs);
    }
    case 'unload':
      isolates.get(request.key)?.dispose();
      isolates.delete(request.key);
      return null;
    case 'check': {
      const throwaway = new StrategyIsolate(compile(request.name, request.source), request.limits, onCatastrophe, onRerun);
      try {
        return throwaway.load();
      } finally {
        throwaway.dispose();
      }
    }
    case 'stats': {
      const stats: HostStats = {
        isolates: isolates.size,
        heapUsed: [...isolates.values()].map((i) => i.heapUsed()),
        rss: process.memoryUsage.rss(),
      };
      return stats;
    }
  }
}

/** Answers of requests sent with `hold`, not sent yet. */
let held: HostReply[] = [];
/** When the first of them was held (performance.now()). */
let heldSince = 0;
/**
 * Held answers go after this long (ms) even in the middle of a batch: the server takes them and
 * sends the next requests while this process works on the rest.
 */
const HOLD_AT_MOST_MS = 0.5;

function flush(): void {
  if (!held.length) return;
  const replies = held;
  held = [];
  send(replies.length === 1 ? replies[0] : replies);
}

/**
 * One request, or several sent together: run one after another, in order. Each is answered as it
 * ends, except those sent with `hold`, whose answers go together before the next request without
 * it starts and when the batch is done. So whenever a request without `hold` runs, every request
 * before it has been answered: if the process dies under it, the server knows which it was.
 */
process.on('message', (message: HostRequest | HostRequest[]) => {
  markCpu();
  if (Array.isArray(message)) for (const request of message) respond(request);
  else respond(message);
  flush();
});

function respond(request: HostRequest): void {
  if (!request.hold) flush();
  let reply: HostReply;
  const started = process.hrtime.bigint();
  const micros = () => Number(process.hrtime.bigint() - started) / 1000;
  try {
    const value = handle(request);
    reply = { id: request.id, micros: micros(), ok: true, value };
  } catch (error) {
    const failure =
      error instanceof ScriptFailure
        ? error
        : new ScriptFailure({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    reply = { id: request.id, micros: micros(), ok: false, error: failure.error };
  }
  if (!request.hold) send(reply);
  else {
    if (!held.length) heldSince = performance.now();
    held.push(reply);
    if (performance.now() - heldSince >= HOLD_AT_MOST_MS) flush();
  }
}

// The server went away (or closed the channel): so does the host, with every isolate.
process.on('disconnect', () => process.exit(0));
// An isolate V8 wedged holds the main thread, so 'disconnect' would never run: a thread of its own
// watches for the server's death (this process handed to another parent) and ends the host.
const parent = process.ppid;
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
  { eval: true, workerData: parent },
).unref();
send({ notice: 'ready' });
