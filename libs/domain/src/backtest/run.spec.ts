import { describe, expect, it } from '@jest/globals';
import type { BacktestInput, BacktestReport } from '@tradeloop/contracts';
import type { BacktestScript, ScriptSnapshot } from './engine.js';
import { runBacktest } from './run.js';

// NQ: tick 0.25 = $5, a point $20. Four one-minute bars from 14:30 UTC, replayed with a one-tick
// spread (ask = bid + 0.25) as open → nearer extreme → other extreme → close at +0, +20 s, +40 s, +59.999 s:
//   14:30  100    → 99.5  → 101   → 100.5
//   14:31  100.5  → 100.25 → 102  → 101.75
//   14:32  101.75 → 102.5 → 99    → 99.25
//   14:33  99.25  → 99.5  → 97    → 97.5
const BARS = [
  'time,open,high,low,close,Volume',
  '2024-01-02T14:30:00Z,100,101,99.5,100.5,10',
  '2024-01-02T14:31:00Z,100.5,102,100.25,101.75,10',
  '2024-01-02T14:32:00Z,101.75,102.5,99,99.25,10',
  '2024-01-02T14:33:00Z,99.25,99.5,97,97.5,10',
].join('\n');

const at = (time: string, alert: Record<string, unknown>) => ({ time, alert });
const ALERTS = JSON.stringify([
  // After the 14:30:20 quote (bid 99.5, ask 99.75): buy 2 at the ask, 99.75; a bracket 8 ticks
  // each way from the fill: take profit 101.75, stop loss 97.75.
  at('2024-01-02T14:30:30Z', { ticker: 'CME_MINI:NQ1!', action: 'buy', quantity: 2, takeProfit: { ticks: 8 }, stopLoss: { ticks: 8 } }),
  // After the 14:32:00 open (bid 101.75): sell 1 at the bid; a stop loss 1.5 points (6 ticks) above, 103.25.
  at('2024-01-02T14:32:10Z', { ticker: 'NQ1!', action: 'sell', quantity: 1, stopLoss: { points: 1.5 } }),
  // After the 14:33:20 quote (ask 99.75): exit, buying 1 at the ask and cancelling the stop.
  at('2024-01-02T14:33:30Z', { ticker: 'NQ1!', action: 'exit' }),
]);

const input: BacktestInput = {
  strategy: 'pass-through',
  ticker: 'NQ1!',
  bars: BARS,
  alerts: ALERTS,
  spreadTicks: 1,
  commissionPerContract: 2.5,
};

/** A report without the wall-clock speed figures, which differ from run to run. */
const stable = (report: BacktestReport) => ({ ...report, stats: { ...report.stats, elapsedMs: 0, barsPerSecond: 0, quotesPerSecond: 0 } });

