import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { http, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';

/** ADMIN_PASSWORD: applied when it changed since it was last applied, and then it ends every session. */
describe('ADMIN_PASSWORD across restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-admin-password-'));
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (adminPassword: string) => {
    await server?.close({ keepData: true });
    server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] }, auth: { adminPassword } }, signInAs: null });
    return server;
  };
  const signIn = async (s: TestServer, password: string) =>
    (await http(s.url, 'POST', '/api/auth/login', { username: TEST_ADMIN.username, password }, { token: null })).status;

  const changed = 'changed-in-the-admin-1';
  const reset = 'a-new-admin-password-2';

  it('keeps a password changed in the admin when the server restarts with the same ADMIN_PASSWORD', async () => {
    const first = await start(TEST_ADMIN.password);
    const session = (await http(first.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).body.token;
    expect(
      (
        await http(
          first.url,
          'POST',
          '/api/auth/password',
          { currentPassword: TEST_ADMIN.password, newPassword: changed },
          { token: session },
        )
      ).status,
    ).toBe(204);

    const second = await start(TEST_ADMIN.password);
    expect(await signIn(second, changed)).toBe(200);
    expect(await signIn(second, TEST_ADMIN.password)).toBe(401);
    // Nothing was applied: the session that changed the password goes on.
    expect((await http(second.url, 'GET', '/api/auth/me', undefined, { token: session })).status).toBe(200);
  });

  it('applies a new ADMIN_PASSWORD at the next start and ends every session and API token of the admin', async () => {
    const before = server!;
    const session = (
      await http(before.url, 'POST', '/api/auth/login', { username: TEST_ADMIN.username, password: changed }, { token: null })
    ).body.token;
    const apiToken = (await http(before.url, 'POST', '/api/auth/tokens', { name: 'dashboard', scope: 'read' }, { token: session })).body
      .token;
    expect((await http(before.url, 'GET', '/api/strategies', undefined, { token: apiToken })).status).toBe(200);

    const after = await start(reset);
    expect(await signIn(after, reset)).toBe(200);
    expect(await signIn(after, changed)).toBe(401);
    for (const old of [session, apiToken])
      expect((await http(after.url, 'GET', '/api/strategies', undefined, { token: old })).status).toBe(401);
    const logs = (await after.app.get(DataSource).query(`SELECT message FROM log_entries WHERE message LIKE 'ADMIN_PASSWORD%'`)) as {
      message: string;
    }[];
    expect(logs.map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^ADMIN_PASSWORD changed since it was last applied: .* and [2-9] session\(s\) and API token\(s\) of admin were ended$/,
      ),
    ]);
    // The value is stored only as a hash.
    const [user] = await after.app.get(DataSource).query('SELECT * FROM users');
    expect(JSON.stringify(user)).not.toContain(reset);

    // The same value again changes nothing.
    const fresh = (await http(after.url, 'POST', '/api/auth/login', { username: TEST_ADMIN.username, password: reset }, { token: null }))
      .body.token;
    const again = await start(reset);
    expect((await http(again.url, 'GET', '/api/auth/me', undefined, { token: fresh })).status).toBe(200);
  });
});
