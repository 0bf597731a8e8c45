/**
 * One backtest in a worker thread of the server: reading a year of bars and replaying it takes
 * seconds of CPU, which must not hold up the API, the engine or `/ws`. A script's isolate runs in
 * a sandbox process of its own, started from here. Messages: `started` (the history was read and
 * checked), `progress`, then `done` with the report or `failed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BacktestRequest, Instrument } from '@tradeloop/contracts';
import { HistoryError, InstrumentCatalog, runBacktest } from '@tradeloop/domain';
import type { SandboxLimits } from '../sandbox/protocol.js';
import { backtestScript, processSandbox, readScript, type ScriptSandbox } from './backtest-script.js';

export interface BacktestWorkerData {
  id: string;
  request: BacktestRequest;
  limits: SandboxLimits;
  strategiesDir: string;
  instruments: Instrument[];
}

export type BacktestWorkerMessage =
  | { type: 'started'; total: number }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; report: unknown }
  | { type: 'failed'; message: string; badInput: boolean };

const data = workerData as BacktestWorkerData;
const post = (message: BacktestWorkerMessage) => parentPort!.postMessage(message);
const catalog = new InstrumentCatalog(data.instruments);
let sandbox: ScriptSandbox | undefined;

runBacktest(data.request, {
  id: data.id,
  catalog,
  loadScript: async (name, params) => {
    sandbox = processSandbox(data.limits, `backtest:${data.id}`);
    return backtestScript(sandbox, await readScript(data.strategiesDir, name), params, catalog);
  },
  started: (total) => post({ type: 'started', total }),
  progress: (done, total) => post({ type: 'progress', done, total }),
})
  .then(
    (report) => post({ type: 'done', report }),
    (error: Error) => post({ type: 'failed', message: String(error.message).slice(0, 1000), badInput: error instanceof HistoryError }),
  )
  .finally(() => void sandbox?.close());
