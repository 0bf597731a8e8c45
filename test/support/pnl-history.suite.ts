import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { monthDates, TradingCalendar } from '@tradeloop/domain';
import { Clock } from '../../apps/server/src/pnl/clock.js';
import { http, startServer, type TestServer, type TestServerOptions } from './app.js';
import { fillBooker, type TestFill } from './pnl.js';

type Options = () => Promise<TestServerOptions & { cleanup?: () => Promise<void> }>;

const cents = (dollars: number) => Math.round(dollars * 100);

/** Every trade of one query, all pages. */
async function allTrades(server: TestServer, query: string): Promise<{ pnl: number; exitTime: string }[]> {
  const items: { pnl: number; exitTime: string }[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await http(server.url, 'GET', `/api/trades?${query}&limit=1000&offset=${offset}`)).body;
    items.push(...page.items);
    if (items.length >= page.total) return items;
  }
}

async function startPnlServer(options: Options, dayStart: string) {
  const { cleanup, ...serverOptions } = await options();
  const server = await startServer({
    ...serverOptions,
    overrides: { plugins: { disabled: ['sim-feed'] }, pnl: { timeZone: 'America/New_York', dayStart, recorder: false } },
  });
  const accountId = (await http(server.url, 'GET', '/api/accounts')).body[0].id as string;
  const create = async (name: string) => (await http(server.url, 'POST', '/api/strategies', { name })).body.id as string;
  return { server, cleanup, accountId, create };
}

/**
 * A hand-computed history across the 2026 US DST changes and month ends, with shorts, partial
 * closes, a reversal and commissions. NQ: $5 a 0.25 tick; ES: $12.50 a 0.25 tick.
 */
function handHistory(a: string, b: string, accountId: string): TestFill[] {
  const nq = (side: 'buy' | 'sell', quantity: number, price: number, time: string): TestFill => ({
    strategyId: a,
    accountId,
    ticker: 'NQ1!',
    side,
    quantity,
    price,
    time,
    commission: 2.1 * quantity,
  });
  const es = (side: 'buy' | 'sell', quantity: number, price: number, time: string): TestFill => ({
    strategyId: b,
    accountId,
    ticker: 'ES1!',
    side,
    quantity,
    price,
    time,
    commission: 1 * quantity,
  });
  return [
    // B, around the spring-forward of 2026-03-08 (07:00Z): short 2 ES @ 6800
    es('sell', 2, 6800, '2026-03-06T15:00:00Z'),
    // covers 1 @ 6790 at 18:30 EDT Sunday: +40 ticks × $12.50 = $500 − $2.00 = $498.00
    es('buy', 1, 6790, '2026-03-08T22:30:00Z'),
    // covers 1 @ 6805 at 00:30 EDT Monday: −20 ticks = −$250 − $2.00 = −$252.00
    es('buy', 1, 6805, '2026-03-09T04:30:00Z'),
    // B, a round trip closing 18:30 EDT on 2026-09-30: +10 ticks = $125 − $2.00 = $123.00
    es('buy', 1, 6700, '2026-09-30T21:30:00Z'),
    es('sell', 1, 6702.5, '2026-09-30T22:30:00Z'),
    // A, long 2 NQ @ 25000 ($4.20 in)
    nq('buy', 2, 25000, '2026-10-30T14:00:00Z'),
    // partial close 1 @ 25010 at 17:30 EDT Friday: +40 ticks = $200 − ($2.10 + $2.10) = $195.80
    nq('sell', 1, 25010, '2026-10-30T21:30:00Z'),
    // sell 3 @ 25020 at 18:30 EDT Friday: closes 1 (+80 ticks = $400 − $4.20 = $395.80), opens short 2
    nq('sell', 3, 25020, '2026-10-30T22:30:00Z'),
    // covers 1 @ 25005 at 00:30 EDT Sunday 2026-11-01: +60 ticks = $300 − $4.20 = $295.80
    nq('buy', 1, 25005, '2026-11-01T04:30:00Z'),
    // covers 1 @ 25030 at 17:30 EST Sunday, after the fall-back: −40 ticks = −$200 − $4.20 = −$204.20
    nq('buy', 1, 25030, '2026-11-01T22:30:00Z'),
    // long 1 @ 25040 at 18:30 EST Sunday, out @ 25000 Monday: −160 ticks = −$800 − $4.20 = −$804.20
    nq('buy', 1, 25040, '2026-11-01T23:30:00Z'),
    nq('sell', 1, 25000, '2026-11-02T15:00:00Z'),
    // A manual AAPL trade on the account (no strategy): +$25.00
    { strategyId: null, accountId, ticker: 'AAPL', side: 'buy', quantity: 100, price: 190.1, time: '2026-11-02T15:00:00Z' },
    { strategyId: null, accountId, ticker: 'AAPL', side: 'sell', quantity: 100, price: 190.35, time: '2026-11-02T16:00:00Z' },
  ];
}

