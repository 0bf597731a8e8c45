import { describe, expect, it } from '@jest/globals';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { StrategyCache } from './strategy-cache.js';
import type { StrategyLink } from './strategy-link.entity.js';
import type { Strategy } from './strategy.entity.js';

/** A table of strategies whose reads answer when the test says so. */
function table(rows: Strategy[]) {
  const reads: { where: Partial<Strategy>; answer: () => void }[] = [];
  const repository = {
    findOneBy: (where: Partial<Strategy>) =>
      new Promise<Strategy | null>((resolve) => {
        const answer = () => {
          const row = rows.find((r) => (where.id ? r.id === where.id : r.webhookTokenHash === where.webhookTokenHash));
          resolve(row ? { ...row } : null);
        };
        reads.push({ where, answer });
      }),
  } as unknown as Repository<Strategy>;
  return { repository, reads };
}

const strategy = (id: string, hash: string, name = id): Strategy => ({ id, webhookTokenHash: hash, name, enabled: true }) as Strategy;

function cacheOver(rows: Strategy[], redis = '') {
  const { repository, reads } = table(rows);
  const events = new DomainEvents();
  const config = { redis: { url: redis } } as AppConfig;
  const cache = new StrategyCache(config, repository, {} as Repository<StrategyLink>, events);
  return { cache, reads, events };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('StrategyCache', () => {
  it('answers requests that miss together with one query, and the next from memory', async () => {
    const { cache, reads } = cacheOver([strategy('a', 'h-a')]);
    const both = Promise.all([cache.byTokenHash('h-a'), cache.byTokenHash('h-a')]);
    expect(reads).toHaveLength(1);
    reads[0].answer();
    expect((await both).map((s) => s?.id)).toEqual(['a', 'a']);
    expect((await cache.byTokenHash('h-a'))?.id).toBe('a');
    expect(reads).toHaveLength(1);
  });

  it('does not keep a row read before a change that happened while it was read', async () => {
    const rows = [strategy('a', 'h-a', 'old')];
    const { cache, reads, events } = cacheOver(rows);
    const first = cache.get('a');
    rows[0] = strategy('a', 'h-a', 'new');
    reads[0].answer = ((answer) => () => {
      rows[0] = strategy('a', 'h-a', 'old'); // what the slow read saw
      answer();
      rows[0] = strategy('a', 'h-a', 'new');
    })(reads[0].answer);
    events.publish('StrategyChanged', { strategyId: 'a' });
    reads[0].answer();
    expect((await first)?.name).toBe('old');
    const again = cache.get('a');
    expect(reads).toHaveLength(2);
    reads[1].answer();
    expect((await again)?.name).toBe('new');
  });

  it('stops answering to a token once the strategy is written with another', async () => {
    const rows = [strategy('a', 'h-old')];
    const { cache, reads } = cacheOver(rows);
    const first = cache.byTokenHash('h-old');
    reads[0].answer();
    expect((await first)?.id).toBe('a');
    rows[0] = strategy('a', 'h-new');
    cache.put(rows[0]);
    const old = cache.byTokenHash('h-old');
    await settle();
    expect(reads).toHaveLength(2); // not from memory: the old token is looked up again, and not found
    reads[1].answer();
    expect(await old).toBeNull();
    expect((await cache.byTokenHash('h-new'))?.id).toBe('a');
  });

  it('with Redis, keeps nothing until the change relay is subscribed, and nothing while it is down', async () => {
    const { cache, reads } = cacheOver([strategy('a', 'h-a')], 'redis://127.0.0.1:6379');
    const read = async () => {
      const pending = cache.get('a');
      await settle();
      reads.at(-1)!.answer();
      return pending;
    };
    await read();
    await read();
    expect(reads).toHaveLength(2);
    cache.resume();
    await read();
    expect((await cache.get('a'))?.id).toBe('a');
    expect(reads).toHaveLength(3);
    cache.suspend();
    await read();
    expect(reads).toHaveLength(4);
  });
});
