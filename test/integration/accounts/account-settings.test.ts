import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_USER, FakeProjectX } from '../../../plugins/projectx/src/testing/fake-projectx.js';
import { http, startServer, type TestServer } from '../../support/app.js';

/**
 * Broker plugins declare the fields their accounts take (manifest `accountSettings`): health lists
 * them for the admin's form, and the server holds every new or changed account to them, secrets
 * (`writeOnly`) sealed and never read back.
 */
describe('account settings from plugin manifests', () => {
  let fake: FakeProjectX;
  let server: TestServer;

  beforeAll(async () => {
    fake = await FakeProjectX.start();
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'], settings: { projectx: { apiUrl: fake.url, rtcUrl: fake.url } } } },
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("lists each broker's account fields in health, secrets marked writeOnly", async () => {
    const plugins = (await http(server.url, 'GET', '/api/health')).body.plugins as any[];
    const byName = Object.fromEntries(plugins.map((p) => [p.name, p]));
    expect(byName['projectx'].accountSettings).toEqual(
      expect.objectContaining({
        required: ['userName', 'apiKey'],
        properties: expect.objectContaining({
          userName: expect.objectContaining({ type: 'string' }),
          apiKey: expect.objectContaining({ type: 'string', writeOnly: true }),
        }),
      }),
    );
    expect(byName['tradovate'].accountSettings.properties.sec).toEqual(expect.objectContaining({ writeOnly: true }));
    expect(byName['tradovate'].accountSettings.properties.deviceId.showWhen).toEqual({ environment: 'live' });
    expect(byName['paper-broker'].accountSettings).toEqual(expect.objectContaining({ properties: {} }));
    expect(byName['sim-feed'] ?? { accountSettings: null }).toEqual(expect.objectContaining({ accountSettings: null }));
  });

  it('refuses an account that misses its broker’s fields, naming each', async () => {
    const missing = await http(server.url, 'POST', '/api/accounts', { name: 'PX 1', broker: 'projectx', brokerAccountId: 'PRAC-V2-101' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe(
      'a projectx account has problems: settings.userName is required (ProjectX user name); secrets.apiKey is required',
    );

    const unsealed = await http(server.url, 'POST', '/api/accounts', {
      name: 'PX 1',
      broker: 'projectx',
      brokerAccountId: 'PRAC-V2-101',
      settings: { userName: DEFAULT_USER.userName, apiKey: DEFAULT_USER.apiKey, apiUrl: 'not an address' },
    });
    expect(unsealed.status).toBe(400);
    expect(unsealed.body.message).toMatch(/apiKey is a secret: send it in secrets, where it is sealed/);
    expect(unsealed.body.message).toMatch(/settings.apiUrl must be an http\(s\) address/);
    expect(JSON.stringify(unsealed.body)).not.toContain(DEFAULT_USER.apiKey);

    const tradovate = await http(server.url, 'POST', '/api/accounts', {
      name: 'TV live',
      broker: 'tradovate',
      brokerAccountId: 'LIVE1',
      settings: { environment: 'live', username: 'me', appId: 'app', cid: 'eight' },
      secrets: { password: 'p', sec: 's' },
    });
    expect(tradovate.status).toBe(400);
    expect(tradovate.body.message).toBe(
      'a tradovate account has problems: settings.cid must be a number; settings.deviceId is required (Device id)',
    );
    const accounts = (await http(server.url, 'GET', '/api/accounts')).body as any[];
    expect(accounts.map((a) => a.broker)).toEqual(['paper-broker']);
  });

  it('takes a complete account, seals its secret, and holds changes to the same fields', async () => {
    const created = await http(server.url, 'POST', '/api/accounts', {
      name: 'PX 1',
      broker: 'projectx',
      brokerAccountId: 'PRAC-V2-101',
      settings: { userName: DEFAULT_USER.userName },
      secrets: { apiKey: DEFAULT_USER.apiKey },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expect.objectContaining({ settings: { userName: DEFAULT_USER.userName }, secrets: ['apiKey'] }));
    expect(JSON.stringify((await http(server.url, 'GET', '/api/accounts')).body)).not.toContain(DEFAULT_USER.apiKey);

    // The sealed key is kept when a change leaves it out; removing it is refused while it is required.
    const renamed = await http(server.url, 'PATCH', `/api/accounts/${created.body.id}`, { settings: { userName: 'other@example.com' } });
    expect(renamed.status).toBe(200);
    const removed = await http(server.url, 'PATCH', `/api/accounts/${created.body.id}`, { secrets: { apiKey: null } });
    expect(removed.status).toBe(400);
    expect(removed.body.message).toMatch(/secrets.apiKey is required/);
    const wrong = await http(server.url, 'PATCH', `/api/accounts/${created.body.id}`, { settings: { userName: 42 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/settings.userName must be text/);
  });
});
