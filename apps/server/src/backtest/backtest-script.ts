import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ScriptParams } from '@tradeloop/contracts';
import { HistoryError, type BacktestAction, type BacktestScript, type InstrumentCatalog, type ScriptCallResult } from '@tradeloop/domain';
import { parseAction } from '../engine/script-actions.js';
import type { CallOutcome, HandlerName, SandboxLimits, ScriptMeta } from '../sandbox/protocol.js';
import { SandboxHost } from '../sandbox/sandbox-host.js';
import { MAX_SCRIPT_BYTES } from '../scripts/scripts.service.js';
import { paramsProblem, scriptNameProblem } from '../scripts/script-rules.js';

/**
 * The sandbox a backtest runs a script in: the same isolated-vm isolate and bootstrap as live,
 * either in a supervised child process (the server: a script that brings V8 down costs that
 * process, not the API) or in this process (`in-process-sandbox.ts`: the CLI and the bench, one
 * process per run anyway, and no round trip per call).
 */
export interface ScriptSandbox {
  load(name: string, source: string): Promise<ScriptMeta>;
  call(handler: HandlerName, arg: string, ctx: string): Promise<CallOutcome>;
  close(): Promise<void>;
}

export function processSandbox(limits: SandboxLimits, key: string): ScriptSandbox {
  const host = new SandboxHost({ limits, label: 'backtest sandbox host', nice: 10, window: 1 });
  return {
    load: (name, source) => host.load(key, name, source),
    call: (handler, arg, ctx) => host.call(key, handler, arg, ctx),
    close: () => host.close(),
  };
}

/**
 * A script's source by name in the strategies folder (`breakout` or `breakout.ts`), or, when
 * `allowPath` (the CLI), a file anywhere.
 */
export async function readScript(dir: string, name: string, allowPath = false): Promise<{ name: string; source: string }> {
  let path: string;
  if (allowPath && /[\\/]/.test(name)) path = resolve(name);
  else {
    const file = /\.(ts|js)$/.test(name) ? name : `${name}.ts`;
    const problem = scriptNameProblem(file);
    if (problem) throw new HistoryError(`strategy: ${problem}`);
    path = join(dir, file);
  }
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new HistoryError(`strategy ${JSON.stringify(name.slice(0, 100))}: no such script`);
  if (info.size > MAX_SCRIPT_BYTES) throw new HistoryError(`strategy ${name.slice(0, 100)}: larger than ${MAX_SCRIPT_BYTES} bytes`);
  return { name: basename(path), source: await readFile(path, 'utf8') };
}

/** A loaded script as the backtest engine calls it: params checked against its defaults, actions validated as live. */
export async function backtestScript(
  sandbox: ScriptSandbox,
  script: { name: string; source: string },
  params: ScriptParams,
  catalog: InstrumentCatalog,
): Promise<BacktestScript> {
  const meta = await sandbox.load(script.name, script.source);
  const problem = paramsProblem(meta.params, params, script.name);
  if (problem) throw new HistoryError(problem);
  const aliases: Record<string, string> = {};
  for (const ticker of meta.tickers) {
    try {
      aliases[ticker] = catalog.canonical(ticker);
    } catch {
      /* not a ticker: the script sees no quote for it */
    }
  }
  return {
    handlers: new Set(meta.handlers),
    aliases,
    everyMs: meta.everyMs,
    params: { ...meta.params, ...params },
    initialState: meta.state ?? {},
    async call(handler, arg, ctx): Promise<ScriptCallResult> {
      const outcome = await sandbox.call(handler, JSON.stringify(arg), JSON.stringify(ctx));
      const actions: BacktestAction[] = [];
      const refused: string[] = [];
      for (const raw of outcome.actions) {
        const action = parseAction(raw);
        if (typeof action === 'string') refused.push(action);
        else actions.push(action);
      }
      return { actions, refused, logs: outcome.logs, state: JSON.parse(outcome.state) as unknown };
    },
  };
}
