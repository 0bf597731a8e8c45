import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Clock } from '../../../apps/server/src/pnl/clock.js';
import { PnlQueryService } from '../../../apps/server/src/pnl/pnl-query.service.js';
import { PnlRecorder } from '../../../apps/server/src/pnl/pnl-recorder.service.js';
import { PnlRollups } from '../../../apps/server/src/pnl/pnl-rollup.service.js';
import { createPostgresDatabase, http, startServer, type TestServer, type TestServerOptions } from '../../support/app.js';
import { fillBooker } from '../../support/pnl.js';

// Tuesday 2026-11-03, 10:00 EST.
const T0 = Date.parse('2026-11-03T15:00:00Z');
const S = 1000;
const MIN = 60_000;
const DAY_START = Date.parse('2026-11-03T05:00:00Z');

type Setup = () => Promise<TestServerOptions & { cleanup?: () => Promise<void> }>;

/**
 * Three NQ round trips ($5 a 0.25 tick), recorded as they happen, with rollups between them: the
 * series must show the value after the last one whatever the rollups have reached.
 */
function defineTailSuite(label: string, setup: Setup) {
  describe(`P&L series right after trades (${label})`, () => {
    let server: TestServer;
    let cleanup: (() => Promise<void>) | undefined;
    let strategyId = '';
    let accountId = '';

    const roundTrip = async (entry: number, exit: number, at: number) => {
      await fillBooker(server)(
        { strategyId, accountId, ticker: 'NQ1!', side: 'buy', quantity: 1, price: entry, time: at },
        { strategyId, accountId, ticker: 'NQ1!', side: 'sell', quantity: 1, price: exit, time: at + 5 * S },
      );
      await server.app.get(PnlRecorder).recordPass(at + 6 * S);
      await server.app.get(PnlRecorder).flush();
    };
    const series = async (query: string, now: number) => {
      server.app.get(Clock).pin(now);
      const response = await http(server.url, 'GET', `/api/pnl/series?strategyId=${strategyId}${query}`);
      expect(response.status).toBe(200);
      return response.body;
    };

    beforeAll(async () => {
      const { cleanup: drop, ...options } = await setup();
      cleanup = drop;
      server = await startServer({
        ...options,
        overrides: { plugins: { disabled: ['sim-feed'] }, pnl: { timeZone: 'America/New_York', dayStart: '00:00', recorder: false } },
      });
      strategyId = (await http(server.url, 'POST', '/api/strategies', { name: 'tail' })).body.id;
      accountId = (await http(server.url, 'GET', '/api/accounts')).body[0].id;
    });

    afterAll(async () => {
      await server?.close();
      await cleanup?.();
    });

    it('before any rollup: the default range (hour bars) holds the trade just recorded', async () => {
      await roundTrip(25000, 25005, T0 + 10 * S); // +20 ticks: +$100
      const body = await series('', T0 + 30 * S);
      expect(body.resolution).toBe('1h');
      expect(body.points).toEqual([{ t: T0, pnl: 100, drawdown: 0 }]);
    });

    it('after rollups that stopped short of the newest trades: every trade, in the bar it falls in', async () => {
      await server.app.get(PnlRollups).rollUp(T0 + 2 * MIN);
      await roundTrip(25000, 24998, T0 + 3 * MIN); // −8 ticks: −$40, total $60, $40 below the peak
      await server.app.get(PnlRollups).rollUp(T0 + 3 * MIN + 30 * S);
      await roundTrip(25000, 25003, T0 + 5 * MIN); // +12 ticks: +$60, total $120, a new peak
      const now = T0 + 6 * MIN;

      const hours = await series('', now);
      expect(hours.resolution).toBe('1h');
      expect(hours.points).toEqual([{ t: T0, pnl: 120, drawdown: 0 }]);

      const minutes = await series(`&from=${T0}&to=${now}&resolution=1m`, now);
      expect(minutes.points).toEqual([
        { t: T0, pnl: 100, drawdown: 0 },
        { t: T0 + 3 * MIN, pnl: 60, drawdown: -40 },
        { t: T0 + 5 * MIN, pnl: 120, drawdown: 0 },
      ]);

      const days = await series(`&from=${T0 - 7 * 24 * 60 * MIN}&to=${now}&resolution=1d`, now);
      expect(days.points).toEqual([{ t: DAY_START, pnl: 120, drawdown: 0 }]);

      // The service answers the same without HTTP.
      const query = server.app.get(PnlQueryService);
      const direct = await query.series(await query.scope(strategyId), { from: T0, to: now, resolution: '1m' }, now);
      expect(direct.points).toEqual(minutes.points);
    });

    it('a range starting inside the unrolled tail carries the value in from before it', async () => {
      const now = T0 + 7 * MIN;
      const from = T0 + 6 * MIN + 10 * S;
      const body = await series(`&from=${from}&to=${now}&resolution=1m`, now);
      expect(body.points).toEqual([{ t: from, pnl: 120, drawdown: 0 }]);
    });

    it('once the rollups catch up, the same series from the bars alone', async () => {
      const now = T0 + 10 * MIN;
      await server.app.get(PnlRollups).rollUp(now);
      expect((await series('', now)).points).toEqual([{ t: T0, pnl: 120, drawdown: 0 }]);
      expect((await series(`&from=${T0}&to=${now}&resolution=1m`, now)).points).toHaveLength(3);
    });

    it('a trade the recorder has not written to the database yet is in the series too', async () => {
      const recorder = server.app.get(PnlRecorder);
      const written = async (time: number) =>
        Number(
          (
            await server.app
              .get(DataSource)
              .query(`SELECT COUNT(*) AS "n" FROM "pnl_points" WHERE "scopeId" = '${strategyId}' AND "time" = ${time}`)
          )[0].n,
        );
      // A pass writes a quarter of the scopes: within two passes one leaves this strategy's point in memory.
      let at = T0 + 20 * MIN;
      let total = 120;
      for (let tries = 0; ; tries++) {
        expect(tries).toBeLessThan(4);
        await fillBooker(server)(
          { strategyId, accountId, ticker: 'NQ1!', side: 'buy', quantity: 1, price: 25000, time: at },
          { strategyId, accountId, ticker: 'NQ1!', side: 'sell', quantity: 1, price: 25001.25, time: at + 5 * S }, // +5 ticks: +$25
        );
        total += 25;
        await recorder.recordPass(at + 6 * S);
        if ((await written(at + 6 * S)) === 0) break;
        at += MIN;
      }
      expect(recorder.unwritten('strategy', strategyId).map((p) => p.time)).toContain(at + 6 * S);
      const now = at + 10 * S;
      const body = await series(`&from=${T0}&to=${now}&resolution=1m`, now);
      expect(body.points[body.points.length - 1]).toEqual({ t: at, pnl: total, drawdown: 0 });
      expect((await series('', now)).points).toEqual([{ t: T0, pnl: total, drawdown: 0 }]);
    });

    it('a trade whose point is being written as the series is read is in the series too', async () => {
      const recorder = server.app.get(PnlRecorder);
      const query = server.app.get(PnlQueryService);
      const scope = await query.scope(strategyId);
      // A pass writes a quarter of the scopes: within four, one leaves this strategy's point in memory.
      let at = T0 + 40 * MIN;
      for (let tries = 0; ; tries++) {
        expect(tries).toBeLessThan(4);
        await fillBooker(server)(
          { strategyId, accountId, ticker: 'NQ1!', side: 'buy', quantity: 1, price: 25000, time: at },
          { strategyId, accountId, ticker: 'NQ1!', side: 'sell', quantity: 1, price: 25002, time: at + 5 * S }, // +8 ticks: +$40
        );
        await recorder.recordPass(at + 6 * S);
        if (recorder.unwritten('strategy', strategyId).some((p) => p.time === at + 6 * S)) break;
        at += MIN;
      }
      const now = at + 10 * S;
      const before = (await query.series(scope, { from: T0, to: now, resolution: '1m' }, now)).points;
      expect(before[before.length - 1].t).toBe(at);
      // The write starts now and commits later: the read begins in between.
      const writing = recorder.flush();
      const reading = query.series(scope, { from: T0, to: now, resolution: '1m' }, now);
      const [, during] = await Promise.all([writing, reading]);
      expect(during.points[during.points.length - 1]).toEqual(before[before.length - 1]);
      expect(recorder.unwritten('strategy', strategyId)).toEqual([]);
    });
  });
}

defineTailSuite('SQLite', async () => ({}));
defineTailSuite('PostgreSQL', async () => {
  const database = await createPostgresDatabase();
  return { databaseUrl: database.url, cleanup: database.drop };
});
