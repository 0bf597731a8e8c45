import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestReport, BacktestRunView } from '@tradeloop/contracts';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from '../../support/quote-source.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'backtest');

/** A known rule: buy 1 on the first bar close above `threshold`, with a 4-tick take profit and stop. */
const THRESHOLD_SCRIPT = `
export default defineStrategy({
  params: { threshold: 100 },
  state: { entered: false },
  onTick(quote, ctx) {
    const barClose = quote.time % 60000 === 59999;
    if (!ctx.state.entered && barClose && quote.bid > ctx.params.threshold) {
      ctx.log('info', 'buy at ' + quote.bid);
      ctx.buy(quote.ticker, 1, { takeProfit: { ticks: 4 }, stopLoss: { ticks: 4 } });
      ctx.state.entered = true;
    }
  },
});
`;

async function finished(server: TestServer, run: BacktestRunView): Promise<BacktestReport> {
  const done = await eventually(
    async () => {
      const view = (await http<BacktestRunView>(server.url, 'GET', `/api/backtests/${run.id}`)).body;
      return view.state !== 'running' ? view : undefined;
    },
    30000,
    `backtest ${run.id}`,
  );
  expect(done.error).toBeNull();
  expect(done.state).toBe('done');
  const report = await http<BacktestReport>(server.url, 'GET', `/api/backtests/${run.id}/report`);
  expect(report.status).toBe(200);
  return report.body;
}

