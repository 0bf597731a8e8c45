import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEvents } from '../infra/events/domain-events.js';
import { STRATEGY_CACHE_FRESH_MS, STRATEGY_REFRESH_DELAY_MS, StrategyCache } from './strategy-cache.js';
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
/** Past the moment an old entry is read again. */
const refreshed = () => new Promise((r) => setTimeout(r, STRATEGY_REFRESH_DELAY_MS + 20));

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

  describe('past its refresh time', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });
    const later = (ms: number) => {
      const now = Date.now() + ms;
      jest.spyOn(Date, 'now').mockReturnValue(now);
    };

    it('serves an entry once more while it is read again, then what the read found', async () => {
      const rows = [strategy('a', 'h-a', 'old')];
      const { cache, reads } = cacheOver(rows);
      const first = cache.byTokenHash('h-a');
      reads[0].answer();
      expect((await first)?.name).toBe('old');
      rows[0] = strategy('a', 'h-a', 'new');
      later(STRATEGY_CACHE_FRESH_MS + 1);
      // Answered from memory; the read comes after the alert that found it old, one for both lookups.
      expect((await cache.byTokenHash('h-a'))?.name).toBe('old');
      expect((await cache.get('a'))?.name).toBe('old');
      expect(reads).toHaveLength(1);
      await refreshed();
      expect(reads).toHaveLength(2);
      expect(reads[1].where).toEqual({ id: 'a' });
      reads[1].answer();
      await settle();
      expect((await cache.byTokenHash('h-a'))?.name).toBe('new');
      expect(reads).toHaveLength(2);
    });

    it("keeps a script's state saved while the entry was read again, not the state the read saw", async () => {
      const rows = [{ ...strategy('a', 'h-a'), state: '{"n":1}' } as Strategy];
      const { cache, reads } = cacheOver(rows);
      const first = cache.get('a');
      reads[0].answer();
      expect((await first)?.state).toBe('{"n":1}');
      later(STRATEGY_CACHE_FRESH_MS + 1);
      await cache.get('a');
      await refreshed();
      expect(reads).toHaveLength(2);
      // The read again saw the row before the script's next state was committed (PostgreSQL: it
      // was on its way back meanwhile); the state saved then is what the script must see next.
      const seen = { ...rows[0] };
      rows[0] = { ...rows[0], state: '{"n":2}' } as Strategy;
      cache.putState('a', '{"n":2}');
      reads[1].answer = ((answer) => () => {
        const saved = rows[0];
        rows[0] = seen;
        answer();
        rows[0] = saved;
      })(reads[1].answer);
      reads[1].answer();
      await settle();
      const next = cache.get('a');
      // Not kept from the old read: from memory with the saved state, or read again.
      if (reads.length > 2) reads[2].answer();
      expect((await next)?.state).toBe('{"n":2}');
    });

    it("serves a strategy's links once more while they are read again", async () => {
      let stored = [{ id: 'link-1' }] as StrategyLink[];
      const finds: (() => void)[] = [];
      const linkRows = {
        find: () => new Promise<StrategyLink[]>((resolve) => finds.push(() => resolve(stored))),
      } as unknown as Repository<StrategyLink>;
      const cache = new StrategyCache({ redis: { url: '' } } as AppConfig, table([]).repository, linkRows, new DomainEvents());
      const first = cache.linksOf('a');
      finds[0]();
      expect((await first).map((l) => l.id)).toEqual(['link-1']);
      stored = [{ id: 'link-1' }, { id: 'link-2' }] as StrategyLink[];
      later(STRATEGY_CACHE_FRESH_MS + 1);
      expect((await cache.linksOf('a')).map((l) => l.id)).toEqual(['link-1']);
      expect((await cache.linksOf('a')).map((l) => l.id)).toEqual(['link-1']);
      // One read again, shortly after, however many ask meanwhile.
      expect(finds).toHaveLength(1);
      await refreshed();
      expect(finds).toHaveLength(2);
      finds[1]();
      await settle();
      expect((await cache.linksOf('a')).map((l) => l.id)).toEqual(['link-1', 'link-2']);
      expect(finds).toHaveLength(2);
    });

    it('forgets an entry whose strategy is gone, and a token the read found rotated', async () => {
      const rows = [strategy('a', 'h-a'), strategy('b', 'h-b')];
      const { cache, reads } = cacheOver(rows);
      const both = Promise.all([cache.get('a'), cache.get('b')]);
      reads.forEach((r) => r.answer());
      await both;
      rows.splice(0, 2, strategy('b', 'h-b2'));
      later(STRATEGY_CACHE_FRESH_MS + 1);
      await cache.get('a');
      await cache.get('b');
      await refreshed();
      reads.slice(2).forEach((r) => r.answer());
      await settle();
      const gone = cache.get('a');
      const rotated = cache.byTokenHash('h-b');
      expect(reads).toHaveLength(6);
      reads.slice(4).forEach((r) => r.answer());
      expect(await gone).toBeNull();
      expect(await rotated).toBeNull();
      expect((await cache.byTokenHash('h-b2'))?.id).toBe('b');
    });
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
