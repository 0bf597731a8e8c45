import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { LogEntry } from '../../../apps/server/src/logs/log-entry.entity.js';
import { logPages, NEWEST_INDEXED_LINE, type LogQuery } from '../../../apps/server/src/logs/logs.service.js';
import { indexDefinitions, openSchema, planOf, series } from '../../support/schema.js';

/**
 * The admin pages a strategy's log newest first by id. Both databases must read that page through
 * the strategy's entries in `log_strategy_lines` in its order, the lines not indexed yet (SQLite)
 * by id from the log itself, and never read and sort every line the strategy has written: a
 * strategy that trades a hundred times a day writes about a hundred thousand lines a year. The log
 * itself has no index by strategy: on SQLite each line paid for it with a page written per
 * strategy in every commit.
 */
describe.each(['sqlite', 'postgres'] as const)('a page of the log on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const pages = (query: LogQuery, indexedUpTo: number | null) => logPages(dataSource.getRepository(LogEntry), query, indexedUpTo);

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
    // A history for the planners to weigh: 20,000 indexed lines of 100 strategies, analysed. On
    // empty tables PostgreSQL rightly prefers reading everything and sorting it.
    const rows = series(kind, 20000);
    await dataSource.query(
      `INSERT INTO "log_entries" ("time", "level", "category", "strategyId", "message", "context") ` +
        `SELECT "i", 'info', 'test', 'bulk-' || ("i" % 100), 'a line', NULL FROM (${rows}) AS "s"`,
    );
    await dataSource.query('INSERT INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "log_entries"');
    await dataSource.query(kind === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE');
  });
  afterAll(() => close?.());

  it('indexes a strategy’s lines in a table of their own, by strategy and id, and the log by id alone', async () => {
    const lines = await indexDefinitions(dataSource, kind, 'log_entries');
    expect([...lines.keys()].filter((name) => name.startsWith('ix_'))).toEqual([]);
    if (kind === 'sqlite') {
      const [table] = (await dataSource.query(`SELECT "sql" FROM sqlite_master WHERE "name" = 'log_strategy_lines'`)) as { sql: string }[];
      expect(table.sql).toMatch(/PRIMARY KEY\s*\(\s*"strategyId"\s*,\s*"id"\s*\)\s*\)\s*WITHOUT ROWID/);
    } else {
      const marks = await indexDefinitions(dataSource, kind, 'log_strategy_lines');
      expect([...marks.values()]).toEqual([expect.stringMatching(/UNIQUE INDEX .* USING btree \("strategyId", id\)/)]);
    }
  });

  it.each<[string, Omit<LogQuery, 'limit'>]>([
    ['a strategy', { strategyId: 'a-strategy' }],
    ['its warnings', { strategyId: 'a-strategy', level: 'warn' }],
    ['its next page', { strategyId: 'a-strategy', beforeId: 5000 }],
  ])('reads %s through its index in page order, and (SQLite) its newest lines by id, with no sort', async (_, query) => {
    // PostgreSQL indexes each line as it is written: there are no newest lines to read apart.
    const plans = await Promise.all(
      pages({ ...query, limit: 100 }, kind === 'sqlite' ? 4000 : null).map((page) => {
        const [sql, params] = page.getQueryAndParameters();
        return planOf(dataSource, kind, sql, params as (string | number)[]);
      }),
    );
    if (kind === 'sqlite') {
      expect(plans).toEqual([
        expect.stringMatching(/SEARCH line USING INTEGER PRIMARY KEY \(rowid>\?/),
        expect.stringMatching(/SEARCH mark USING PRIMARY KEY \(strategyId=\? AND id[<>]\?/),
      ]);
    } else {
      expect(plans).toEqual([expect.stringMatching(/Index Only Scan Backward using "PK_\w+" on log_strategy_lines/)]);
    }
    // SQLite: "USE TEMP B-TREE FOR ORDER BY"; PostgreSQL: a Sort node.
    for (const plan of plans) expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it('answers a strategy’s newest lines first, its warnings, and the page before an id, across the indexed and the newest lines', async () => {
    const lines = dataSource.getRepository(LogEntry);
    const insert = async (strategyId: string, level: string, time: number) => {
      const { identifiers } = await lines.insert({
        time,
        level: level as LogEntry['level'],
        category: 'test',
        strategyId,
        message: `${strategyId} ${level} ${time}`,
        context: null,
      });
      return Number(identifiers[0].id);
    };
    // Written out of time order (a clock stepped back): the page follows the ids, as it always has.
    const times = [5, 3, 9, 1, 7, 2];
    let indexedUpTo = 0;
    for (const [i, time] of times.entries()) {
      const id = await insert('s1', i % 3 === 0 ? 'warn' : 'info', time);
      await insert('s2', 'info', time);
      // The first four of each strategy's lines are indexed, the last two are the newest, not yet.
      if (i === 3) {
        await dataSource.query(
          `INSERT INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "log_entries" WHERE "id" > 20000 AND "id" <= ${id + 1}`,
        );
        indexedUpTo = id + 1;
      }
    }
    for (const upTo of [indexedUpTo, null] as const) {
      if (upTo === null)
        await dataSource.query(
          `INSERT INTO "log_strategy_lines" ("strategyId", "id") SELECT "strategyId", "id" FROM "log_entries" WHERE "id" > ${indexedUpTo}`,
        );
      const read = async (query: LogQuery) => {
        const rows: LogEntry[] = [];
        for (const page of pages(query, upTo)) {
          rows.push(...(await page.limit(query.limit - rows.length).getMany()));
          if (rows.length >= query.limit) break;
        }
        return rows;
      };
      const messages = async (query: LogQuery) => (await read(query)).map((line) => line.message);
      expect(await messages({ strategyId: 's1', limit: 100 })).toEqual([
        's1 info 2',
        's1 info 7',
        's1 warn 1',
        's1 info 9',
        's1 info 3',
        's1 warn 5',
      ]);
      expect(await messages({ strategyId: 's1', limit: 2 })).toEqual(['s1 info 2', 's1 info 7']);
      expect(await messages({ strategyId: 's1', limit: 3 })).toEqual(['s1 info 2', 's1 info 7', 's1 warn 1']);
      expect(await messages({ strategyId: 's1', level: 'warn', limit: 100 })).toEqual(['s1 warn 1', 's1 warn 5']);
      const newest = await read({ strategyId: 's1', limit: 1 });
      expect(await messages({ strategyId: 's1', beforeId: newest[0].id, limit: 2 })).toEqual(['s1 info 7', 's1 warn 1']);
      expect(await messages({ limit: 2 })).toEqual(['s2 info 2', 's1 info 2']);
    }
  });

  it('finds where the entries stop at start (SQLite) by walking back from the newest line, not by reading every entry', async () => {
    if (kind === 'postgres') return; // each line is indexed as it is written: there is nothing to find
    const [{ id: indexed }] = (await dataSource.query('SELECT max("id") AS "id" FROM "log_strategy_lines"')) as { id: number }[];
    // Lines a killed process left without entries, and one of the server's own, which never has one.
    await dataSource.query(
      `INSERT INTO "log_entries" ("time", "level", "category", "strategyId", "message", "context") VALUES ` +
        `(1, 'info', 'test', 'bulk-7', 'unindexed', NULL), (2, 'info', 'test', NULL, 'server', NULL), (3, 'info', 'test', 'bulk-8', 'unindexed', NULL)`,
    );
    expect(indexed).toBeGreaterThan(20000);
    expect(await dataSource.query(NEWEST_INDEXED_LINE)).toEqual([{ id: indexed }]);
    const plan = await planOf(dataSource, kind, NEWEST_INDEXED_LINE, []);
    // The log in id order, newest first, and one key lookup a line; no sort, no reading every entry.
    expect(plan).toMatch(/SCAN line/);
    expect(plan).toMatch(/SEARCH mark (EXISTS )?USING PRIMARY KEY \(strategyId=\? AND id=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN mark/);
  });
});
