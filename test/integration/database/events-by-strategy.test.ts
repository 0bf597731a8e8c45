import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, Repository } from 'typeorm';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import {
  LIST_AT_MOST,
  LIST_AT_ROWS,
  LIST_WITHIN_MS,
  listedArms,
  listRows,
  StrategyListing,
} from '../../../apps/server/src/database/strategy-listing.js';
import { WebhookEvent } from '../../../apps/server/src/webhooks/webhook-event.entity.js';
import { eventPage, eventsOfStrategy, type EventFilter } from '../../../apps/server/src/webhooks/webhook-events.service.js';
import { indexDefinitions, openSchema, planOf, series } from '../../support/schema.js';

/**
 * The admin lists a strategy's events newest first, a page before a time. No index on
 * `webhook_events` begins with the strategy for that: on SQLite every alert paid a page of it in
 * the commit its 202 waited for. Events are listed by strategy within a second of being written
 * (StrategyListing); until then they are found by time. Both parts must be read through their
 * index in the page's order, never by reading and sorting every event of the strategy.
 */
describe.each(['sqlite', 'postgres'] as const)('a strategy’s events on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let events: Repository<WebhookEvent>;
  let listing: StrategyListing;
  let next = 0;

  const insert = (strategyId: string, receivedAt: number, listedStrategyId: string | null, status: WebhookEvent['status'] = 'done') =>
    events.insert({
      id: `00000000-0000-7000-8000-${String(++next).padStart(12, '0')}`,
      strategyId,
      listedStrategyId,
      idempotencyKey: null,
      bodyHash: null,
      status,
      alert: '{}',
      sourceIp: null,
      receivedAt,
      processedAt: null,
      notBefore: null,
      error: null,
    });
  const ids = async (filter: Omit<EventFilter, 'limit'> & { limit?: number }, strategyId: string) =>
    (await eventsOfStrategy(events, { limit: 100, ...filter }, strategyId)).map((e) => `${e.receivedAt}:${e.status}`);

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
    events = dataSource.getRepository(WebhookEvent);
    const database = new DatabaseService(dataSource);
    listing = new StrategyListing(database, new Statements(database));
    listing.register('webhook_events');
    // A listed history for the planners to weigh: 20,000 events of 100 strategies, analysed.
    const rows = series(kind, 20000);
    await dataSource.query(
      `INSERT INTO "webhook_events" ("id", "strategyId", "listedStrategyId", "status", "alert", "receivedAt") ` +
        `SELECT 'bulk-' || "i", 'bulk-' || ("i" % 100), 'bulk-' || ("i" % 100), 'done', '{}', "i" FROM (${rows}) AS "s"`,
    );
    await dataSource.query(kind === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE');
  });
  afterAll(() => close?.());

  it('indexes the listed events by strategy and time, the unlisted by time alone, and nothing else by strategy but the duplicate checks', async () => {
    const indexes = await indexDefinitions(dataSource, kind, 'webhook_events');
    expect(indexes.get('ix_webhook_events_listed')).toMatch(
      /\("listedStrategyId", "receivedAt"\) WHERE \(?"?listedStrategyId"? IS NOT NULL\)?$/,
    );
    expect(indexes.get('ix_webhook_events_unlisted')).toMatch(/\("receivedAt"\) WHERE \(?"?listedStrategyId"? IS NULL\)?$/);
    const byStrategy = [...indexes].filter(([, sql]) => /\("strategyId"/.test(sql.split(' WHERE ')[0])).map(([name]) => name);
    // The duplicate checks' own, partial: an alert writes to one of them, by its id or by its body.
    expect(byStrategy.sort()).toEqual(['ix_webhook_events_body', 'uq_webhook_events_strategy_key']);
  });

  it.each<[string, Omit<EventFilter, 'limit'>]>([
    ['a strategy', {}],
    ['its page before a time', { beforeReceivedAt: 15000 }],
  ])('reads %s through the list’s index and the newest by time', async (_, filter) => {
    const [listed, unlisted] = listedArms('record');
    const plans = await Promise.all(
      [listed, unlisted].map((arm) => {
        const [sql, params] = eventPage(events, { ...filter, limit: 50 }, arm, 'bulk-7').getQueryAndParameters();
        return planOf(dataSource, kind, sql, params as (string | number)[]);
      }),
    );
    if (kind === 'sqlite') {
      expect(plans[0]).toMatch(/SEARCH record USING INDEX ix_webhook_events_listed \(listedStrategyId=\?/);
      expect(plans[1]).toMatch(/(SCAN|SEARCH) record USING INDEX ix_webhook_events_unlisted/);
      // Ties in time are put in id order among themselves ("RIGHT PART"); the page is never sorted whole.
      for (const plan of plans) expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    } else {
      // Its generic plan may read a few rows through the index and sort them, as with any index.
      expect(plans[0]).toMatch(/Index Scan (Backward )?(using|on) ix_webhook_events_listed/);
      expect(plans[1]).toMatch(/Index Scan (Backward )?(using|on) ix_webhook_events_unlisted/);
      for (const plan of plans) expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it('answers newest first across the listed and the unlisted events, a status and the page before a time; the same once listed', async () => {
    // s1: three listed, three written since (one at the same millisecond as a listed one); s2 around them.
    await insert('s1', 100, 's1');
    await insert('s1', 300, 's1', 'failed');
    await insert('s1', 500, 's1');
    await insert('s2', 400, 's2');
    await insert('s1', 200, null);
    await insert('s1', 500, null, 'failed');
    await insert('s1', 600, null);
    await insert('s2', 700, null);
    const expected = ['600:done', '500:done', '500:failed', '300:failed', '200:done', '100:done'];
    for (const when of ['before listing', 'after listing']) {
      if (when === 'after listing') {
        await listing.listNow();
        const left = await dataSource.query(`SELECT count(*) AS "n" FROM "webhook_events" WHERE "listedStrategyId" IS NULL`);
        expect(Number(left[0].n)).toBe(0);
      }
      expect(await ids({}, 's1')).toEqual(expected);
      expect(await ids({ limit: 2 }, 's1')).toEqual(expected.slice(0, 2));
      expect(await ids({ limit: 3 }, 's1')).toEqual(expected.slice(0, 3));
      expect(await ids({ status: 'failed' }, 's1')).toEqual(['500:failed', '300:failed']);
      expect(await ids({ beforeReceivedAt: 500, limit: 2 }, 's1')).toEqual(['300:failed', '200:done']);
      expect(await ids({}, 's2')).toEqual(['700:done', '400:done']);
    }
  });

  it('lists every event written since in one commit, by its own strategy, and an event listed between the two reads is still read once', async () => {
    await insert('s3', 1000, null);
    await insert('s3', 1001, null);
    await listing.listNow();
    const rows: { strategyId: string; listedStrategyId: string }[] = await dataSource.query(
      `SELECT "strategyId", "listedStrategyId" FROM "webhook_events" WHERE "strategyId" = 's3'`,
    );
    expect(rows).toEqual([
      { strategyId: 's3', listedStrategyId: 's3' },
      { strategyId: 's3', listedStrategyId: 's3' },
    ]);
    // Read unlisted, then listed in between, then read listed: in both parts, kept once.
    await insert('s4', 2000, null);
    const [listed, unlisted] = listedArms('record');
    const early = await eventPage(events, { limit: 10 }, unlisted, 's4').getMany();
    await listing.listNow();
    const late = await eventPage(events, { limit: 10 }, listed, 's4').getMany();
    expect([early.length, late.length]).toEqual([1, 1]);
    expect(await ids({}, 's4')).toEqual(['2000:done']);
  });

  it('lists at once when enough wait, at most so many a commit, and a few once they have waited long enough', async () => {
    const unlisted = async () =>
      Number(
        ((await dataSource.query(`SELECT count(*) AS "n" FROM "webhook_events" WHERE "listedStrategyId" IS NULL`)) as { n: unknown }[])[0]
          .n,
      );
    await listing.listNow();
    const rows = series(kind, LIST_AT_MOST + 3);
    await dataSource.query(
      `INSERT INTO "webhook_events" ("id", "strategyId", "status", "alert", "receivedAt") SELECT 'burst-' || "i", 's5', 'done', '{}', 30000 + "i" FROM (${rows}) AS "s"`,
    );
    const start = Date.now();
    await listing.listDue(start);
    expect(await unlisted()).toBe(3);
    // Fewer than LIST_AT_ROWS wait: listed once they have waited LIST_WITHIN_MS, not before.
    expect(3).toBeLessThan(LIST_AT_ROWS);
    await listing.listDue(start + 10);
    expect(await unlisted()).toBe(3);
    await listing.listDue(Date.now() + LIST_WITHIN_MS);
    expect(await unlisted()).toBe(0);
  });

  it('lists what is left when the server shuts down', async () => {
    await insert('s6', 40000, null);
    await insert('s6', 40001, null);
    await listing.onModuleDestroy();
    const left = await dataSource.query(`SELECT count(*) AS "n" FROM "webhook_events" WHERE "listedStrategyId" IS NULL`);
    expect(Number(left[0].n)).toBe(0);
  });

  it('finds the unlisted events through their own index when it lists them', async () => {
    const update = listRows('webhook_events', kind === 'sqlite' ? 'rowid' : '"id"');
    if (kind === 'sqlite') {
      const plan = await planOf(dataSource, kind, update, []);
      expect(plan).toMatch(/SEARCH webhook_events USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).toMatch(/(SCAN|SEARCH) webhook_events USING (COVERING )?INDEX ix_webhook_events_unlisted/);
      return;
    }
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN ${update}`);
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using ix_webhook_events_unlisted/);
    } finally {
      await runner.query('RESET ALL');
      await runner.release();
    }
  });
});
