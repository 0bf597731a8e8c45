import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Breach } from '@tradeloop/domain';
import { AccountRulesStore } from '../../../apps/server/src/account-rules/account-rules.store.js';
import { createPostgresDatabase, http, startServer, type TestServer } from '../../support/app.js';

/**
 * An account's rules changed while the watcher finds a breach: the lock it sets on the rules in
 * force during the change's write carries over to the new rules, in memory and on record. The
 * watcher's part is played as the watcher does it — the rule set's state replaced by one with the
 * lock, then saved — at the moment the new rules are being written.
 */
describe.each(['sqlite', 'postgres'] as const)('account rules changed during a breach (%s)', (kind) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let account: { id: string };

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (kind === 'postgres') ({ url: databaseUrl, drop } = await createPostgresDatabase());
    server = await startServer({ databaseUrl, overrides: { plugins: { disabled: ['sim-feed'] } } });
    account = ((await http(server.url, 'GET', '/api/accounts')).body as { id: string; name: string }[]).find((a) => a.name === 'Paper')!;
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('keeps the lock set while the new rules were written', async () => {
    expect((await http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, { preset: 'apex-50k-eod' })).status).toBe(200);
    const store = server.app.get(AccountRulesStore);
    const before = store.get(account.id)!;
    const lock: Breach = { rule: 'daily-loss', at: Date.now(), action: 'flatten-and-lock', reason: 'lost $1,000 today', until: null };

    const changing = store.put(account.id, 'apex-50k-eod', before.input, 0);
    // The write of the new rules is under way: the watcher locks the rules still in force.
    const inForce = store.get(account.id)!;
    expect(inForce).toBe(before);
    inForce.state = { ...inForce.state, locks: [...inForce.state.locks, lock] };
    const saved = store.saveState(inForce);
    await Promise.all([changing, saved]);

    expect(store.get(account.id)!.state.locks).toEqual([lock]);
    const shown = (await http(server.url, 'GET', `/api/accounts/${account.id}/rules`)).body as { locks: { reason: string }[] };
    expect(shown.locks.map((l) => l.reason)).toEqual(['lost $1,000 today']);
    // On record too: read back from the database, as another process (or a restart) would.
    await store.reloadAccount(account.id);
    expect(store.get(account.id)!.state.locks).toEqual([lock]);
  });
});
