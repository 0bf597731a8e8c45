import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountsReader } from '../../../apps/server/src/accounts/accounts.reader.js';
import { AccountsService } from '../../../apps/server/src/accounts/accounts.service.js';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';

const paperId = async (server: TestServer) =>
  ((await server.app.get(DatabaseService).dataSource.query(`SELECT id FROM accounts WHERE name = 'Paper'`)) as { id: string }[])[0]!.id;

/** Behind the service's back (what no code of the server does): shows whether a read went to the table. */
const setHaltBehindItsBack = (server: TestServer, id: string, until: number) =>
  server.app.get(DatabaseService).dataSource.query(`UPDATE accounts SET "haltedUntil" = ${until} WHERE id = '${id}'`);

/**
 * Every order reads its account. With one process every write to an account goes through its
 * AccountsService, so AccountsReader holds the accounts it read: frozen, and dropped the moment a
 * change commits, so a read never answers a copy older than the last commit.
 */
describe('accounts held in memory (one process)', () => {
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    id = await paperId(server);
  });
  afterAll(() => server.close());

  it('answers the copy it holds, frozen all the way down', async () => {
    expect((await http(server.url, 'PATCH', `/api/accounts/${id}`, { risk: { maxPositionSize: 3 } })).status).toBe(200);
    const reader = server.app.get(AccountsReader);
    const first = await reader.byId(id);
    expect(first).toMatchObject({ id, name: 'Paper', risk: { maxPositionSize: 3 } });
    expect(await reader.byId(id)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.risk)).toBe(true);
    expect(() => {
      (first as { haltedUntil: number | null }).haltedUntil = 1;
    }).toThrow(TypeError);
    // Proof that it is held: a change made behind the service's back is not seen.
    await setHaltBehindItsBack(server, id, 123);
    expect((await reader.byId(id))!.haltedUntil).toBeNull();
  });

  it("drops its copy when the service's change commits: the next read has it", async () => {
    const reader = server.app.get(AccountsReader);
    const before = await reader.byId(id);
    const until = Date.now() + 60_000;
    await server.app.get(AccountsService).setHalted(id, until);
    const after = await reader.byId(id);
    expect(after).not.toBe(before);
    expect(after!.haltedUntil).toBe(until);
    expect((await http(server.url, 'PATCH', `/api/accounts/${id}`, { risk: { maxPositionSize: 5 } })).status).toBe(200);
    expect((await reader.byId(id))!.risk).toEqual(expect.objectContaining({ maxPositionSize: 5 }));
    await server.app.get(AccountsService).setHalted(id, null);
    expect((await reader.byId(id))!.haltedUntil).toBeNull();
  });

  it('drops it at the commit, before a durable change is answered', async () => {
    const reader = server.app.get(AccountsReader);
    const database = server.app.get(DatabaseService);
    await reader.byId(id);
    const until = Date.now() + 120_000;
    let seenAtCommit: number | null | undefined;
    // A unit queued right behind the change runs in the same batch or the next one: either way
    // after the change committed, and before its durable answer (which waits for the log's sync).
    const halted = server.app.get(AccountsService).setHalted(id, until);
    const behind = database.bookkeeping(async (m) => {
      database.onCommitted(m, () => void reader.byId(id).then((a) => (seenAtCommit = a!.haltedUntil)));
    });
    await Promise.all([halted, behind]);
    await new Promise((r) => setImmediate(r));
    expect(seenAtCommit).toBe(until);
    await server.app.get(AccountsService).setHalted(id, null);
  });

  it('holds an account read while other work commits, never one read while an account change is under way', async () => {
    const reader = server.app.get(AccountsReader);
    const database = server.app.get(DatabaseService);
    reader.changed(id);
    // Read outside the unit while its batch is open (the engine's reads under load).
    let duringBatch: unknown;
    await database.bookkeeping(async () => {
      duringBatch = await reader.byId(id);
    });
    expect(await reader.byId(id)).toBe(duringBatch);

    reader.changed(id);
    let duringChange: unknown;
    await reader.changing(async () => {
      duringChange = await reader.byId(id);
    });
    expect(await reader.byId(id)).not.toBe(duringChange);
  });

  it('never holds an account that does not exist (one created later is found)', async () => {
    const reader = server.app.get(AccountsReader);
    expect(await reader.byId('00000000-0000-4000-8000-000000000000')).toBeNull();
    const created = await http(server.url, 'POST', '/api/accounts', { name: 'Second', broker: 'paper-broker', brokerAccountId: 'p-2' });
    expect(created.status).toBe(201);
    expect(await reader.byId(created.body.id)).toMatchObject({ name: 'Second' });
  });
});

describe('accounts with Redis (several processes)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ redisUrl: REDIS_URL, overrides: { plugins: { disabled: ['sim-feed'] } } });
  });
  afterAll(() => server.close());

  it('reads the table every time: another process may have changed it', async () => {
    const id = await paperId(server);
    const reader = server.app.get(AccountsReader);
    expect((await reader.byId(id))!.haltedUntil).toBeNull();
    await setHaltBehindItsBack(server, id, 456);
    expect((await reader.byId(id))!.haltedUntil).toBe(456);
  });
});
