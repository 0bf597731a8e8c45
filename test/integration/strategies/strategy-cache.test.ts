import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { StrategyCache } from '../../../apps/server/src/strategies/strategy-cache.js';
import { StrategyChangeRelay } from '../../../apps/server/src/strategies/strategy-change-relay.js';
import { StrategiesReader } from '../../../apps/server/src/strategies/strategies.reader.js';
import { createPostgresDatabase, dropRedisKeys, eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';

// The queues' keys this file's servers made (their prefixes begin so), gone with them.
afterAll(() => Promise.all([dropRedisKeys(REDIS_URL, `strategy-cache-${process.pid}-`)]));

/**
 * Strategies are held in memory in every process (the intake looks one up per alert). Two api
 * processes on one database and one Redis: a change made through one is never served stale by the
 * other, well within the cache's own refresh time.
 */
describe('strategies held in memory, changed in another process', () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  // Well under STRATEGY_CACHE_FRESH_MS (10 s): what reaches the other process here is the relay, not the refresh.
  const SOON = 3000;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    const prefix = `strategy-cache-${process.pid}-${Date.now()}`;
    const options = {
      databaseUrl: database.url,
      redisUrl: REDIS_URL,
      overrides: { role: 'api', queue: { prefix }, plugins: { disabled: ['sim-feed'] } },
    };
    a = await startServer(options);
    b = await startServer(options);
  }, 60000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await drop?.();
  });

  let n = 0;
  const alert = (server: TestServer, token: string) =>
    http(server.url, 'POST', `/webhooks/${token}`, { ticker: 'MES1!', action: 'buy', quantity: 1, id: `cache-${++n}` }, { token: null });

  const create = async (name: string) => {
    const created = await http(a.url, 'POST', '/api/strategies', { name });
    expect(created.status).toBe(201);
    return created.body as { id: string; webhookToken: string };
  };

  it('refuses an alert at once in the other process once the strategy is disabled there', async () => {
    const strategy = await create('disabled elsewhere');
    expect((await alert(b, strategy.webhookToken)).status).toBe(202); // b now holds it in memory
    expect((await http(a.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: false })).status).toBe(200);
    const refused = await eventually(
      async () => {
        const answer = await alert(b, strategy.webhookToken);
        return answer.status === 409 ? answer : null;
      },
      SOON,
      'a 409 from the other process',
    );
    expect(refused.body.message).toMatch(/disabled/);
    expect((await http(a.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: true })).status).toBe(200);
    await eventually(async () => (await alert(b, strategy.webhookToken)).status === 202, SOON, 'enabled again in the other process');
  });

  it('stops taking the old token in the other process once it is rotated', async () => {
    const strategy = await create('rotated elsewhere');
    expect((await alert(b, strategy.webhookToken)).status).toBe(202);
    const rotated = await http(a.url, 'POST', `/api/strategies/${strategy.id}/rotate-token`);
    expect(rotated.status).toBe(200);
    await eventually(async () => (await alert(b, strategy.webhookToken)).status === 401, SOON, 'the old token refused');
    expect((await alert(b, rotated.body.webhookToken as string)).status).toBe(202);
  });

  it('forgets a deleted strategy in the other process', async () => {
    const strategy = await create('deleted elsewhere');
    expect((await alert(b, strategy.webhookToken)).status).toBe(202);
    expect((await b.app.get(StrategiesReader).byId(strategy.id))?.name).toBe('deleted elsewhere');
    expect((await http(a.url, 'DELETE', `/api/strategies/${strategy.id}`)).status).toBe(204);
    await eventually(async () => (await alert(b, strategy.webhookToken)).status === 401, SOON, 'the token refused');
    expect(await b.app.get(StrategiesReader).byId(strategy.id)).toBeNull();
  });

  it('serves nothing from memory while the change relay is not connected, and starts afresh once it is', async () => {
    const cache = b.app.get(StrategyCache);
    const relay = b.app.get(StrategyChangeRelay) as unknown as { subscriber: { disconnect(reconnect?: boolean): void } };
    const reader = b.app.get(StrategiesReader);
    let suspended = 0;
    const suspend = cache.suspend.bind(cache);
    cache.suspend = () => {
      suspended++;
      suspend();
    };
    const forgotten: string[] = [];
    const forget = cache.forget.bind(cache);
    cache.forget = (id: string) => {
      forgotten.push(id);
      forget(id);
    };
    const strategy = await create('relay down');
    // The creation's notice reaches b in its own time; a read b began before it is (rightly) not
    // kept. Wait for the notice, then for a read that b keeps, so what follows starts from memory.
    await eventually(async () => forgotten.includes(strategy.id), SOON, 'the creation relayed to b');
    expect((await alert(b, strategy.webhookToken)).status).toBe(202);
    const held = (cache as unknown as { byId: Map<string, unknown> }).byId;
    await eventually(async () => (await reader.byId(strategy.id)) !== null && held.has(strategy.id), SOON, 'the strategy held in b');
    // A row changed behind the relay's back (no notice): b serves what it holds.
    await b.app.get(DataSource).query('UPDATE "strategies" SET "name" = $1 WHERE "id" = $2', ['renamed behind the relay', strategy.id]);
    expect((await reader.byId(strategy.id))?.name).toBe('relay down');
    // The subscription drops and comes back: what was held is dropped, and read afresh.
    relay.subscriber.disconnect(true);
    await eventually(async () => suspended > 0, SOON, 'the cache suspended');
    await eventually(async () => (cache as unknown as { serving: boolean }).serving, 10000, 'the cache serving again');
    expect((await reader.byId(strategy.id))?.name).toBe('renamed behind the relay');
  });
});
