import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { LogEntry } from '../../../apps/server/src/logs/log-entry.entity.js';
import { logPage, type LogQuery } from '../../../apps/server/src/logs/logs.service.js';
import { indexDefinitions, openSchema, planOf } from '../../support/schema.js';

/**
 * The admin pages a strategy's log newest first by id. Both databases must read that page from the
 * strategy's index in its order, the way the service builds the query, and never read and sort
 * every line the strategy has written: a strategy that trades a hundred times a day writes about
 * a hundred thousand lines a year.
 */
describe.each(['sqlite', 'postgres'] as const)('a page of the log on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const page = (query: LogQuery) => logPage(dataSource.getRepository(LogEntry), query);
  const planFor = (query: LogQuery) => {
    const [sql, params] = page(query).getQueryAndParameters();
    return planOf(dataSource, kind, sql, params as (string | number)[]);
  };

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
  });
  afterAll(() => close?.());

  it('indexes lines by strategy and id, and not by time alone', async () => {
    const indexes = await indexDefinitions(dataSource, kind, 'log_entries');
    expect(indexes.get('ix_log_entries_strategy')).toMatch(/\(\s*"?strategyId"?\s*,\s*"?id"?\s*\)/);
    expect([...indexes.keys()].filter((name) => name.startsWith('ix_'))).toEqual(['ix_log_entries_strategy']);
  });

  it.each<[string, Omit<LogQuery, 'limit'>]>([
    ['a strategy', { strategyId: 'a-strategy' }],
    ['its warnings', { strategyId: 'a-strategy', level: 'warn' }],
    ['its next page', { strategyId: 'a-strategy', beforeId: 5000 }],
  ])('reads %s from the index in page order, with no sort', async (_, query) => {
    const plan = await planFor({ ...query, limit: 100 });
    expect(plan).toContain('ix_log_entries_strategy');
    // SQLite: "USE TEMP B-TREE FOR ORDER BY"; PostgreSQL: a Sort node.
    expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it('answers a strategy’s newest lines first, its warnings, and the page before an id', async () => {
    const insert = (strategyId: string, level: string, time: number) =>
      dataSource.getRepository(LogEntry).insert({
        time,
        level: level as LogEntry['level'],
        category: 'test',
        strategyId,
        message: `${strategyId} ${level} ${time}`,
        context: null,
      });
    // Written out of time order (a clock stepped back): the page follows the ids, as it always has.
    const times = [5, 3, 9, 1, 7, 2];
    for (const [i, time] of times.entries()) {
      await insert('s1', i % 3 === 0 ? 'warn' : 'info', time);
      await insert('s2', 'info', time);
    }
    const messages = async (query: LogQuery) => (await page(query).getMany()).map((line) => line.message);
    const all = await messages({ strategyId: 's1', limit: 100 });
    expect(all).toEqual(['s1 info 2', 's1 info 7', 's1 warn 1', 's1 info 9', 's1 info 3', 's1 warn 5']);
    expect(await messages({ strategyId: 's1', limit: 2 })).toEqual(['s1 info 2', 's1 info 7']);
    expect(await messages({ strategyId: 's1', level: 'warn', limit: 100 })).toEqual(['s1 warn 1', 's1 warn 5']);
    const newest = await page({ strategyId: 's1', limit: 3 }).getMany();
    expect(await messages({ strategyId: 's1', beforeId: newest[2].id, limit: 100 })).toEqual(['s1 info 9', 's1 info 3', 's1 warn 5']);
    expect(await messages({ limit: 2 })).toEqual(['s2 info 2', 's1 info 2']);
  });
});
