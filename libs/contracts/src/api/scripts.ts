import type { ScriptParams } from '../strategy-api.js';
import type { IsoTime } from './common.js';

export const SCRIPT_PROBLEM_KINDS = ['syntax', 'error', 'timeout', 'memory', 'invalid', 'crash'] as const;
/** `syntax`: it does not compile; `error`: it threw; `timeout`, `memory`: over a limit; `invalid`: not a strategy; `crash`: the sandbox died. */
export type ScriptProblemKind = (typeof SCRIPT_PROBLEM_KINDS)[number];

/** Why a script does not load; line and column point into the script as written. */
export interface ScriptProblem {
  kind: ScriptProblemKind;
  message: string;
  line?: number;
  column?: number;
}

/** `GET /api/scripts`: a strategy script in the scripts folder. */
export interface ScriptInfo {
  /** The file's name, `breakout.ts`. */
  name: string;
  /** Bytes. */
  size: number;
  updatedAt: IsoTime;
  /** A version of the file has loaded (strategies can run it). */
  loaded: boolean;
  /** Why the file as it is on disk does not load (the previous version keeps running). */
  error: ScriptProblem | null;
  /** The handlers it defines (`onAlert`, `onQuote`, …). */
  handlers: string[];
  /** The declared defaults of the settings a strategy may change. */
  params: ScriptParams;
  tickers: string[];
  /** The timer's period in milliseconds, or null. */
  every: number | null;
  /** The strategies running it. */
  strategyIds: string[];
}

/** `GET/PUT /api/scripts/:name`: with its source. */
export interface ScriptFile extends ScriptInfo {
  source: string;
}

/** The `400` a save of a script that does not load answers: where, and why, in the script as sent. */
export interface ScriptRefusal extends ScriptProblem {
  statusCode: 400;
  error: 'Bad Request';
  /** `source: breakout.ts:3:15: Expression expected.` */
  message: string;
}
