import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PnlData } from '@tradeloop/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { Clock } from '../../../apps/server/src/pnl/clock.js';
import { PnlRecorder } from '../../../apps/server/src/pnl/pnl-recorder.service.js';
import { PnlRollups } from '../../../apps/server/src/pnl/pnl-rollup.service.js';
import { http, startServer, type TestServer } from '../../support/app.js';
import { fillBooker, quote } from '../../support/pnl.js';

// Saturday 2026-10-31, 10:00 EDT: the next midnight is the start of the 25-hour 2026-11-01.
const T0 = Date.parse('2026-10-31T14:00:00Z');
const S = 1000;
const MIN = 60_000;

/**
 * The recorder and the rollups driven with explicit times against a real SQLite file. NQ: $5 a
 * 0.25 tick; GC: $10 a 0.10 tick. Longs are marked at the bid.
 */
describe('P&L recorder and rollups', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-pnl-recorder-'));
  let server: TestServer;
  let strategyId: string;
  let accountId: string;
  let events: PnlData[] = [];
  let writtenAtFirst = 0;

  const start = async (retention?: Record<string, number>) => {
    server = await startServer({
      dataDir,
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        pnl: { timeZone: 'America/New_York', dayStart: '00:00', recorder: false, ...(retention ? { retention } : {}) },
      },
    });
    const bus = server.app.get(EventBus);
    bus.subscribe((m) => {
      // The recorder's messages: the live stream's own pushes between passes stay in the process.
      if (m.type === 'PNL' && bus.relayable(m)) events.push(m.data);
    });
  };
  const pass = (at: number) => server.app.get(PnlRecorder).recordPass(at);
  const rollUp = (at: number) => server.app.get(PnlRollups).rollUp(at);
  const book = (...fills: Parameters<ReturnType<typeof fillBooker>>) => fillBooker(server)(...fills);
  const fill = (ticker: string, side: 'buy' | 'sell', quantity: number, price: number, time: number) => ({
    strategyId,
    accountId,
    ticker,
    side,
    quantity,
    price,
    time,
  });
  const mine = () => events.filter((e) => e.scope === 'strategy' && e.id === strategyId);
  // The recorder writes each scope within a few passes; reads here want everything at once.
  const flush = () => server.app.get(PnlRecorder).flush();
  const get = async (path: string, at: number) => {
    await flush();
    server.app.get(Clock).pin(at);
    return (await http(server.url, 'GET', path)).body;
  };
  const bars = async (resolution: string) =>
    server.app
      .get(DataSource)
      .query(
        `SELECT "bucket", "totalOpenCents" AS o, "totalHighCents" AS h, "totalLowCents" AS l, "totalCloseCents" AS c, "realizedCents" AS r, "peakCents" AS p FROM "pnl_bars" WHERE "resolution" = ? AND "scope" = 'strategy' AND "scopeId" = ? ORDER BY "bucket"`,
        [resolution, strategyId],
      );

  beforeAll(async () => {
    await start();
    strategyId = (await http(server.url, 'POST', '/api/strategies', { name: 'recorded' })).body.id;
    accountId = (await http(server.url, 'GET', '/api/accounts')).body[0].id;
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('skips scopes that never traded', async () => {
    expect(await pass(T0)).toEqual({ time: T0, scopes: 0, recorded: 0, written: 0 });
    expect(events).toEqual([]);
  });

  it('records a snapshot per strategy, account and all strategies, and pushes one PNL each', async () => {
    await book(fill('NQ1!', 'buy', 2, 25000, T0 + 100));
    quote(server, 'NQ1!', 25002, 25002.25);
    const first = await pass(T0 + 1 * S + 400);
    expect(first).toEqual(expect.objectContaining({ time: T0 + 1 * S, scopes: 3, recorded: 3 }));
    writtenAtFirst = first!.written;
    expect(events.map((e) => `${e.scope}:${e.id}`).sort()).toEqual(['account:' + accountId, 'all:', 'strategy:' + strategyId].sort());
    // 8 ticks × $5 × 2 at the bid
    expect(mine()).toEqual([
      { scope: 'strategy', id: strategyId, openPnl: 80, realizedPnl: 0, todayPnl: 80, totalPnl: 80, drawdown: 0, time: T0 + 1 * S },
    ]);
  });

  it('writes nothing and pushes nothing when nothing changed; what was recorded reaches the database within four passes', async () => {
    events = [];
    const written = [];
    for (let i = 0; i < 4; i++) {
      const result = await pass(T0 + 2 * S + i * 100);
      expect(result).toEqual(expect.objectContaining({ scopes: 3, recorded: 0 }));
      written.push(result!.written);
    }
    expect(events).toEqual([]);
    // Each scope is written in its own slice of the passes: the three points of T0 + 1 s are all in.
    expect(writtenAtFirst + written.reduce((a, b) => a + b, 0)).toBe(3);
    const [{ n }] = await server.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "pnl_points" WHERE "time" = ?`, [T0 + 1 * S]);
    expect(n).toBe(3);
  });

  it('follows open P&L, realized P&L and the drawdown from the running peak', async () => {
    events = [];
    quote(server, 'NQ1!', 24990, 24990.25); // −40 ticks × $5 × 2 = −$400
    await pass(T0 + 3 * S);
    await book(fill('NQ1!', 'sell', 2, 25010, T0 + 3 * S + 500)); // +40 ticks × $5 × 2 = $400 realized
    await pass(T0 + 4 * S);
    expect(mine()).toEqual([
      expect.objectContaining({ openPnl: -400, realizedPnl: 0, totalPnl: -400, drawdown: -480, time: T0 + 3 * S }),
      expect.objectContaining({ openPnl: 0, realizedPnl: 400, totalPnl: 400, todayPnl: 400, drawdown: 0, time: T0 + 4 * S }),
    ]);
  });

  it('records open P&L as unknown (null, not zero) while a held ticker has no quote', async () => {
    events = [];
    await book(fill('GC1!', 'buy', 1, 4100, T0 + 4 * S + 500));
    await pass(T0 + 5 * S);
    expect(mine()).toEqual([expect.objectContaining({ openPnl: null, totalPnl: null, todayPnl: null, drawdown: null, realizedPnl: 400 })]);
    expect(await get(`/api/pnl/summary?strategyId=${strategyId}`, T0 + 5 * S)).toEqual(
      expect.objectContaining({ openPnl: null, totalPnl: null, todayPnl: null, realizedPnl: 400, activePositions: 1 }),
    );
    quote(server, 'GC1!', 4101, 4101.1); // +10 ticks × $10
    await pass(T0 + 6 * S);
    expect(mine()[1]).toEqual(expect.objectContaining({ openPnl: 100, totalPnl: 500, drawdown: 0 }));
  });

  it('serves the per-second series with drawdown, skipping unknown points, and the live summary and listings', async () => {
    const series = await get(`/api/pnl/series?strategyId=${strategyId}&from=${T0}&to=${T0 + 10 * S}&resolution=1s`, T0 + 10 * S);
    expect(series).toEqual({
      scope: 'strategy',
      id: strategyId,
      resolution: '1s',
      from: T0,
      to: T0 + 10 * S,
      points: [
        { t: T0 + 1 * S, pnl: 80, drawdown: 0 },
        { t: T0 + 3 * S, pnl: -400, drawdown: -480 },
        { t: T0 + 4 * S, pnl: 400, drawdown: 0 },
        { t: T0 + 6 * S, pnl: 500, drawdown: 0 },
      ],
    });
    for (const [i, p] of series.points.entries()) {
      const peak = Math.max(0, ...series.points.slice(0, i + 1).map((q: { pnl: number }) => q.pnl));
      expect(p.drawdown).toBeCloseTo(p.pnl - peak, 10);
    }
    // auto over ten seconds is per second; a later start carries the value in from before it.
    const auto = await get(`/api/pnl/series?strategyId=${strategyId}&from=${T0 + 5 * S}&to=${T0 + 10 * S}`, T0 + 10 * S);
    expect(auto.resolution).toBe('1s');
    expect(auto.points).toEqual([
      { t: T0 + 5 * S, pnl: 400, drawdown: 0 },
      { t: T0 + 6 * S, pnl: 500, drawdown: 0 },
    ]);
    expect(await get(`/api/pnl/summary?strategyId=${strategyId}`, T0 + 10 * S)).toEqual(
      expect.objectContaining({
        totalPnl: 500,
        todayPnl: 500,
        realizedPnl: 400,
        openPnl: 100,
        activePositions: 1,
        position: { 'GC1!': 1 },
        tradeCount: 1,
        maxDrawdown: -480,
      }),
    );
    const [listed] = (await get('/api/strategies', T0 + 10 * S)).filter((s: { id: string }) => s.id === strategyId);
    expect(listed).toEqual(expect.objectContaining({ todayPnl: 500, totalPnl: 500, openPnl: 100, position: { 'GC1!': 1 } }));
    expect((await get('/api/accounts', T0 + 10 * S))[0]).toEqual(
      expect.objectContaining({ realizedPnl: 400, openPnl: 100, totalPnl: 500, equity: 50500, position: { 'GC1!': 1 } }),
    );
  });

  it('rolls seconds into minute, hour and trading-day bars; merging more of the same minute later', async () => {
    await rollUp(T0 + 20 * S);
    // The minute 14:00Z: open $80, high $500, low −$400, close $500.
    expect(await bars('1m')).toEqual([{ bucket: T0, o: 8000, h: 50000, l: -40000, c: 50000, r: 40000, p: 50000 }]);
    quote(server, 'GC1!', 4099, 4099.1); // GC −10 ticks, −$100: total $300
    await pass(T0 + 30 * S);
    await rollUp(T0 + 2 * MIN);
    const minute = { bucket: T0, o: 8000, h: 50000, l: -40000, c: 30000, r: 40000, p: 50000 };
    expect(await bars('1m')).toEqual([minute]);
    expect(await bars('1h')).toEqual([minute]);
    // Trading day 2026-10-31 began at midnight EDT, 04:00Z.
    expect(await bars('1d')).toEqual([{ ...minute, bucket: Date.parse('2026-10-31T04:00:00Z') }]);
    // Running it again changes nothing.
    await rollUp(T0 + 2 * MIN);
    expect(await bars('1m')).toEqual([minute]);
    expect(await bars('1d')).toEqual([expect.objectContaining({ o: 8000, c: 30000 })]);
    const series = await get(`/api/pnl/series?strategyId=${strategyId}&from=${T0}&to=${T0 + 5 * MIN}&resolution=1m`, T0 + 5 * MIN);
    expect(series.points).toEqual([{ t: T0, pnl: 300, drawdown: -200 }]);
  });

  it('resumes after a restart and catches the rollups up for the minutes recorded before it', async () => {
    quote(server, 'GC1!', 4099.5, 4099.6); // total $350
    await pass(T0 + 3 * MIN);
    quote(server, 'GC1!', 4098.5, 4098.6); // total $250
    await pass(T0 + 4 * MIN + 10 * S);
    await server.close({ keepData: true });
    events = [];

    await start();
    // The quote cache starts empty: GC's open P&L is unknown again, the state still known.
    await pass(T0 + 10 * MIN);
    expect(mine()).toEqual([expect.objectContaining({ openPnl: null, realizedPnl: 400 })]);
    quote(server, 'GC1!', 4098.5, 4098.6);
    expect(await pass(T0 + 10 * MIN + S)).toEqual(expect.objectContaining({ recorded: 3 }));
    // The peak ($500) survived the restart: $250 is a $250 drawdown.
    expect(mine()[1]).toEqual(expect.objectContaining({ totalPnl: 250, drawdown: -250 }));
    expect(await pass(T0 + 10 * MIN + 2 * S)).toEqual(expect.objectContaining({ recorded: 0 }));

    await rollUp(T0 + 15 * MIN);
    expect((await bars('1m')).map((b: { bucket: number; c: number }) => [b.bucket - T0, b.c])).toEqual([
      [0, 30000],
      [3 * MIN, 35000],
      [4 * MIN, 25000],
      [10 * MIN, 25000],
    ]);
    expect(await bars('1h')).toEqual([{ bucket: T0, o: 8000, h: 50000, l: -40000, c: 25000, r: 40000, p: 50000 }]);
  });

  it('todayPnl: trades closed today plus the change in open P&L since the day began, across the 25-hour 2026-11-01', async () => {
    events = [];
    quote(server, 'GC1!', 4099, 4099.1); // open −$100 (total $300) at 23:59:59 EDT
    await pass(Date.parse('2026-11-01T03:59:59Z'));
    quote(server, 'GC1!', 4099.5, 4099.6); // open −$50
    await pass(Date.parse('2026-11-01T04:00:01Z'));
    quote(server, 'GC1!', 4099.7, 4099.8); // open −$30, at 23:30 EST: still 2026-11-01
    await pass(Date.parse('2026-11-02T04:30:00Z'));
    quote(server, 'GC1!', 4099.6, 4099.7); // open −$40 on 2026-11-02
    await pass(Date.parse('2026-11-02T05:00:01Z'));
    expect(mine().map((e) => e.todayPnl)).toEqual([300, 50, 70, -10]);
    const summary = await get(`/api/pnl/summary?strategyId=${strategyId}`, Date.parse('2026-11-02T06:00:00Z'));
    expect(summary).toEqual(expect.objectContaining({ tradingDay: '2026-11-02', todayPnl: -10, totalPnl: 360 }));
  });

  it('refreshes the stored latest state lazily while only open P&L moves, and exactly once it rests', async () => {
    const latest = async () =>
      (
        await server.app
          .get(DataSource)
          .query(`SELECT "openCents", "totalCents", "time" FROM "pnl_latest" WHERE "scope" = 'strategy' AND "scopeId" = ?`, [strategyId])
      )[0];
    const at = Date.parse('2026-11-02T05:00:01Z');
    await flush();
    expect(await latest()).toEqual({ openCents: -4000, totalCents: 36000, time: at });
    quote(server, 'GC1!', 4099.7, 4099.8); // open −$30: no new peak, no deeper drawdown
    await pass(at + 2 * S);
    await flush();
    expect(await latest()).toEqual({ openCents: -4000, totalCents: 36000, time: at }); // refreshed within 10 s, not yet
    await pass(at + 3 * S); // nothing moved: at rest
    await flush();
    expect(await latest()).toEqual({ openCents: -3000, totalCents: 37000, time: at + 2 * S });
  });

  it('keeps per-second points only as long as configured, and auto falls back to the bars', async () => {
    await server.close({ keepData: true });
    await start({ secondsDays: 0.01, minutesDays: 0.5, hoursDays: 365 });
    const later = Date.parse('2026-11-02T12:00:00Z');
    const result = await rollUp(later);
    expect(result?.pruned.points).toBeGreaterThan(0);
    expect(result?.pruned.minutes).toBeGreaterThan(0);
    const count = await server.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM "pnl_points" WHERE "time" < ?`, [later - 864 * S]);
    expect(count).toEqual([{ n: 0 }]);
    // The first hour of the history: seconds and minutes are gone, the hour bar remains.
    const series = await get(`/api/pnl/series?strategyId=${strategyId}&from=${T0}&to=${T0 + 30 * MIN}`, later);
    expect(series.resolution).toBe('1h');
    expect(series.points).toEqual([{ t: T0, pnl: 250, drawdown: -250 }]);
    const days = await get(`/api/pnl/series?strategyId=${strategyId}&from=${T0}&to=${later}&resolution=1d`, later);
    expect(days.points.map((p: { t: number; pnl: number }) => [new Date(p.t).toISOString(), p.pnl])).toEqual([
      ['2026-10-31T04:00:00.000Z', 300],
      ['2026-11-01T04:00:00.000Z', 370],
      ['2026-11-02T05:00:00.000Z', 370],
    ]);
    const refused = await http(server.url, 'GET', `/api/pnl/series?strategyId=${strategyId}&from=${T0}&to=${later}&resolution=1s`);
    expect(refused.status).toBe(400);
  });
});
