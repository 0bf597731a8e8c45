import type { BacktestComparison, BacktestReport } from '@tradeloop/contracts';
import { formatMoney, toCents } from '@tradeloop/domain';

const money = (dollars: number | null) => (dollars === null ? 'n/a' : formatMoney(toCents(dollars)));
const pct = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)} %`);
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const lpad = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

/** The report as the CLI prints it: the run, its speed, the summary, the trades (the last `maxTrades`) and the days. */
export function reportText(report: BacktestReport, maxTrades = 50): string {
  const s = report.summary;
  const st = report.stats;
  const lines = [
    `Backtest ${report.label} — ${report.strategy} on ${report.ticker}` +
      (Object.keys(report.params).length ? ` ${JSON.stringify(report.params)}` : ''),
    `  ${st.bars} bars, ${st.quotes} quotes, ${st.alerts} alerts, ${st.scriptCalls} script calls in ${st.elapsedMs} ms` +
      ` (${st.barsPerSecond.toLocaleString('en-US')} bars/s, ${st.quotesPerSecond.toLocaleString('en-US')} quotes/s)`,
    '',
    `  Net P&L        ${money(s.totalPnl)}   (realized ${money(s.realizedPnl)}, open ${money(s.openPnl)})`,
    `  Trades         ${s.tradeCount}   win rate ${pct(s.winRate)}   profit factor ${s.profitFactor ?? 'n/a'}`,
    `  Max drawdown   ${money(s.maxDrawdown)}`,
    `  Best day       ${s.bestDay ? `${s.bestDay.date} ${money(s.bestDay.pnl)}` : 'n/a'}   worst day ${s.worstDay ? `${s.worstDay.date} ${money(s.worstDay.pnl)}` : 'n/a'}`,
    `  Position       ${Object.keys(s.position).length ? JSON.stringify(s.position) : 'flat'}`,
  ];
  if (report.trades.length) {
    lines.push('', '  #     dir    qty  entry time                entry        exit time                 exit          P&L');
    const shown = report.trades.slice(-maxTrades);
    const first = report.trades.length - shown.length;
    shown.forEach((t, i) =>
      lines.push(
        `  ${pad(String(first + i + 1), 5)} ${pad(t.direction, 6)} ${lpad(String(t.quantity), 3)}  ${pad(t.entryTime, 25)} ${lpad(String(t.entryPrice), 10)}   ` +
          `${pad(t.exitTime, 25)} ${lpad(String(t.exitPrice), 10)} ${lpad(money(t.pnl), 12)}`,
      ),
    );
    if (first > 0) lines.push(`  (${first} earlier trades not shown; --json prints them all)`);
  }
  const days = report.calendar.flatMap((m) => m.days);
  if (days.length) {
    lines.push('', '  Day          trades           P&L');
    for (const d of days.slice(-31)) lines.push(`  ${d.date}   ${lpad(String(d.trades), 6)}  ${lpad(money(d.pnl), 12)}`);
  }
  const warnings = report.notes.filter((n) => n.level === 'warn' || n.level === 'error');
  if (warnings.length) {
    lines.push('', `  ${warnings.length} refusals and errors, the first:`);
    for (const n of warnings.slice(0, 10)) lines.push(`  ${new Date(n.time).toISOString()} ${n.message}`);
  }
  return lines.join('\n');
}

/** Runs side by side: one column per run. */
export function comparisonText(comparison: BacktestComparison): string {
  const rows: [string, (r: BacktestComparison['runs'][number]) => string][] = [
    ['params', (r) => JSON.stringify(r.params)],
    ['net P&L', (r) => money(r.pnl)],
    ['trades', (r) => String(r.trades)],
    ['win rate', (r) => pct(r.winRate)],
    ['profit factor', (r) => String(r.profitFactor ?? 'n/a')],
    ['max drawdown', (r) => money(r.maxDrawdown)],
  ];
  const width = Math.max(16, ...comparison.runs.flatMap((r) => rows.map(([, f]) => f(r).length + 2)));
  const head = `  ${pad('', 15)}${comparison.runs.map((r) => pad(r.label, width)).join('')}`;
  return [head, ...rows.map(([name, f]) => `  ${pad(name, 15)}${comparison.runs.map((r) => pad(f(r), width)).join('')}`)].join('\n');
}