describe('runBacktest, pass-through', () => {
  it('trades hand-made bars and alerts to the cent', async () => {
    const report = await runBacktest(input, { id: 'bt-1' });
    // Trade 1: long 2 from 99.75; the take profit (sell limit 101.75) is touched on the way from
    // 100.25 to 102 and fills at its price: 2 points × $20 × 2 = $80, less $2.50 × 2 × 2 = $10.
    // Trade 2: short 1 from 101.75, bought back at 99.75: 2 points × $20 = $40, less $5.
    expect(
      report.trades.map((t) => [
        t.direction,
        t.quantity,
        t.entryPrice,
        t.exitPrice,
        t.entryTime,
        t.exitTime,
        t.grossPnl,
        t.commission,
        t.pnl,
      ]),
    ).toEqual([
      ['long', 2, 99.75, 101.75, '2024-01-02T14:30:30.000Z', '2024-01-02T14:31:40.000Z', 80, 10, 70],
      ['short', 1, 101.75, 99.75, '2024-01-02T14:32:10.000Z', '2024-01-02T14:33:30.000Z', 40, 5, 35],
    ]);
    expect(report.fills.map((f) => [f.side, f.quantity, f.price, f.priceSource])).toEqual([
      ['buy', 2, 99.75, 'quote:backtest'],
      ['sell', 2, 101.75, 'quote:backtest'],
      ['sell', 1, 101.75, 'quote:backtest'],
      ['buy', 1, 99.75, 'quote:backtest'],
    ]);
    const s = report.summary;
    expect([s.realizedPnl, s.totalPnl, s.openPnl, s.tradeCount, s.winRate, s.profitFactor, s.activePositions]).toEqual([
      105,
      105,
      0,
      2,
      1,
      null,
      0,
    ]);
    // Equity (realized + open, marked at the bid for a long): 0, 0, 50, 30, 30, 20 (peak 50: −30), 70, …
    expect(s.maxDrawdown).toBe(-30);
    expect(s.bestDay).toEqual({ date: '2024-01-02', pnl: 105 });
    expect(report.calendar).toEqual([
      {
        month: '2024-01',
        scope: 'strategy',
        id: 'bt-1',
        timeZone: 'UTC',
        dayStart: '00:00',
        days: [{ date: '2024-01-02', pnl: 105, trades: 2 }],
        total: 105,
        trades: 2,
      },
    ]);
    expect(report.series.resolution).toBe('1m');
    expect(report.series.points).toEqual([
      { t: Date.UTC(2024, 0, 2, 14, 30), pnl: 30, drawdown: -20 },
      { t: Date.UTC(2024, 0, 2, 14, 31), pnl: 70, drawdown: 0 },
      { t: Date.UTC(2024, 0, 2, 14, 32), pnl: 115, drawdown: -5 },
      { t: Date.UTC(2024, 0, 2, 14, 33), pnl: 105, drawdown: -15 },
    ]);
    expect(report.stats).toMatchObject({ bars: 4, quotes: 16, alerts: 3, scriptCalls: 0 });
  });

  it('gives the same report twice', async () => {
    const a = stable(await runBacktest(input, { id: 'same' }));
    const b = stable(await runBacktest(input, { id: 'same' }));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('holds orders to the risk limits on the simulated clock', async () => {
    const report = await runBacktest({ ...input, risk: { maxPositionSize: 1 } }, { id: 'risk' });
    // The buy 2 is refused; the sell 1 passes (it opens 1) and the exit closes it.
    expect(report.trades.map((t) => [t.direction, t.pnl])).toEqual([['short', 35]]);
    expect(report.notes.map((n) => n.message)).toContain('alert at item 1: buy 2 refused: may hold at most 1; this order would make it 2');
  });

  it('flattens and halts for the day at the daily loss limit, and flattens at flattenAt', async () => {
    const bars =
      'time,open,high,low,close\n2024-01-02T14:30:00Z,100,100,100,100\n2024-01-02T14:31:00Z,100,100.25,98.5,99\n2024-01-02T14:32:00Z,99,99,99,99\n';
    const alerts = JSON.stringify([
      at('2024-01-02T14:30:30Z', { action: 'buy', quantity: 1 }),
      at('2024-01-02T14:32:30Z', { action: 'buy', quantity: 1 }),
    ]);
    const lossy = await runBacktest({ strategy: 'pass-through', ticker: 'NQ1!', bars, alerts, risk: { maxDailyLoss: 30 } }, { id: 'loss' });
    // Long 1 from 100; the 14:31 bar reaches 98.5: −1.5 points × $20 = −$30, the limit: sold at that quote's bid.
    expect(lossy.trades.map((t) => [t.exitPrice, t.pnl, t.exitTime])).toEqual([[98.5, -30, '2024-01-02T14:31:40.000Z']]);
    // The second buy, the same trading day, is refused.
    expect(lossy.notes.map((n) => n.message)).toContain(
      'alert at item 2: buy 1 refused: trading is halted for the rest of the trading day (a daily limit was hit)',
    );
    const flat = await runBacktest(
      { strategy: 'pass-through', ticker: 'NQ1!', bars, alerts, risk: { flattenAt: '14:31', timeZone: 'UTC' } },
      { id: 'flat' },
    );
    // Flattened at the first quote at or after 14:31 UTC, the 14:31 open (100), then bought again at 14:32:30.
    expect(flat.trades.map((t) => [t.exitPrice, t.pnl, t.exitTime])).toEqual([[100, 0, '2024-01-02T14:31:00.000Z']]);
    expect(flat.summary.position).toEqual({ 'NQ1!': 1 });
  });

  it('fills a market order at the next quote when asked (no look-ahead)', async () => {
    const first = JSON.stringify(JSON.parse(ALERTS).slice(0, 1));
    const report = await runBacktest({ ...input, alerts: first, marketFill: 'next' }, { id: 'next' });
    // Only the first alert. The buy waits for 14:30:40 (ask 101.25); its bracket then is 103.25 / 99.25, and the stop is
    // touched going from 101.75 to 99 in the 14:32 bar: 2 × −2 points = −$80 − $10.
    expect(report.trades.map((t) => [t.entryPrice, t.exitPrice, t.pnl])).toEqual([[101.25, 99.25, -90]]);
  });

  it('keeps a range: bars and alerts outside it are left out', async () => {
    const report = await runBacktest({ ...input, from: '2024-01-02T14:32:00Z' }, { id: 'range' });
    expect(report.stats).toMatchObject({ bars: 2, alerts: 2 });
    expect(report.trades.map((t) => t.pnl)).toEqual([35]);
  });
});

describe('which bracket leg wins inside one bar', () => {
  // A flat bar at 100 sets the market; the alert buys 1 at 100 with a take profit at 101 and a stop at 99
  // (4 ticks each way); the next bar reaches both.
  const alerts = JSON.stringify([
    at('2024-01-02T14:30:30Z', { action: 'buy', quantity: 1, takeProfit: { ticks: 4 }, stopLoss: { ticks: 4 } }),
  ]);
  const bars = (next: string) => `time,open,high,low,close\n2024-01-02T14:30:00Z,100,100,100,100\n2024-01-02T14:31:00Z,${next}\n`;
  const exit = async (next: string) =>
    (await runBacktest({ strategy: 'pass-through', ticker: 'NQ1!', bars: bars(next), alerts }, { id: 'leg' })).trades;

  it('the one the bar reaches first: open nearer the low goes down first', async () => {
    // open 100, low 98.75 (1.25 away), high 101.5 (1.5 away): down first, the stop at 99: −4 ticks × $5.
    expect((await exit('100,101.5,98.75,101')).map((t) => [t.exitPrice, t.pnl])).toEqual([[99, -20]]);
  });

  it('open nearer the high goes up first; equally near, a flat or down bar goes up first', async () => {
    expect((await exit('100,101.25,98.5,99')).map((t) => [t.exitPrice, t.pnl])).toEqual([[101, 20]]);
    expect((await exit('100,101.5,98.5,100')).map((t) => [t.exitPrice, t.pnl])).toEqual([[101, 20]]);
    // Equally near and closing up: down first.
    expect((await exit('100,101.5,98.5,100.5')).map((t) => [t.exitPrice, t.pnl])).toEqual([[99, -20]]);
  });

  it('a bar that gaps through a stop fills it at the open, worse than its price', async () => {
    // Opens at 98 (below the stop at 99): sold at 98, −2 points.
    expect((await exit('98,98.5,97.5,98')).map((t) => [t.exitPrice, t.pnl])).toEqual([[98, -40]]);
  });
});

describe('runBacktest, TradingView list of trades', () => {
  const list = [
    'Trade #,Type,Signal,Date/Time,Price USD,Contracts,Profit USD',
    '3,Exit Short,Close,2024-01-04 10:30,16880,1,200',
    '3,Entry Short,Short,2024-01-04 10:00,16890,1,200',
    '2,Exit Long,Reverse,2024-01-04 10:00,16890,1,-200',
    '2,Entry Long,Long,2024-01-04 09:30,16900,1,-200',
    '1,Exit Long,Long Exit,2024-01-02 11:00,16850.25,2,1020',
    '1,Entry Long,Long,2024-01-02 09:30,16824.75,2,1020',
  ].join('\n');

  it("reproduces its trades at its prices (no quotes: the paper fill takes the alert's price)", async () => {
    const report = await runBacktest(
      { strategy: 'pass-through', ticker: 'NQ1!', trades: list, timeZone: 'America/New_York' },
      { id: 'tv' },
    );
    expect(report.trades.map((t) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.pnl, t.entryPriceSource])).toEqual([
      ['long', 2, 16824.75, 16850.25, 1020, 'alert'],
      ['long', 1, 16900, 16890, -200, 'alert'],
      ['short', 1, 16890, 16880, 200, 'alert'],
    ]);
    expect(report.summary.realizedPnl).toBe(1020);
    expect(report.summary.profitFactor).toBe(6.1);
  });
});

describe('runBacktest, a script', () => {
  // A stand-in for a sandboxed script (the sandbox itself is tested with the server): buy 1 on the
  // first bar close above 100, with a 4-tick take profit and stop; it counts its fills in state.
  const script: BacktestScript = {
    handlers: new Set(['onTick', 'onFill']),
    aliases: {},
    everyMs: null,
    params: { threshold: 100 },
    initialState: { fills: 0 },
    async call(handler, arg, ctx: ScriptSnapshot) {
      const state = ctx.state as { fills: number };
      if (handler === 'onFill') return { actions: [], refused: [], logs: [], state: { fills: state.fills + 1 } };
      const quote = arg as { bid: number; time: number };
      const flat = !ctx.positions['NQ1!'] || ctx.positions['NQ1!'].quantity === 0;
      const closeQuote = quote.time % 60_000 === 59_999;
      if (flat && closeQuote && quote.bid > (ctx.params['threshold'] as number) && state.fills === 0) {
        return {
          actions: [
            {
              kind: 'order',
              side: 'buy',
              ticker: 'NQ1!',
              quantity: 1,
              options: { type: 'market', takeProfit: { ticks: 4 }, stopLoss: { ticks: 4 } },
            },
          ],
          refused: [],
          logs: [{ level: 'info', message: `buy at ${quote.bid}` }],
          state,
        };
      }
      return { actions: [], refused: [], logs: [], state };
    },
  };

  it('runs its orders through the same paper account', async () => {
    const report = await runBacktest({ strategy: 'rule', ticker: 'NQ1!', bars: BARS }, { id: 's', loadScript: async () => script });
    // The 14:30 bar closes at 100.5 (> 100): buy at 100.5 (spread 0); take profit 101.5, stop 99.5.
    // The 14:31 bar goes 100.5 → 100.25 → 102: the take profit fills at 101.5: 4 ticks × $5 = $20.
    expect(report.trades.map((t) => [t.entryPrice, t.exitPrice, t.pnl])).toEqual([[100.5, 101.5, 20]]);
    expect(report.notes[0]).toEqual({ time: Date.UTC(2024, 0, 2, 14, 30, 59, 999), level: 'info', message: 'buy at 100.5' });
    expect(report.stats.scriptCalls).toBe(16 + 2);
  });
});
