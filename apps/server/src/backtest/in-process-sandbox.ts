import { markCpu } from '../sandbox/host/process-cpu.js';
import { StrategyIsolate } from '../sandbox/host/strategy-isolate.js';
import { transpile } from '../sandbox/host/transpile.js';
import type { SandboxLimits } from '../sandbox/protocol.js';
import type { ScriptSandbox } from './backtest-script.js';

/**
 * A script's isolate in this process (the CLI, the bench): no round trip per call. Never in the
 * server (a script that brings V8 down would take the API with it) nor in a worker thread, where
 * isolated-vm does not load.
 */
export function inProcessSandbox(limits: SandboxLimits): ScriptSandbox {
  let isolate: StrategyIsolate | undefined;
  return {
    load(name, source) {
      isolate = new StrategyIsolate(transpile(name, source), limits, (message) => {
        // V8 lost control of the isolate: nothing in this process can be trusted any more.
        process.stderr.write(`the sandbox lost control of ${name}: ${message}\n`);
        process.exit(70);
      });
      // Marked as the host marks each message: a call starved by a busy machine runs again.
      markCpu();
      return Promise.resolve(isolate.load());
    },
    call(handler, arg, ctx) {
      markCpu();
      return Promise.resolve(isolate!.call(handler, arg, ctx));
    },
    close() {
      isolate?.dispose();
      return Promise.resolve();
    },
  };
}
