/**
 * `npm run backtest -- --strategy <name|file> --ticker NQ1! --bars <csv> [--from … --to …]`: a
 * backtest without a server, printing the report (`main.ts` runs it). See docs/backtests.md.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PASS_THROUGH, type BacktestInput, type BacktestReport, type MarketFill, type ScriptParams } from '@tradeloop/contracts';
import { compare, HistoryError, InstrumentCatalog, runBacktest } from '@tradeloop/domain';
import { backtestScript, readScript } from './backtest-script.js';
import { inProcessSandbox } from './in-process-sandbox.js';
import { comparisonText, reportText } from './report-text.js';

export const USAGE = `usage: npm run backtest -- --strategy <pass-through|name|file> --ticker <ticker> (--bars <csv> | --ticks <csv>)
       [--trades <TradingView list of trades csv>] [--alerts <json>] [--from <time>] [--to <time>]
       [--params <json>] [--compare <json>] [--quantity <n>] [--commission <dollars>] [--spread <ticks>]
       [--market-fill quote|next] [--exits <json>] [--risk <json>] [--tz <zone>] [--day-start HH:MM]
       [--strategies-dir <dir>] [--json]`;

const OPTIONS = {
  strategy: { type: 'string', default: PASS_THROUGH },
  ticker: { type: 'string' },
  bars: { type: 'string' },
  ticks: { type: 'string' },
  trades: { type: 'string' },
  alerts: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  params: { type: 'string' },
  compare: { type: 'string' },
  quantity: { type: 'string' },
  commission: { type: 'string' },
  spread: { type: 'string' },
  'market-fill': { type: 'string' },
  exits: { type: 'string' },
  risk: { type: 'string' },
  tz: { type: 'string' },
  'day-start': { type: 'string' },
  'strategies-dir': { type: 'string' },
  'cpu-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

function json<T>(name: string, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HistoryError(`--${name} must be JSON, got ${text.slice(0, 60)}`);
  }
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new HistoryError(`--${name} must be a number, got ${text.slice(0, 40)}`);
  return n;
}

const file = (path: string | undefined) => (path === undefined ? undefined : readFile(path, 'utf8'));

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help || !values.ticker) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const [bars, ticks, trades, alerts] = await Promise.all([
    file(values.bars),
    file(values.ticks),
    file(values.trades),
    file(values.alerts),
  ]);
  const input: BacktestInput = {
    strategy: values.strategy,
    ticker: values.ticker,
    ...(bars !== undefined ? { bars } : {}),
    ...(ticks !== undefined ? { ticks } : {}),
    ...(trades !== undefined ? { trades } : {}),
    ...(alerts !== undefined ? { alerts } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    params: json<ScriptParams>('params', values.params) ?? {},
    quantity: number('quantity', values.quantity),
    commissionPerContract: number('commission', values.commission),
    spreadTicks: number('spread', values.spread),
    marketFill: values['market-fill'] as MarketFill | undefined,
    exits: json('exits', values.exits),
    risk: json('risk', values.risk),
    timeZone: values.tz,
    dayStart: values['day-start'],
  };
  const catalog = new InstrumentCatalog();
  const dir = values['strategies-dir'] ?? process.env['STRATEGIES_DIR'] ?? 'strategies';
  const limits = { memoryMb: 64, cpuMs: number('cpu-ms', values['cpu-ms']) ?? 1000 };
  const once = async (params: ScriptParams, label: string): Promise<BacktestReport> => {
    const sandbox = inProcessSandbox(limits);
    try {
      return await runBacktest(
        { ...input, params, label },
        {
          id: label,
          catalog,
          loadScript: async (name, p) => backtestScript(sandbox, await readScript(dir, name, true), p, catalog),
        },
      );
    } finally {
      await sandbox.close();
    }
  };
  const first = await once(input.params ?? {}, 'run-1');
  const otherParams = json<ScriptParams>('compare', values.compare);
  const second = otherParams ? await once(otherParams, 'run-2') : undefined;
  if (values.json) out(JSON.stringify(second ? { runs: [first, second] } : first, null, 2));
  else {
    out(reportText(first));
    if (second) out(`\n${reportText(second)}\n\n${comparisonText(compare([first, second]))}`);
  }
  return 0;
}
