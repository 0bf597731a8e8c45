import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import { listedArms, StrategyListing } from '../../../apps/server/src/database/strategy-listing.js';
import { ordersOfStrategy } from '../../../apps/server/src/execution/order-queries.service.js';
import { Order } from '../../../apps/server/src/execution/order.entity.js';
import { Fill } from '../../../apps/server/src/ledger/fill.entity.js';
import { fillsOfStrategy } from '../../../apps/server/src/ledger/ledger-query.service.js';
import { indexDefinitions, openSchema, placeholders, planOf, series } from '../../support/schema.js';

/**
 * The admin pages a strategy's orders and fills newest first, by offset, with their total. Neither
 * table has an index that begins with the strategy: on SQLite each order and each fill paid a page
 * of it in the commit that wrote it. They are listed by strategy within a second of being written
 * (StrategyListing); until then they are found by time. A page must hold the same rows whichever
 * part each is in, and both parts must be read through their index.
 */
describe.each(['sqlite', 'postgres'] as const)('a strategy’s orders and fills on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let listing: StrategyListing;
  let next = 0;
  const $ = (sql: string) => placeholders(kind, sql);

  /** An order and its fill at `at`, of `strategyId` (null: a manual one), listed as `listed` says. */
  const trade = async (strategyId: string | null, at: number, listed: boolean, accountId = 'acc') => {
    const n = ++next;
    const place = listed ? (strategyId ?? '') : null;
    await dataSource.query(
      $(
        `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "listedStrategyId", "accountId", "ticker", "side", "quantity", "type", "status", "createdAt", "updatedAt") ` +
          `VALUES (?, ?, ?, ?, ?, 'NQ1!', 'buy', 1, 'market', ?, ?, ?)`,
      ),
      [`o-${String(n).padStart(4, '0')}`, `c-${n}`, strategyId, place, accountId, n % 2 ? 'filled' : 'cancelled', at, at],
    );
    await dataSource.query(
      $(
        `INSERT INTO "fills" ("id", "brokerFillId", "orderId", "strategyId", "listedStrategyId", "accountId", "ticker", "side", "quantity", "price", "time") ` +
          `VALUES (?, ?, ?, ?, ?, ?, 'NQ1!', 'buy', 1, 25000, ?)`,
      ),
      [`f-${String(n).padStart(4, '0')}`, `bf-${n}`, `o-${n}`, strategyId, place, accountId, at],
    );
  };

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
    const database = new DatabaseService(dataSource);
    listing = new StrategyListing(database, new Statements(database));
    listing.register('orders');
    listing.register('fills');
    // A listed history for the planners to weigh: 20,000 orders and fills of 100 strategies, analysed.
    const rows = series(kind, 20000);
    await dataSource.query(
      `INSERT INTO "orders" ("id", "clientOrderId", "strategyId", "listedStrategyId", "accountId", "ticker", "side", "quantity", "type", "status", "createdAt", "updatedAt") ` +
        `SELECT 'bulk-' || "i", 'bulk-' || "i", 'bulk-' || ("i" % 100), 'bulk-' || ("i" % 100), 'acc', 'NQ1!', 'buy', 1, 'market', 'filled', "i", "i" FROM (${rows}) AS "s"`,
    );
    await dataSource.query(
      `INSERT INTO "fills" ("id", "brokerFillId", "orderId", "strategyId", "listedStrategyId", "accountId", "ticker", "side", "quantity", "price", "time") ` +
        `SELECT 'bulk-' || "i", 'bulk-' || "i", 'bulk-' || "i", 'bulk-' || ("i" % 100), 'bulk-' || ("i" % 100), 'acc', 'NQ1!', 'buy', 1, 25000, "i" FROM (${rows}) AS "s"`,
    );
    await dataSource.query(kind === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE');
  });
  afterAll(() => close?.());

  it.each([
    ['orders', 'createdAt'],
    ['fills', 'time'],
  ])(
    'indexes %s by their place in the strategy’s list and time, the unlisted by time, and by no index that begins with the strategy',
    async (table, time) => {
      const indexes = await indexDefinitions(dataSource, kind, table);
      expect(indexes.get(`ix_${table}_listed`)).toMatch(
        new RegExp(`\\("listedStrategyId", "?${time}"?\\) WHERE \\(?"?listedStrategyId"? IS NOT NULL\\)?$`),
      );
      expect(indexes.get(`ix_${table}_unlisted`)).toMatch(new RegExp(`\\("?${time}"?\\) WHERE \\(?"?listedStrategyId"? IS NULL\\)?$`));
      // The open orders' index begins with the strategy, but holds only the orders a broker may still fill.
      const byStrategy = [...indexes].filter(([name, sql]) => /\("strategyId"/.test(sql.split(' WHERE ')[0]) && name !== 'ix_orders_open');
      expect(byStrategy).toEqual([]);
    },
  );

  it('reads a strategy’s page of orders and of fills through the list’s index and the newest by time', async () => {
    const [listed, unlisted] = listedArms('record');
    const orders = dataSource.getRepository(Order).createQueryBuilder('record');
    const fills = dataSource.getRepository(Fill).createQueryBuilder('record');
    const plans: [string, string, string][] = [];
    for (const [query, table, time] of [
      [orders, 'orders', 'createdAt'],
      [fills, 'fills', 'time'],
    ] as const)
      for (const [arm, index] of [
        [listed, `ix_${table}_listed`],
        [unlisted, `ix_${table}_unlisted`],
      ]) {
        const [sql, params] = query
          .clone()
          .where(arm, { strategyId: 'bulk-7' })
          .orderBy(`record.${time}`, 'DESC')
          .addOrderBy('record.id', 'ASC')
          .offset(100)
          .limit(50)
          .getQueryAndParameters();
        plans.push([index, await planOf(dataSource, kind, sql, params as (string | number)[]), table]);
      }
    for (const [index, plan] of plans) {
      expect(plan).toContain(index);
      expect(plan).not.toMatch(/SCAN record$|Seq Scan/m);
      // SQLite: ties in time are put in id order among themselves ("RIGHT PART"), the page is never sorted whole.
      if (kind === 'sqlite') expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
  });

  it('pages a strategy’s orders and fills the same whether listed or not, with a filter, an offset and the total', async () => {
    // s1: orders and fills at 10..100, the odd ones listed; s2 and a manual trade in between.
    for (let at = 10; at <= 100; at += 10) {
      await trade('s1', at, at % 20 !== 0);
      if (at % 30 === 0) await trade('s2', at, false);
      if (at === 50) await trade(null, at, false);
    }
    await trade('s1', 50, false, 'other'); // the same millisecond as another of s1's: ties by id
    const orderPage = async (offset: number, limit: number, extra: { status?: string; accountId?: string } = {}) => {
      const [items, total] = await ordersOfStrategy(dataSource.getRepository(Order), { offset, limit, ...extra }, 's1');
      return { total, items: items.map((o) => `${o.createdAt}:${o.accountId}`) };
    };
    const fillPage = async (offset: number, limit: number, extra: { from?: number; to?: number; accountId?: string } = {}) => {
      const [items, total] = await fillsOfStrategy(dataSource.getRepository(Fill), { offset, limit, ...extra }, 's1');
      return { total, items: items.map((f) => `${f.time}:${f.accountId}`) };
    };
    const all = ['100:acc', '90:acc', '80:acc', '70:acc', '60:acc', '50:acc', '50:other', '40:acc', '30:acc', '20:acc', '10:acc'];
    for (const when of ['before listing', 'after listing']) {
      if (when === 'after listing') await listing.listNow();
      const left = await dataSource.query(`SELECT count(*) AS "n" FROM "orders" WHERE "listedStrategyId" IS NULL`);
      expect(Number(left[0].n)).toBe(when === 'after listing' ? 0 : 10);
      for (const page of [orderPage, fillPage]) {
        expect(await page(0, 100)).toEqual({ total: 11, items: all });
        for (const [offset, limit] of [
          [0, 3],
          [3, 3],
          [5, 2],
          [9, 5],
          [11, 5],
        ])
          expect((await page(offset, limit)).items).toEqual(all.slice(offset, offset + limit));
        expect(await page(0, 100, { accountId: 'other' })).toEqual({ total: 1, items: ['50:other'] });
      }
      expect(await fillPage(2, 3, { from: 30, to: 80 })).toEqual({ total: 7, items: ['60:acc', '50:acc', '50:other'] });
      expect((await orderPage(0, 100, { status: 'cancelled' })).items).toEqual(
        (
          (await dataSource.query(
            `SELECT "createdAt", "accountId" FROM "orders" WHERE "strategyId" = 's1' AND "status" = 'cancelled' ORDER BY "createdAt" DESC, "id"`,
          )) as { createdAt: unknown; accountId: string }[]
        ).map((o) => `${Number(o.createdAt)}:${o.accountId}`),
      );
    }
    // A manual order and its fill are listed under no strategy: never read as a strategy's.
    const manual = await dataSource.query(`SELECT "listedStrategyId" FROM "fills" WHERE "strategyId" IS NULL`);
    expect(manual).toEqual([{ listedStrategyId: '' }]);
  });
});