/** A deterministic pseudo-random source (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Several hundred fills from February to December 2026: longs, shorts, reversals, partial closes, odd commissions. */
function generatedHistory(strategies: string[], accountId: string, seed: number): TestFill[] {
  const next = random(seed);
  const markets = [
    { ticker: 'NQ1!', price: 25000, tick: 0.25 },
    { ticker: 'ES1!', price: 6800, tick: 0.25 },
    { ticker: 'CL1!', price: 62, tick: 0.01 },
    { ticker: 'MSFT', price: 510, tick: 0.01 },
  ];
  const fills: TestFill[] = [];
  let time = Date.parse('2026-02-20T14:00:00Z');
  const end = Date.parse('2026-12-10T00:00:00Z');
  while (time < end) {
    // 20 minutes to 2 days apart: fills land at every hour of the day, weekends included.
    time += Math.floor((20 + next() * 2860) * 60_000) + Math.floor(next() * 60) * 1000;
    const market = markets[Math.floor(next() * markets.length)];
    market.price = Math.max(market.tick * 100, market.price + Math.round((next() - 0.5) * 80) * market.tick);
    const price = Math.round(market.price / market.tick) * market.tick;
    const quantity = 1 + Math.floor(next() * 3);
    fills.push({
      strategyId: strategies[Math.floor(next() * strategies.length)],
      accountId,
      ticker: market.ticker,
      side: next() < 0.5 ? 'buy' : 'sell',
      quantity,
      price: Number(price.toFixed(2)),
      time,
      commission: Math.round(next() * 350 * quantity) / 100,
    });
  }
  return fills;
}

