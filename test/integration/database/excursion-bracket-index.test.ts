import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { entryBracket } from '../../../apps/server/src/analytics/analytics-recorder.service.js';
import { openSchema, placeholders, planOf } from '../../support/schema.js';

/**
 * Each trade closed gets its excursion row once a second, with the stop of its entry's bracket,
 * found through the entry fill. By the account alone that read every fill the account ever had,
 * once for each trade — a day's trading makes that quadratic — and could take another strategy's
 * fill of the same price and millisecond. By the trade's strategy and entry time it is one seek
 * (two: the strategy's listed fills, and the fills not listed yet by time; see StrategyListing).
 */
describe.each(['sqlite', 'postgres'] as const)("a trade's entry bracket on %s", (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const $ = (sql: string) => placeholders(kind, sql);
  const trade = { strategyId: 's2', entryTime: 1_000, accountId: 'acc', ticker: 'NQ1!', entryPrice: 25000.25 };
  const bracketOf = async (t: Parameters<typeof entryBracket>[0]) => {
    const [sql, params] = entryBracket(t);
    const rows = (await dataSource.query($(sql), params)) as { stopLossPrice: unknown }[];
    return rows.length ? Number(rows[0].stopLossPrice) : null;
  };

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it("seeks a strategy's entry fill by the strategy's list and time, or (not listed yet) by time", async () => {
    for (const strategyId of [trade.strategyId, null]) {
      const [sql, params] = entryBracket({ ...trade, strategyId });
      const plan = await planOf(dataSource, kind, sql, params as (string | number)[]);
      if (kind === 'sqlite') {
        expect(plan).toMatch(/SEARCH f USING INDEX ix_fills_listed \(listedStrategyId=\? AND time=\?\)/);
        expect(plan).toMatch(/SEARCH f USING INDEX ix_fills_unlisted \(time=\?\)/);
      } else {
        expect(plan).toMatch(/Index Scan using ix_fills_listed on fills f/);
        expect(plan).toMatch(/Index Scan using ix_fills_unlisted on fills f/);
      }
      expect(plan).not.toMatch(/SCAN f\b|Seq Scan on fills/);
    }
  });

  it("finds the trade's own strategy's bracket where another strategy filled at the same price and millisecond, and a link's copy's", async () => {
    const order = $(
      `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "accountId", "ticker", "side", "quantity", "type", "status", "createdAt", "updatedAt") ` +
        `VALUES (?, ?, ?, 'acc', 'NQ1!', 'buy', 1, 'market', 'filled', 0, 0)`,
    );
    const fill = $(
      `INSERT INTO "fills" ("id", "brokerFillId", "orderId", "strategyId", "accountId", "ticker", "side", "quantity", "price", "time") ` +
        `VALUES (?, ?, ?, ?, 'acc', 'NQ1!', 'buy', 1, 25000.25, ?)`,
    );
    const bracket = $(
      `INSERT INTO "order_brackets" ("parentClientOrderId", "strategyId", "stopLossPrice", "status", "createdAt", "updatedAt") VALUES (?, ?, ?, 'active', 0, 0)`,
    );
    // Three strategies (one of them the manual trader's, no strategy) on one account, each its own stop.
    for (const [n, strategyId, stop] of [
      [1, 's1', 24990],
      [2, 's2', 24980],
      [3, null, 24970],
    ] as const) {
      await dataSource.query(order, [`o${n}`, `c${n}`, strategyId]);
      await dataSource.query(fill, [`f${n}`, `bf${n}`, `o${n}`, strategyId, 1_000]);
      await dataSource.query(bracket, [`c${n}`, strategyId, stop]);
    }
    // A link's copy of s1 on another account: its trade is held under the link, its fill under s1.
    await dataSource.query(
      $(
        `INSERT INTO "strategy_links" ("id", "strategyId", "accountId", "multiplier", "enabled", "createdAt", "updatedAt") VALUES ('link1', 's1', 'other', 1, ?, 0, 0)`,
      ),
      [kind === 'postgres' ? true : 1],
    );
    await dataSource.query(
      $(
        `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "linkId", "accountId", "ticker", "side", "quantity", "type", "status", "createdAt", "updatedAt") ` +
          `VALUES ('o4', 'c4', 's1', 'link1', 'other', 'NQ1!', 'buy', 1, 'market', 'filled', 0, 0)`,
      ),
    );
    await dataSource.query(
      $(
        `INSERT INTO "fills" ("id", "brokerFillId", "orderId", "strategyId", "accountId", "ticker", "side", "quantity", "price", "time") ` +
          `VALUES ('f4', 'bf4', 'o4', 's1', 'other', 'NQ1!', 'buy', 1, 25000.25, 1000)`,
      ),
    );
    await dataSource.query(bracket, ['c4', 's1', 24960]);
    // The fills as written (not listed yet), then listed as StrategyListing lists them: found either way.
    for (const listed of [false, true]) {
      if (listed)
        await dataSource.query(`UPDATE "fills" SET "listedStrategyId" = COALESCE("strategyId", '') WHERE "listedStrategyId" IS NULL`);
      const unlisted = (await dataSource.query(`SELECT count(*) AS "n" FROM "fills" WHERE "listedStrategyId" IS NULL`)) as { n: unknown }[];
      expect(Number(unlisted[0].n)).toBe(listed ? 0 : 4);
      expect(await bracketOf({ ...trade, strategyId: 'link1', accountId: 'other' })).toBe(24960);
      expect(await bracketOf(trade)).toBe(24980);
      expect(await bracketOf({ ...trade, strategyId: 's1' })).toBe(24990);
      expect(await bracketOf({ ...trade, strategyId: null })).toBe(24970);
      expect(await bracketOf({ ...trade, entryTime: 1_001 })).toBeNull();
      expect(await bracketOf({ ...trade, strategyId: 's3' })).toBeNull();
    }
  });
});
