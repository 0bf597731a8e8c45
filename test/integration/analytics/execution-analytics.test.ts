import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TIMELINE_STAGES, TRADE_CSV_COLUMNS, type AnalyticsView, type OrderTimelineView } from '@tradeloop/contracts';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from '../../support/quote-source.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/**
 * A webhook trade end to end over real HTTP and /ws, with NQ quoted by a real feed connection:
 * its timeline, its slippage against the alert's price, its MFE/MAE and R from the quotes seen
 * while it was open, then the journal's tags and notes, tag filters and the CSV export.
 */
describe.each(['SQLite', 'PostgreSQL'] as const)('execution analytics and the journal on %s', (kind) => {
  let server: TestServer;
  let source: QuoteSource;
  let ws: WsClient;
  let strategy: { id: string; webhookToken: string };
  let buyEventId: string;
  let tradeId: string;
  let drop: (() => Promise<void>) | undefined;

  const hook = (body: unknown) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
  const done = (eventId: string) =>
    eventually(
      async () => {
        const event = (await http(server.url, 'GET', `/api/events/${eventId}`)).body;
        return event?.status === 'done' || event?.status === 'failed' ? event : undefined;
      },
      15000,
      `event ${eventId} to finish`,
    );
  /** Quotes NQ at a bid (ask a tick above) and waits until the server has it. */
  const quote = async (bid: number) => {
    source.quote('NQ1!', bid, bid + 0.25);
    await quoted(server.url, 'NQ1!', bid);
  };

  beforeAll(async () => {
    source = await startQuoteSource();
    let databaseUrl: string | undefined;
    if (kind === 'PostgreSQL') ({ url: databaseUrl, drop } = await createPostgresDatabase());
    server = await startServer({
      databaseUrl,
      overrides: { plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': quoteSourceSettings(source, ['NQ1!']) } } },
    });
    ws = await connectWs(server.url);
    ws.send({ type: 'SUBSCRIBE', channels: ['FILL'] });
    await ws.next('SUBSCRIBED');
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'Analytics NQ' })).body;
  });

  afterAll(async () => {
    await ws?.close();
    await server?.close();
    await source?.close();
    await drop?.();
  });

  it('buys above the signal, rides a known quote path and exits: timeline, slippage, MFE/MAE and R to the cent', async () => {
    await quote(25000.25); // the market: bid 25000.25, ask 25000.50
    const signalAt = Date.now() - 1500;
    const buy = await hook({
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 1,
      signalPrice: 25000,
      stopLoss: { stopPrice: 24990 },
      time: new Date(signalAt).toISOString(),
      id: 'analytics-buy',
    });
    expect(buy.status).toBe(202);
    buyEventId = buy.body.eventId;
    expect((await done(buyEventId)).status).toBe('done');
    const [fill] = (await http(server.url, 'GET', `/api/fills?strategyId=${strategy.id}`)).body.items;
    expect(fill).toEqual(expect.objectContaining({ side: 'buy', price: 25000.5 })); // at the ask: 2 ticks above the signal

    // While it is open: up 2.5 points, down to 4 under the entry, up 9.75 over it.
    for (const bid of [25003, 24996.5, 25010.25, 25005]) await quote(bid);
    const exit = await hook({ ticker: 'NQ1!', positionSize: 0, signalPrice: 25005.25, id: 'analytics-exit' });
    expect((await done(exit.body.eventId)).status).toBe('done');

    const trades = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.items as any[];
    expect(trades.map((t) => [t.direction, t.entryPrice, t.exitPrice, t.pnl])).toEqual([['long', 25000.5, 25005, 90]]);
    tradeId = trades[0].id;

    // The timeline of the buy: every stage, in order, each span plausible.
    const timeline = await eventually(
      async () => {
        const page = (await http(server.url, 'GET', `/api/analytics/timelines?eventId=${buyEventId}`)).body;
        const entry = (page.items as OrderTimelineView[]).find((t) => t.side === 'buy');
        return entry?.stamps.pushed ? entry : undefined;
      },
      10000,
      'the buy timeline with its /ws push',
    );
    const at = Object.fromEntries(TIMELINE_STAGES.map((s) => [s, Date.parse(timeline.stamps[s]!)]));
    for (const stage of TIMELINE_STAGES) expect({ stage, stamped: Number.isFinite(at[stage]) }).toEqual({ stage, stamped: true });
    expect(at.signal).toBe(signalAt);
    const order = ['received', 'accepted', 'handled', 'sent', 'acknowledged'] as const;
    for (let i = 1; i < order.length; i++) expect(at[order[i]]).toBeGreaterThanOrEqual(at[order[i - 1]]);
    expect(at.filled).toBeGreaterThanOrEqual(at.sent);
    expect(at.pushed).toBeGreaterThanOrEqual(at.filled);
    // TradingView's delivery apart from Tradeloop's own time and the broker's.
    expect(timeline.spans.delivery).toBeGreaterThanOrEqual(1400);
    expect(timeline.spans.delivery).toBeLessThan(10_000);
    for (const span of ['intake', 'queue', 'engine', 'broker', 'fill', 'push', 'tradeloop'] as const) {
      expect({ span, ms: timeline.spans[span]! >= 0 && timeline.spans[span]! < 5000 }).toEqual({ span, ms: true });
    }
    expect(timeline.referencePrice).toBe(25000);
    expect(timeline.referenceSource).toBe('signal');

    // MFE 25010.25 − 25000.50 = 39 ticks = $195; MAE 24996.50 − 25000.50 = −16 ticks = −$80;
    // risk to the stop 25000.50 − 24990 = 42 ticks = $210; R = $90 / $210 = 0.43.
    const excursion = await eventually(async () => {
      const answer = await http(server.url, 'GET', `/api/analytics/trades/${tradeId}`);
      return answer.status === 200 ? answer.body : undefined;
    });
    expect(excursion).toEqual(
      expect.objectContaining({
        mfeTicks: 39,
        mfe: 195,
        mfePrice: 25010.25,
        maeTicks: -16,
        mae: -80,
        maePrice: 24996.5,
        stopPrice: 24990,
        risk: 210,
        rMultiple: 0.43,
        complete: true,
      }),
    );
    expect(Date.parse(excursion.maeTime)).toBeLessThan(Date.parse(excursion.mfeTime));
    expect(excursion.holdingMs).toBeGreaterThan(0);

    // Slippage: the buy 2 ticks over 25000 (−$10), the exit 1 tick under 25005.25 (−$5).
    const view = (await http(server.url, 'GET', `/api/analytics?strategyId=${strategy.id}`)).body as AnalyticsView;
    expect(view.slippage).toEqual(
      expect.objectContaining({
        fills: 2,
        slippage: -15,
        averageTicks: -1.5,
        byInstrument: [{ key: 'NQ1!', fills: 2, slippage: -15, averageTicks: -1.5 }],
        byStrategy: [{ key: strategy.id, fills: 2, slippage: -15, averageTicks: -1.5 }],
      }),
    );
    expect(view.slippage.histogram.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(view.excursions).toEqual([{ tradeId, ticker: 'NQ1!', mfe: 195, mae: -80, pnl: 90, rMultiple: 0.43 }]);
    const engine = view.latency.find((l) => l.span === 'engine')!;
    expect(engine.count).toBeGreaterThanOrEqual(2);
    expect(engine.p99Ms).toBeGreaterThanOrEqual(engine.p50Ms!);
    expect(view.byTag).toEqual([{ key: '(untagged)', trades: 1, wins: 1, winRate: 1, pnl: 90, expectancy: 90 }]);
    expect(view.byHour).toHaveLength(1);
  });

  it('tags and notes a trade and a day, and filters the trade list, calendar and summary by tag', async () => {
    const put = await http(server.url, 'PUT', `/api/journal/trades/${tradeId}`, {
      tags: ['Breakout', ' A+   setup ', 'breakout'],
      note: '=waited for the retest, "patiently"',
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(
      expect.objectContaining({ tradeId, day: null, tags: ['breakout', 'a+ setup'], note: '=waited for the retest, "patiently"' }),
    );
    expect((await http(server.url, 'GET', `/api/journal/trades/${tradeId}`)).body.tags).toEqual(['breakout', 'a+ setup']);
    const today = new Date().toISOString().slice(0, 10);
    expect((await http(server.url, 'PUT', `/api/journal/days/${today}`, { tags: ['fomc'], note: 'rate decision' })).body).toEqual(
      expect.objectContaining({ day: today, tags: ['fomc'], note: 'rate decision' }),
    );
    expect((await http(server.url, 'GET', '/api/journal/tags')).body).toEqual([
      { tag: 'a+ setup', entries: 1 },
      { tag: 'breakout', entries: 1 },
      { tag: 'fomc', entries: 1 },
    ]);
    expect(((await http(server.url, 'GET', '/api/journal?tag=fomc')).body as any[]).map((e) => e.day)).toEqual([today]);

    const tagged = await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}&tag=BREAKOUT`);
    expect(tagged.body.items.map((t: any) => t.id)).toEqual([tradeId]);
    expect((await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}&tag=fomc`)).body.total).toBe(0);
    const summary = (await http(server.url, 'GET', `/api/pnl/summary?strategyId=${strategy.id}&tag=a%2B%20setup`)).body;
    expect(summary).toEqual(expect.objectContaining({ tag: 'a+ setup', tradeCount: 1, winRate: 1 }));
    expect((await http(server.url, 'GET', `/api/pnl/summary?strategyId=${strategy.id}&tag=nothing`)).body.tradeCount).toBe(0);
    const calendar = (await http(server.url, 'GET', `/api/pnl/calendar?strategyId=${strategy.id}&tag=breakout`)).body;
    expect(calendar.trades).toBe(1);
    expect(calendar.days.map((d: any) => d.pnl)).toEqual([90]);
    expect((await http(server.url, 'GET', `/api/pnl/calendar?strategyId=${strategy.id}&tag=nothing`)).body.trades).toBe(0);

    const byTag = ((await http(server.url, 'GET', `/api/analytics?strategyId=${strategy.id}`)).body as AnalyticsView).byTag;
    expect(byTag.map((g) => [g.key, g.trades, g.expectancy])).toEqual([
      ['a+ setup', 1, 90],
      ['breakout', 1, 90],
    ]);
  });

  it('refuses bad journal input with a 4xx naming the problem', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['PUT', `/api/journal/trades/${tradeId}`, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 400, /at most 20 tags/],
      ['PUT', `/api/journal/trades/${tradeId}`, { tags: ['x'.repeat(33)] }, 400, /longer than 32/],
      ['PUT', `/api/journal/trades/${tradeId}`, { tags: ['<script>'] }, 400, /tags\[0\].*letters, digits/],
      ['PUT', `/api/journal/trades/${tradeId}`, { tags: 'breakout' }, 400, /tags must be an array/],
      ['PUT', `/api/journal/trades/${tradeId}`, { note: 'n'.repeat(4001) }, 400, /at most 4000/],
      ['PUT', `/api/journal/trades/${tradeId}`, { mood: 'good' }, 400, /unknown field.*mood/],
      ['PUT', '/api/journal/trades/00000000-0000-4000-8000-000000000000', { note: 'x' }, 404, /not found/],
      ['PUT', '/api/journal/trades/not-a-uuid', { note: 'x' }, 400, /uuid/],
      ['PUT', '/api/journal/days/2026-02-30', { note: 'x' }, 400, /calendar date/],
      ['GET', `/api/trades?tag=${'y'.repeat(40)}`, undefined, 400, /tag must be at most 32/],
      ['GET', '/api/pnl/summary?tag=%3Cb%3E', undefined, 400, /tag may hold/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await http(server.url, method, path, body);
      expect({ path, status: answer.status, message: message.test(JSON.stringify(answer.body)) }).toEqual({ path, status, message: true });
    }
    // An entry emptied of tags and note is gone.
    await http(server.url, 'PUT', `/api/journal/days/${new Date().toISOString().slice(0, 10)}`, { tags: [], note: '' });
    expect(((await http(server.url, 'GET', '/api/journal/tags')).body as any[]).map((t) => t.tag)).toEqual(['a+ setup', 'breakout']);
  });

  it('exports every trade with every field as CSV', async () => {
    const answer = await fetch(`${server.url}/api/analytics/trades.csv?strategyId=${strategy.id}`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await answer.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(TRADE_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    const row = Object.fromEntries(TRADE_CSV_COLUMNS.map((c, i) => [c, parseCsvLine(lines[1])[i]]));
    expect(row).toEqual(
      expect.objectContaining({
        id: tradeId,
        strategyId: strategy.id,
        ticker: 'NQ1!',
        direction: 'long',
        entryPrice: '25000.5',
        exitPrice: '25005',
        pnl: '90.00',
        mfeTicks: '39',
        mfe: '195.00',
        maeTicks: '-16',
        mae: '-80.00',
        stopPrice: '24990',
        risk: '210.00',
        rMultiple: '0.43',
        excursionComplete: 'true',
        tags: 'a+ setup;breakout',
        // A note a spreadsheet would run as a formula is defused.
        note: `'=waited for the retest, "patiently"`,
      }),
    );
    const none = await fetch(`${server.url}/api/analytics/trades.csv?strategyId=${strategy.id}&tag=nothing`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect((await none.text()).split('\r\n').filter(Boolean)).toHaveLength(1);
  });
});

/** One CSV line (RFC 4180 quoting) into its cells. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (cells.push(cell), (cell = ''));
    else cell += c;
  }
  cells.push(cell);
  return cells;
}