/** The same P&L history checks on every database. */
export function definePnlHistorySuite(label: string, options: Options) {
  describe(`P&L calendar and summary agree with the trades (${label})`, () => {
    let futures: Awaited<ReturnType<typeof startPnlServer>>;
    let midnight: Awaited<ReturnType<typeof startPnlServer>>;
    const ids = { futures: { a: '', b: '' }, midnight: { a: '', b: '' } };
    const get = (server: TestServer, path: string) => http(server.url, 'GET', path);

    beforeAll(async () => {
      futures = await startPnlServer(options, '18:00');
      midnight = await startPnlServer(options, '00:00');
      for (const [name, s] of [
        ['futures', futures],
        ['midnight', midnight],
      ] as const) {
        ids[name] = { a: await s.create('NQ swing'), b: await s.create('ES fade') };
        await fillBooker(s.server)(...handHistory(ids[name].a, ids[name].b, s.accountId));
        // Monday 2026-11-02 15:00 EST: trading day 2026-11-02 under both day starts.
        s.server.app.get(Clock).pin(Date.parse('2026-11-02T20:00:00Z'));
      }
    }, 60_000);

    afterAll(async () => {
      for (const s of [futures, midnight]) {
        await s?.server.close();
        await s?.cleanup?.();
      }
    });

    it('futures days (18:00 New York): each trade on the day its session ends, across both DST changes', async () => {
      const { a, b } = ids.futures;
      const calendar = async (query: string) => (await get(futures.server, `/api/pnl/calendar?${query}`)).body;
      expect(await calendar(`month=2026-10&strategyId=${a}`)).toEqual(
        expect.objectContaining({
          month: '2026-10',
          timeZone: 'America/New_York',
          dayStart: '18:00',
          days: [
            { date: '2026-10-30', pnl: 195.8, trades: 1 },
            { date: '2026-10-31', pnl: 395.8, trades: 1 }, // Friday 18:30 EDT opens Saturday's date
          ],
          total: 591.6,
          trades: 2,
        }),
      );
      expect(await calendar(`month=2026-11&strategyId=${a}`)).toEqual(
        expect.objectContaining({
          days: [
            { date: '2026-11-01', pnl: 91.6, trades: 2 }, // 17:30 EST Sunday is still Sunday's session
            { date: '2026-11-02', pnl: -804.2, trades: 1 },
          ],
          total: -712.6,
        }),
      );
      // 18:30 EDT on 2026-03-08 (already summer time) belongs to Monday 2026-03-09.
      expect((await calendar(`month=2026-03&strategyId=${b}`)).days).toEqual([{ date: '2026-03-09', pnl: 246, trades: 2 }]);
      // 18:30 EDT on 2026-09-30 opens October's first session.
      expect((await calendar(`month=2026-09&strategyId=${b}`)).days).toEqual([]);
      expect((await calendar(`month=2026-10&strategyId=${b}`)).days).toEqual([{ date: '2026-10-01', pnl: 123, trades: 1 }]);
      // All strategies together leave the manual trade out; the account includes it.
      expect((await calendar('month=2026-11')).total).toBe(-712.6);
      expect(await calendar(`month=2026-11&accountId=${futures.accountId}`)).toEqual(
        expect.objectContaining({
          days: [
            { date: '2026-11-01', pnl: 91.6, trades: 2 },
            { date: '2026-11-02', pnl: -779.2, trades: 2 },
          ],
          total: -687.6,
          trades: 4,
        }),
      );
    });

    it('calendar days (00:00 New York) move the same trades across month ends', async () => {
      const { a, b } = ids.midnight;
      const calendar = async (query: string) => (await get(midnight.server, `/api/pnl/calendar?${query}`)).body;
      expect((await calendar(`month=2026-10&strategyId=${a}`)).days).toEqual([{ date: '2026-10-30', pnl: 591.6, trades: 2 }]);
      // 00:30 EDT on 2026-11-01 is November (read as EST it would be 23:30 on October 31).
      expect((await calendar(`month=2026-11&strategyId=${a}`)).days).toEqual([
        { date: '2026-11-01', pnl: 91.6, trades: 2 },
        { date: '2026-11-02', pnl: -804.2, trades: 1 },
      ]);
      expect((await calendar(`month=2026-03&strategyId=${b}`)).days).toEqual([
        { date: '2026-03-08', pnl: 498, trades: 1 },
        { date: '2026-03-09', pnl: -252, trades: 1 },
      ]);
      expect((await calendar(`month=2026-09&strategyId=${b}`)).total).toBe(123);
      expect((await calendar(`month=2026-10&strategyId=${b}`)).total).toBe(0);
    });

    it('summaries: realized P&L, statistics and best/worst days by the configured day', async () => {
      const { a, b } = ids.futures;
      const summary = async (s: TestServer, query: string) => (await get(s, `/api/pnl/summary?${query}`)).body;
      expect(await summary(futures.server, `strategyId=${a}`)).toEqual({
        scope: 'strategy',
        id: a,
        timeZone: 'America/New_York',
        dayStart: '18:00',
        tradingDay: '2026-11-02',
        totalPnl: -121,
        todayPnl: -804.2,
        realizedPnl: -121,
        openPnl: 0,
        activePositions: 0,
        position: {},
        tradeCount: 5,
        winRate: 0.6,
        profitFactor: 0.88, // 887.40 / 1,008.40
        maxDrawdown: -121, // nothing recorded yet: the current drawdown from 0
        bestDay: { date: '2026-10-31', pnl: 395.8 },
        worstDay: { date: '2026-11-02', pnl: -804.2 },
      });
      expect(await summary(futures.server, `strategyId=${b}`)).toEqual(
        expect.objectContaining({ realizedPnl: 369, tradeCount: 3, winRate: 0.6667, profitFactor: 2.4643, todayPnl: 0 }),
      );
      expect(await summary(futures.server, '')).toEqual(
        expect.objectContaining({ scope: 'all', id: null, realizedPnl: 248, tradeCount: 8, todayPnl: -804.2 }),
      );
      expect(await summary(futures.server, `accountId=${futures.accountId}`)).toEqual(
        expect.objectContaining({ scope: 'account', realizedPnl: 273, tradeCount: 9, todayPnl: -779.2 }),
      );
      expect(await summary(midnight.server, `strategyId=${ids.midnight.a}`)).toEqual(
        expect.objectContaining({ bestDay: { date: '2026-10-30', pnl: 591.6 }, worstDay: { date: '2026-11-02', pnl: -804.2 } }),
      );
    });

    it('listings carry the live P&L', async () => {
      const strategies = (await get(futures.server, '/api/strategies')).body as any[];
      expect(strategies.find((s) => s.id === ids.futures.a)).toEqual(
        expect.objectContaining({ todayPnl: -804.2, totalPnl: -121, openPnl: 0, realizedPnl: -121, position: {} }),
      );
      expect((await get(futures.server, `/api/strategies/${ids.futures.b}`)).body).toEqual(
        expect.objectContaining({ name: 'ES fade', todayPnl: 0, totalPnl: 369 }),
      );
      expect((await get(futures.server, '/api/accounts')).body).toEqual([
        expect.objectContaining({ realizedPnl: 273, balance: 50273, equity: 50273, todayPnl: -779.2, totalPnl: 273, openPnl: 0 }),
      ]);
    });

    it('refuses both ids at once, unknown ids and bad months', async () => {
      const { a } = ids.futures;
      const s = futures.server;
      expect((await get(s, `/api/pnl/summary?strategyId=${a}&accountId=${futures.accountId}`)).status).toBe(400);
      expect((await get(s, '/api/pnl/summary?strategyId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await get(s, '/api/pnl/calendar?month=2026-13')).status).toBe(400);
      expect((await get(s, '/api/pnl/calendar?month=2026-11&extra=1')).status).toBe(400);
    });

    it('on a generated year of trades, summary, monthly calendars and the trades agree to the cent', async () => {
      const server = futures.server;
      const strategies = [await futures.create('gen 1'), await futures.create('gen 2'), await futures.create('gen 3')];
      const fills = generatedHistory(strategies, futures.accountId, 20261101);
      expect(fills.length).toBeGreaterThan(200);
      await fillBooker(server)(...fills);
      const calendar = TradingCalendar.of('America/New_York', '18:00');
      const months = [
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
        '2026-11',
        '2026-12',
      ];

      let allMonths = 0;
      for (const id of strategies) {
        const trades = await allTrades(server, `strategyId=${id}`);
        expect(trades.length).toBeGreaterThan(20);
        // Expected per trading day, one trade at a time with the domain's own trading-day function.
        const byDay = new Map<string, number>();
        for (const t of trades) {
          const date = calendar.dateOf(Date.parse(t.exitTime));
          byDay.set(date, (byDay.get(date) ?? 0) + cents(t.pnl));
        }
        let monthsTotal = 0;
        for (const month of months) {
          const body = (await http(server.url, 'GET', `/api/pnl/calendar?month=${month}&strategyId=${id}`)).body;
          const expected = monthDates(month).filter((d) => byDay.has(d));
          expect(body.days.map((d: { date: string }) => d.date)).toEqual(expected);
          for (const day of body.days) expect(cents(day.pnl)).toBe(byDay.get(day.date));
          expect(cents(body.total)).toBe(body.days.reduce((sum: number, d: { pnl: number }) => sum + cents(d.pnl), 0));
          monthsTotal += cents(body.total);
        }
        const summary = (await http(server.url, 'GET', `/api/pnl/summary?strategyId=${id}`)).body;
        const tradesTotal = trades.reduce((sum, t) => sum + cents(t.pnl), 0);
        expect(cents(summary.realizedPnl)).toBe(tradesTotal);
        expect(monthsTotal).toBe(tradesTotal);
        expect(summary.tradeCount).toBe(trades.length);
        allMonths += monthsTotal;
      }
      // The all-strategies calendar is the sum of the strategies' (plus the hand-made history's).
      let handMade = 0;
      let together = 0;
      for (const month of months) {
        together += cents((await http(server.url, 'GET', `/api/pnl/calendar?month=${month}`)).body.total);
        for (const id of Object.values(ids.futures)) {
          handMade += cents((await http(server.url, 'GET', `/api/pnl/calendar?month=${month}&strategyId=${id}`)).body.total);
        }
      }
      expect(together).toBe(allMonths + handMade);
    }, 120_000);
  });
}
