// Backtest speed, in this process against the built code: a year of one-minute bars (BENCH_BARS,
// default 370,000: about a year of CME futures hours) imported from CSV, then replayed as four
// quotes a bar through
//   1. the pass-through strategy with an alert every 30 minutes (brackets on every entry),
//   2. strategies/bracket-helper.ts (onWebhook + onFill in the sandbox) with the same alerts,
//   3. strategies/breakout.ts (onTick in the sandbox on every quote) over BENCH_TICK_BARS bars.
// Each run twice: the second must give the same trades (determinism), and its time is reported.
// Run through `npm run bench`, or alone: `node --no-node-snapshot bench/dist/backtest-bench.js` after `npm run build:bench`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstrumentCatalog, parseBars, runBacktest } from '@tradeloop/domain';
import { backtestScript } from '#server/backtest/backtest-script.js';
import { inProcessSandbox } from '#server/backtest/in-process-sandbox.js';
import { QUICK, report, ROOT } from './lib/common.js';

const BARS = Number(process.env.BENCH_BARS ?? (QUICK ? 50_000 : 370_000));
const TICK_BARS = Number(process.env.BENCH_TICK_BARS ?? (QUICK ? 10_000 : 50_000));
const START = Date.UTC(2024, 0, 1, 23);

/** A deterministic random walk of NQ bars (tick 0.25). */
function barsCsv(count) {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let price = 16800;
  const lines = ['time,open,high,low,close,Volume'];
  for (let i = 0; i < count; i++) {
    const open = price;
    let high = open;
    let low = open;
    for (let k = 0; k < 3; k++) {
      price = Math.max(100, price + Math.round((random() - 0.5) * 16) * 0.25);
      high = Math.max(high, price);
      low = Math.min(low, price);
    }
    lines.push(`${(START + i * 60_000) / 1000},${open},${high},${low},${price},${Math.floor(random() * 500)}`);
  }
  return lines.join('\n');
}

/** An alert every 30 minutes: buy / sell in turn with a 40-tick take profit and 20-tick stop, then exit 10 minutes before the next. */
function alertsJson(count) {
  const alerts = [];
  for (let i = 0; i + 30 < count; i += 30) {
    const time = START + i * 60_000 + 30_000;
    alerts.push({
      time,
      alert: { ticker: 'NQ1!', action: (i / 30) % 2 ? 'sell' : 'buy', quantity: 1, takeProfit: { ticks: 40 }, stopLoss: { ticks: 20 } },
    });
    alerts.push({ time: time + 20 * 60_000, alert: { ticker: 'NQ1!', action: 'exit' } });
  }
  return JSON.stringify(alerts);
}

const catalog = new InstrumentCatalog();
const hash = (report) =>
  createHash('sha256')
    .update(JSON.stringify([report.trades, report.fills, report.summary]))
    .digest('hex')
    .slice(0, 16);

async function run(name, input) {
  const results = [];
  for (let i = 0; i < 2; i++) {
    const sandbox = inProcessSandbox({ memoryMb: 64, cpuMs: 1000 });
    const started = performance.now();
    const out = await runBacktest(input, {
      id: 'bench',
      catalog,
      loadScript: async (script, params) =>
        backtestScript(
          sandbox,
          { name: `${script}.ts`, source: readFileSync(join(ROOT, 'strategies', `${script}.ts`), 'utf8') },
          params,
          catalog,
        ),
    });
    results.push({ ms: performance.now() - started, out });
    await sandbox.close();
  }
  const [first, second] = results;
  const same = hash(first.out) === hash(second.out);
  if (!same) throw new Error(`${name}: two runs of the same input gave different trades`);
  const seconds = second.ms / 1000;
  const figure = {
    name,
    bars: second.out.stats.bars,
    quotes: second.out.stats.quotes,
    alerts: second.out.stats.alerts,
    scriptCalls: second.out.stats.scriptCalls,
    trades: second.out.summary.tradeCount,
    seconds: Math.round(seconds * 100) / 100,
    barsPerSecond: Math.round(second.out.stats.bars / seconds),
    quotesPerSecond: Math.round(second.out.stats.quotes / seconds),
    deterministic: same,
  };
  console.log(
    `${name}: ${figure.bars.toLocaleString('en')} bars (${figure.quotes.toLocaleString('en')} quotes, ${figure.scriptCalls.toLocaleString('en')} script calls, ${figure.trades} trades) ` +
      `in ${figure.seconds} s: ${figure.barsPerSecond.toLocaleString('en')} bars/s, ${figure.quotesPerSecond.toLocaleString('en')} quotes/s; same result twice`,
  );
  return figure;
}

const csv = barsCsv(BARS);
let started = performance.now();
const parsed = parseBars(csv);
const importMs = performance.now() - started;
console.log(
  `import: ${parsed.length.toLocaleString('en')} bars (${(csv.length / 1e6).toFixed(1)} MB of CSV) in ${(importMs / 1000).toFixed(2)} s: ${Math.round(parsed.length / (importMs / 1000)).toLocaleString('en')} bars/s`,
);
const alerts = alertsJson(BARS);
const base = { ticker: 'NQ1!', bars: csv, alerts, commissionPerContract: 2.25, spreadTicks: 1 };
started = performance.now();
const runs = [
  await run('pass-through', { ...base, strategy: 'pass-through' }),
  await run('bracket-helper (onWebhook, onFill)', { ...base, strategy: 'bracket-helper' }),
  await run('breakout (onTick on every quote)', { ticker: 'NQ1!', bars: barsCsv(TICK_BARS), strategy: 'breakout' }),
];
report({
  backtest: {
    import: { bars: parsed.length, seconds: Math.round(importMs) / 1000, barsPerSecond: Math.round(parsed.length / (importMs / 1000)) },
    runs,
  },
});
