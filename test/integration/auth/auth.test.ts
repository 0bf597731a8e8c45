import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { AuthService } from '../../../apps/server/src/auth/auth.service.js';
import { http, startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';

const ANY_UUID = '00000000-0000-4000-8000-000000000000';

/** A request path for a route pattern: parameters become a well-formed id. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, ANY_UUID).replace(/\*$/, 'x');

describe('access control', () => {
  let server: TestServer;
  let db: DataSource;
  const token = (kind: 'api' | 'session') => db.query(`SELECT * FROM auth_tokens WHERE kind = ?`, [kind]);

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        // The brute-force test poses as another address; the rest of the suite signs in from 127.0.0.1.
        server: { trustProxy: true },
        webhooks: { rateLimit: { perTokenPerMinute: 3, perIpPerMinute: 1000 } },
        auth: { login: { maxFailures: 3, maxFailuresPerIp: 50, windowMinutes: 15 } },
      },
    });
    db = server.app.get(DataSource);
  });
  afterAll(() => server.close());

  describe('every /api route, walked from the route table', () => {
    const protectedRoutes = () => routeTable(server.app).filter((r) => /^\/api(\/|$)/.test(r.url) && !r.public && r.method !== 'OPTIONS');

    it('leaves exactly health and login open, and webhooks outside /api', () => {
      const open = routeTable(server.app)
        .filter((r) => r.public)
        .map((r) => `${r.method} ${r.url}`)
        .sort();
      expect(open).toEqual(['GET /api/health', 'HEAD /api/health', 'POST /api/auth/login', 'POST /webhooks/:token']);
      // The walk below covers something real: controllers and the OpenAPI pages.
      const urls = protectedRoutes().map((r) => r.url);
      expect(urls).toEqual(
        expect.arrayContaining(['/api/strategies', '/api/strategies/:id', '/api/accounts', '/api/docs', '/api/docs-json']),
      );
    });

    it.each([
      ['no credentials', () => null],
      ['a made-up token', () => 'tl_not-a-real-token-at-all-0123456789abcdef'],
      ['garbage', () => '../../etc/passwd'],
    ])('answers 401 with nothing but a message to %s', async (_case, credential) => {
      const routes = protectedRoutes();
      for (const route of routes) {
        const response = await http(
          server.url,
          route.method,
          concrete(route.url),
          route.method === 'GET' || route.method === 'HEAD' ? undefined : {},
          {
            token: credential(),
          },
        );
        expect([route.method, route.url, response.status]).toEqual([route.method, route.url, 401]);
        if (route.method !== 'HEAD') expect(response.body).toEqual({ statusCode: 401, message: 'authentication required' });
      }
    });

    it('answers 401 to an expired session and to a revoked API token, on every route', async () => {
      const created = await http(server.url, 'POST', '/api/auth/tokens', { name: 'soon revoked', scope: 'trading' });
      expect(created.status).toBe(201);
      const expiring = (await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).body.token;
      expect((await http(server.url, 'GET', '/api/strategies', undefined, { token: expiring })).status).toBe(200);
      expect((await http(server.url, 'GET', '/api/strategies', undefined, { token: created.body.token })).status).toBe(200);

      const hash = createHash('sha256').update(expiring).digest('hex');
      await db.query('UPDATE auth_tokens SET "expiresAt" = ? WHERE "tokenHash" = ?', [Date.now() - 1, hash]);
      expect((await http(server.url, 'DELETE', `/api/auth/tokens/${created.body.id}`)).status).toBe(204);

      for (const credential of [expiring, created.body.token]) {
        for (const route of protectedRoutes()) {
          const response = await http(
            server.url,
            route.method,
            concrete(route.url),
            route.method === 'GET' || route.method === 'HEAD' ? undefined : {},
            {
              token: credential,
            },
          );
          expect([route.method, route.url, response.status]).toEqual([route.method, route.url, 401]);
        }
      }
    });

    it('refuses unknown /api paths with 401 before 404, so anonymous callers learn nothing', async () => {
      expect((await http(server.url, 'GET', '/api/no-such-thing', undefined, { token: null })).status).toBe(401);
      expect((await http(server.url, 'GET', '/%61pi/strategies', undefined, { token: null })).status).toBe(401);
      expect((await http(server.url, 'GET', '/API/strategies', undefined, { token: null })).status).toBe(401);
      expect((await http(server.url, 'GET', '/api/no-such-thing')).status).toBe(404);
    });
  });

  describe('login', () => {
    it('returns a token and sets an httpOnly SameSite=Strict session cookie that works on its own', async () => {
      const response = await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        token: expect.stringMatching(/^tl_[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
        username: 'admin',
      });
      // 168 hours by default.
      expect(Date.parse(response.body.expiresAt) - Date.now()).toBeGreaterThan(167 * 3_600_000);
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^tradeloop_session=tl_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0] } });
      expect(await me.json()).toEqual({ username: 'admin', kind: 'session', scope: 'admin' });
    });

    it('refuses a cross-site change made with the cookie', async () => {
      const cookie = (await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).headers
        .get('set-cookie')!
        .split(';')[0];
      const headers = { cookie, 'content-type': 'application/json' };
      const forged = await fetch(`${server.url}/api/strategies`, {
        method: 'POST',
        headers: { ...headers, origin: 'https://evil.example' },
        body: JSON.stringify({ name: 'forged' }),
      });
      expect(forged.status).toBe(403);
      const own = await fetch(`${server.url}/api/strategies`, {
        method: 'POST',
        headers: { ...headers, origin: server.url },
        body: JSON.stringify({ name: 'from our own page' }),
      });
      expect(own.status).toBe(201);
    });

    it('slows brute force: after 3 failures even the right password gets 429 with Retry-After', async () => {
      const attempt = (password: string) =>
        fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
          body: JSON.stringify({ username: 'admin', password }),
        });
      for (let i = 0; i < 3; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
      const locked = await attempt(TEST_ADMIN.password);
      expect(locked.status).toBe(429);
      // 3 failures per 15 minutes: one attempt refills every 300 s.
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(250);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(300);
      expect(await locked.json()).toEqual({ statusCode: 429, message: 'too many failed logins; try again later' });
    });

    it('stores passwords as salted scrypt hashes only', async () => {
      const [user] = await db.query('SELECT * FROM users');
      expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(JSON.stringify(user)).not.toContain(TEST_ADMIN.password);
      const logs = await db.query('SELECT message, context FROM log_entries');
      expect(JSON.stringify(logs)).not.toContain(TEST_ADMIN.password);
    });

    it('logout ends the session at once', async () => {
      const session = (await http(server.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).body.token;
      expect((await http(server.url, 'POST', '/api/auth/logout', {}, { token: session })).status).toBe(204);
      expect((await http(server.url, 'GET', '/api/strategies', undefined, { token: session })).status).toBe(401);
    });
  });

  describe('API tokens', () => {
    it('shows the secret once, lists tokens without it, and honours read-only and trading scopes', async () => {
      const read = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'dashboard', scope: 'read' })).body;
      const trading = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'bot', scope: 'trading', expiresInDays: 30 })).body;
      expect(read.token).toMatch(/^tl_/);
      expect(read.prefix).toBe(read.token.slice(0, 10));

      const listed = (await http(server.url, 'GET', '/api/auth/tokens')).body as any[];
      expect(listed.map((t) => t.name)).toEqual(expect.arrayContaining(['dashboard', 'bot']));
      expect(JSON.stringify(listed)).not.toContain(read.token);
      expect(JSON.stringify(await token('api'))).not.toContain(read.token);

      expect((await http(server.url, 'GET', '/api/strategies', undefined, { token: read.token })).status).toBe(200);
      const refused = await http(server.url, 'POST', '/api/strategies', { name: 'by reader' }, { token: read.token });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe('this API token is read-only');

      expect((await http(server.url, 'POST', '/api/strategies', { name: 'by bot' }, { token: trading.token })).status).toBe(201);
      const escalation = await http(server.url, 'POST', '/api/auth/tokens', { name: 'more', scope: 'trading' }, { token: trading.token });
      expect(escalation.status).toBe(403);
      expect((await http(server.url, 'GET', '/api/auth/tokens', undefined, { token: trading.token })).status).toBe(403);
    });

    it('refuses a token request that names no valid scope', async () => {
      const response = await http(server.url, 'POST', '/api/auth/tokens', { name: 'x', scope: 'admin' });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toMatch(/scope/);
    });
  });

  describe('webhook secrets', () => {
    let strategy: { id: string; webhookToken: string };
    const alert = (id: string) => ({ ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800, id });

    beforeAll(async () => {
      strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'secret keeper' })).body;
    });

    it('looks tokens up by their SHA-256, so timing says nothing about a guess', async () => {
      const [row] = await db.query('SELECT "webhookTokenHash" FROM strategies WHERE id = ?', [strategy.id]);
      expect(row.webhookTokenHash).toBe(createHash('sha256').update(strategy.webhookToken).digest('hex'));
      // One character off is simply unknown.
      const near = strategy.webhookToken.slice(0, -1) + (strategy.webhookToken.endsWith('A') ? 'B' : 'A');
      expect((await http(server.url, 'POST', `/webhooks/${near}`, alert('near'))).status).toBe(401);
    });

    it('rotates: the old URL stops at once, the new one works', async () => {
      const rotated = (await http(server.url, 'POST', `/api/strategies/${strategy.id}/rotate-token`)).body;
      expect(rotated.webhookToken).not.toBe(strategy.webhookToken);
      expect(rotated.webhookUrl).toMatch(new RegExp(`/webhooks/${rotated.webhookToken}$`));
      expect((await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, alert('old'))).status).toBe(401);
      expect((await http(server.url, 'POST', `/webhooks/${rotated.webhookToken}`, alert('new'))).status).toBe(202);
      strategy = rotated;
    });

    it('enforces the IP allow-list, with the TradingView preset, and names a bad entry', async () => {
      const bad = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { allowedIps: ['tradingview', 'not-an-ip'] });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe('allowedIps[1]: "not-an-ip" is not an IP address, a CIDR range or "tradingview"');

      const tvOnly = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { allowedIps: ['TradingView'] });
      expect(tvOnly.body.allowedIps).toEqual(['tradingview']);
      const refused = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, alert('blocked'));
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/not on this strategy's allow-list/);

      await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { allowedIps: ['127.0.0.0/8'] });
      expect((await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, alert('allowed'))).status).toBe(202);
      await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { allowedIps: [] });
    });

    it('rate-limits per token with 429 and Retry-After, logged once, with the token never in any log', async () => {
      const limited = (await http(server.url, 'POST', '/api/strategies', { name: 'flood target' })).body;
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await http(server.url, 'POST', `/webhooks/${limited.webhookToken}`, alert(`flood-${i}`)));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429, 429]);
      // 3 per minute: one refills every 20 s.
      expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(answers[3].headers.get('retry-after'))).toBeLessThanOrEqual(20);
      const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${limited.id}&limit=100`)).body as any[];
      expect(logs.filter((l) => /rate limit/.test(l.message))).toHaveLength(1);

      const everything = JSON.stringify(await db.query('SELECT * FROM log_entries'));
      for (const secret of [limited.webhookToken, strategy.webhookToken]) expect(everything).not.toContain(secret);
    });
  });

  describe('secrets at rest', () => {
    it('encrypts broker credentials, returns only their names, and keeps the key file private', async () => {
      const created = await http(server.url, 'POST', '/api/accounts', {
        name: 'Broker demo',
        broker: 'paper-broker',
        brokerAccountId: 'DEMO1',
        settings: { environment: 'demo' },
        secrets: { password: 'hunter2-at-the-broker', apiSecret: 's3cr3t-api' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual(expect.objectContaining({ settings: { environment: 'demo' }, secrets: ['apiSecret', 'password'] }));
      expect(JSON.stringify(created.body)).not.toContain('hunter2');

      const listed = JSON.stringify((await http(server.url, 'GET', '/api/accounts')).body);
      expect(listed).not.toContain('hunter2');
      const [row] = await db.query('SELECT secrets FROM accounts WHERE id = ?', [created.body.id]);
      expect(row.secrets).toMatch(/^v1:/);
      expect(row.secrets).not.toContain('hunter2');

      const updated = await http(server.url, 'PATCH', `/api/accounts/${created.body.id}`, {
        secrets: { apiSecret: null, password: 'new-one' },
      });
      expect(updated.body.secrets).toEqual(['password']);
      const { AccountsService } = await import('../../../apps/server/src/accounts/accounts.service.js');
      expect(await server.app.get(AccountsService).credentials(created.body.id)).toEqual({ password: 'new-one' });

      const keyFile = join(server.config.dataDir, 'secret.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, 'utf8').trim()).toHaveLength(44);
    });

    it('refuses to let an API token touch secrets, and answers a bad secrets map with 400', async () => {
      const bot = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'bot2', scope: 'trading' })).body;
      const response = await http(
        server.url,
        'POST',
        '/api/accounts',
        { name: 'x', broker: 'paper-broker', brokerAccountId: 'y' },
        { token: bot.token },
      );
      expect(response.status).toBe(403);
      const bad = await http(server.url, 'POST', '/api/accounts', {
        name: 'x',
        broker: 'paper-broker',
        brokerAccountId: 'y',
        secrets: { password: 42 },
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.message)).toMatch(/secrets must map names/);
      const unknownBroker = await http(server.url, 'POST', '/api/accounts', { name: 'x', broker: 'nope', brokerAccountId: 'y' });
      expect(unknownBroker.status).toBe(400);
      expect(unknownBroker.body.message).toBe('broker must be one of alpaca, ccxt, paper-broker, projectx, tradovate, got "nope"');
    });
  });

  it('tells anonymous health checks the status and nothing more', async () => {
    expect((await http(server.url, 'GET', '/api/health', undefined, { token: null })).body).toEqual({ status: 'ok' });
    expect((await http(server.url, 'GET', '/api/health')).body).toEqual(
      expect.objectContaining({ status: 'ok', version: expect.any(String) }),
    );
  });

  it('sends security headers that keep the admin unframed and its scripts its own', async () => {
    const response = await fetch(`${server.url}/api/health`);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('caps request bodies under /api too', async () => {
    const response = await http(server.url, 'POST', '/api/strategies', { name: 'big', description: 'x'.repeat(70 * 1024) });
    expect(response.status).toBe(413);
  });
});

describe('the session cookie behind HTTPS', () => {
  it('is Secure whenever PUBLIC_URL is https, with or without a trusted proxy, and only then', async () => {
    const cookieOf = async (server: TestServer, headers: Record<string, string> = {}) => {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(TEST_ADMIN),
      });
      expect(response.status).toBe(200);
      return response.headers.get('set-cookie')!;
    };
    const https = await startServer({ overrides: { server: { publicUrl: 'https://trade.example.com' } }, signInAs: null });
    const plain = await startServer({ overrides: { server: { trustProxy: true } }, signInAs: null });
    try {
      expect(await cookieOf(https)).toMatch(/; Secure$/);
      // Logging out clears the cookie with the same attributes.
      const session = (await http(https.url, 'POST', '/api/auth/login', TEST_ADMIN, { token: null })).body.token;
      const out = await fetch(`${https.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${session}` } });
      expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0; Secure$/);
      expect(await cookieOf(plain)).not.toMatch(/Secure/);
      // A trusted proxy that terminated TLS makes the request https: Secure too.
      expect(await cookieOf(plain, { 'x-forwarded-proto': 'https' })).toMatch(/; Secure$/);
    } finally {
      await https.close();
      await plain.close();
    }
  });
});

describe('first start without ADMIN_PASSWORD', () => {
  it('generates a password once, shows it to the console only, and it signs in across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-first-start-'));
    const options = { dataDir, overrides: { auth: { adminUser: 'owner', adminPassword: '' } }, signInAs: null };
    try {
      const first = await startServer(options);
      const generated = first.app.get(AuthService).firstStartPassword!;
      expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const login = await http(first.url, 'POST', '/api/auth/login', { username: 'owner', password: generated }, { token: null });
      expect(login.status).toBe(200);
      expect(JSON.stringify(await first.app.get(DataSource).query('SELECT * FROM log_entries'))).not.toContain(generated);
      await first.close({ keepData: true });

      const second = await startServer(options);
      expect(second.app.get(AuthService).firstStartPassword).toBeNull();
      expect((await http(second.url, 'POST', '/api/auth/login', { username: 'owner', password: generated }, { token: null })).status).toBe(
        200,
      );
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('applies a newly set ADMIN_PASSWORD at the next start, so a forgotten password is reset by setting it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-reset-'));
    try {
      const first = await startServer({ dataDir, overrides: { auth: { adminPassword: '' } }, signInAs: null });
      await first.close({ keepData: true });
      const second = await startServer({ dataDir });
      expect((await http(second.url, 'GET', '/api/auth/me')).body.username).toBe(TEST_ADMIN.username);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