async function start(server: TestServer, body: unknown): Promise<BacktestRunView> {
  const response = await http<BacktestRunView>(server.url, 'POST', '/api/backtests', body);
  if (response.status !== 202) throw new Error(`POST /api/backtests: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

describe('backtests through the API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-backtests-'));
  let server: TestServer;

  beforeAll(async () => {
    mkdirSync(join(dataDir, 'strategies'), { recursive: true });
    writeFileSync(join(dataDir, 'strategies', 'threshold.ts'), THRESHOLD_SCRIPT);
    mkdirSync(join(dataDir, 'history'), { recursive: true });
    writeFileSync(join(dataDir, 'history', 'nq-4-bars.csv'), readFileSync(join(FIXTURES, 'nq-4-bars.csv')));
    server = await startServer({ dataDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a sandboxed script over a history file: the hand-computed trade, twice the same, nothing live touched', async () => {
    const body = { strategy: 'threshold', ticker: 'CME_MINI:NQ1!', files: { bars: 'nq-4-bars.csv' }, commissionPerContract: 1.25 };
    const first = await finished(server, await start(server, body));
    // Nothing went wrong on the way (a failed call would skip a bar and trade another one).
    expect(first.notes.filter((n) => n.level !== 'info')).toEqual([]);
    // The 14:30 bar closes at 100.5 (> 100): buy 1 at 100.5; take profit 101.5, stop 99.5. The 14:31
    // bar goes 100.5 → 100.25 → 102 and passes 101.5: sold there. 4 ticks × $5 = $20 − 2 × $1.25.
    expect(first.trades.map((t) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.grossPnl, t.commission, t.pnl])).toEqual([
      ['long', 1, 100.5, 101.5, 20, 2.5, 17.5],
    ]);
    expect(first.notes).toContainEqual({ time: Date.UTC(2024, 0, 2, 14, 30, 59, 999), level: 'info', message: 'buy at 100.5' });
    expect(first.summary).toMatchObject({ realizedPnl: 17.5, tradeCount: 1, winRate: 1, position: {} });
    expect(first.params).toEqual({ threshold: 100 });

    const second = await finished(server, await start(server, { ...body, params: { threshold: 100 } }));
    const strip = (r: BacktestReport) =>
      JSON.stringify([r.trades.map(({ id, strategyId, ...t }) => t), r.summary.realizedPnl, r.series.points]);
    expect(strip(second)).toBe(strip(first));

    // A higher threshold never trades; the two side by side.
    const third = await finished(server, await start(server, { ...body, params: { threshold: 200 }, label: 'threshold 200' }));
    const compared = await http(server.url, 'GET', `/api/backtests/compare?ids=${first.id},${third.id}`);
    expect(compared.body.runs.map((r: any) => [r.label, r.params, r.pnl, r.trades])).toEqual([
      ['threshold', { threshold: 100 }, 17.5, 1],
      ['threshold 200', { threshold: 200 }, 0, 0],
    ]);

    // Its own ledger: no live trade, fill or position appeared.
    expect((await http(server.url, 'GET', '/api/trades?limit=10')).body.items).toEqual([]);
    expect((await http(server.url, 'GET', '/api/fills?limit=10')).body.items).toEqual([]);
    expect((await http(server.url, 'GET', '/api/positions')).body).toEqual([]);
  });

  it('refuses a bad file with a 400 naming the line, and a bad param by name', async () => {
    const bad = await http(server.url, 'POST', '/api/backtests', {
      strategy: 'pass-through',
      ticker: 'NQ1!',
      bars: 'time,open,high,low,close\n1704205800,100,101,99,100\n1704205860,100,x,99,100\n',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('bars: line 3: high "x" is not a number');
    const outside = await http(server.url, 'POST', '/api/backtests', {
      strategy: 'pass-through',
      ticker: 'NQ1!',
      files: { bars: '../config.json' },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toBe('files.bars: "../config.json" is not in the history folder');
    const noScript = await http(server.url, 'POST', '/api/backtests', {
      strategy: 'nope',
      ticker: 'NQ1!',
      files: { bars: 'nq-4-bars.csv' },
    });
    expect(noScript.status).toBe(400);
    expect(noScript.body.message).toBe('strategy "nope": no such script');
    const badParam = await http(server.url, 'POST', '/api/backtests', {
      strategy: 'threshold',
      ticker: 'NQ1!',
      files: { bars: 'nq-4-bars.csv' },
      params: { threshold: 'high' },
    });
    expect(badParam.status).toBe(400);
    expect(badParam.body.message).toBe('params.threshold must be a number (the default is 100), got "high"');
    // The refused ones are not listed as runs.
    expect(((await http(server.url, 'GET', '/api/backtests')).body as BacktestRunView[]).map((r) => r.state)).toEqual([
      'done',
      'done',
      'done',
    ]);
  });

  it('lists the history files', async () => {
    const files = (await http(server.url, 'GET', '/api/backtests/data')).body as any[];
    expect(files.map((f) => [f.name, f.bytes])).toContainEqual(['nq-4-bars.csv', readFileSync(join(FIXTURES, 'nq-4-bars.csv')).length]);
  });
});

describe('replaying a recorded live session', () => {
  let server: TestServer;
  let source: QuoteSource;

  beforeAll(async () => {
    source = await startQuoteSource();
    source.quote('NQ1!', 25000, 25000.25);
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': quoteSourceSettings(source, ['NQ1!']) } },
        backtests: { recordTickers: ['NQ1!'] },
      },
    });
    await quoted(server.url, 'NQ1!', 25000);
  });
  afterAll(async () => {
    await server?.close();
    await source?.close();
  });

  it("reproduces the pass-through strategy's live trades exactly", async () => {
    const from = Date.now();
    const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'replayed', exits: { stopLoss: { ticks: 20 } } })).body;
    const alert = async (body: object) => {
      const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', ...body });
      expect(sent.status).toBe(202);
      return eventually(async () => {
        const event = (await http(server.url, 'GET', `/api/events/${sent.body.eventId}`)).body;
        return event.status === 'done' || event.status === 'failed' ? event : undefined;
      }, 15000);
    };
    const market = async (bid: number) => {
      source.quote('NQ1!', bid, bid + 0.25);
      await quoted(server.url, 'NQ1!', bid);
    };
    const trades = async (n: number) =>
      eventually(async () => {
        const items = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}&limit=50`)).body.items as any[];
        return items.length >= n ? items : undefined;
      }, 15000);

    // Buy 2 at the ask (25000.25) with a take profit 8 ticks up (25002.25) and the strategy's stop 20 ticks down.
    expect((await alert({ action: 'buy', quantity: 2, takeProfit: { ticks: 8 } })).status).toBe('done');
    await market(25001);
    await market(25002.5); // crosses the take profit: filled at the bid, 25002.5
    await trades(1);
    await market(25003);
    // Sell 1 at the bid (25003), its stop 20 ticks up (25008).
    expect((await alert({ action: 'sell', quantity: 1 })).status).toBe('done');
    await market(25008.25); // the ask 25008.5 passes the stop: bought back at 25008.5
    await trades(2);
    await market(25007);
    // Buy 1 at 25007.25, then an exit at the bid of a later quote.
    expect((await alert({ action: 'buy', quantity: 1, price: 25007.25 })).status).toBe('done');
    await market(25004);
    expect((await alert({ action: 'exit' })).status).toBe('done');
    const live = (await trades(3)).reverse();
    const to = Date.now() + 1;

    const run = await start(server, { recording: { strategyId: strategy.id }, from, to });
    const replay = await finished(server, run);
    const shape = (t: any) => [t.direction, t.quantity, t.entryPrice, t.exitPrice, t.grossPnl, t.commission, t.pnl];
    expect(replay.trades.map(shape)).toEqual(live.map(shape));
    expect(live.map(shape)).toEqual([
      ['long', 2, 25000.25, 25002.5, 90, 0, 90],
      ['short', 1, 25003, 25008.5, -110, 0, -110],
      ['long', 1, 25007.25, 25004, -65, 0, -65],
    ]);
    // The same moments, to the time it took the engine to act on each (under a second here).
    replay.trades.forEach((t, i) => {
      expect(Math.abs(Date.parse(t.entryTime) - Date.parse(live[i].entryTime))).toBeLessThan(1000);
      expect(Math.abs(Date.parse(t.exitTime) - Date.parse(live[i].exitTime))).toBeLessThan(1000);
    });
    expect(replay.summary.realizedPnl).toBe(-85);
    expect(replay.label).toBe('replay of replayed');
    // The recording is a history file like any other.
    const files = (await http(server.url, 'GET', '/api/backtests/data')).body as any[];
    expect(files.some((f) => /^quotes\/NQ1_\/\d{4}-\d{2}-\d{2}\.csv$/.test(f.name))).toBe(true);
  });
});
