import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { loadConfig } from '../../../apps/server/src/config/load-config.js';
import { dataSourceOptions } from '../../../apps/server/src/database/data-source-options.js';
import { ENTITIES } from '../../../apps/server/src/entities.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { scriptsDir } from '../../support/scripts.js';
import { connectWs } from '../../support/ws-client.js';

const SCRIPT = `export default defineStrategy({ onWebhook(alert, ctx) { ctx.log('seen ' + alert.ticker); } });`;

/** A webhook URL places orders: only callers who may trade ever see it, and the database keeps it sealed. */
describe('webhook secrets', () => {
  let server: TestServer;
  let readToken: string;
  let tradingToken: string;
  let strategy: { id: string; webhookToken: string; webhookUrl: string; accountId: string };
  let scripts: string;

  beforeAll(async () => {
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'] }, strategies: { dir: (scripts = scriptsDir({ 'seen.ts': SCRIPT })) } },
    });
    readToken = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'dashboard', scope: 'read' })).body.token;
    tradingToken = (await http(server.url, 'POST', '/api/auth/tokens', { name: 'bot', scope: 'trading' })).body.token;
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'secret', script: 'seen.ts' })).body;
    expect(strategy.webhookUrl).toBe(`http://localhost:${server.config.server.port}/webhooks/${strategy.webhookToken}`);
  });
  afterAll(async () => {
    await server.close();
    rmSync(scripts, { recursive: true, force: true });
  });

  const alert = (token: string, id: string) =>
    http(server.url, 'POST', `/webhooks/${token}`, { ticker: 'MES1!', action: 'buy', price: 6800, id });

  it('never hands a webhook token or URL to a read-only token, on any GET route', async () => {
    const accepted = await alert(strategy.webhookToken, 'one');
    expect(accepted.status).toBe(202);
    const ids: Record<string, string> = {
      '/api/strategies/:id': strategy.id,
      '/api/accounts/:id': strategy.accountId,
      '/api/events/:id': accepted.body.eventId,
      '/api/scripts/:name': 'seen.ts',
    };
    const routes = routeTable(server.app).filter((r) => r.method === 'GET' && /^\/api\//.test(r.url));
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(Object.keys(ids)));
    let checked = 0;
    for (const route of routes) {
      const path = route.url.replace(/\/:[a-z]+$/i, (param) => `/${ids[route.url] ?? param}`);
      const response = await http(server.url, 'GET', path, undefined, { token: readToken });
      if (route.url.includes(':') && !ids[route.url]) continue;
      // Every API route answers (admin-only ones refuse); the OpenAPI pages' static files may be missing.
      // A route that needs a query (the runs a comparison compares) answers 400 without one.
      const answers = route.url === '/api/backtests/compare' ? [200, 400, 403] : [200, 403];
      if (!route.url.startsWith('/api/docs/')) expect([route.url, answers.includes(response.status)]).toEqual([route.url, true]);
      expect(JSON.stringify(response.body)).not.toContain(strategy.webhookToken);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
    const listed = (await http(server.url, 'GET', '/api/strategies', undefined, { token: readToken })).body[0];
    expect(listed).not.toHaveProperty('webhookToken');
    expect(listed).not.toHaveProperty('webhookUrl');
    expect(listed.name).toBe('secret');
  });

  it('shows the URL to an admin session and to a trading token', async () => {
    for (const token of [server.token, tradingToken]) {
      const detail = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`, undefined, { token })).body;
      expect([detail.webhookToken, detail.webhookUrl]).toEqual([strategy.webhookToken, strategy.webhookUrl]);
      const [listed] = (await http(server.url, 'GET', '/api/strategies', undefined, { token })).body;
      expect(listed.webhookUrl).toBe(strategy.webhookUrl);
    }
  });

  it('sends no webhook token to a read-only /ws client while strategies are created, changed and rotated', async () => {
    const client = await connectWs(server.url, { token: readToken });
    try {
      const made = (await http(server.url, 'POST', '/api/strategies', { name: 'watched' })).body;
      await http(server.url, 'PATCH', `/api/strategies/${made.id}`, { enabled: false });
      await http(server.url, 'PATCH', `/api/strategies/${made.id}`, { enabled: true });
      const rotated = (await http(server.url, 'POST', `/api/strategies/${made.id}/rotate-token`)).body;
      expect((await alert(rotated.webhookToken, 'watched')).status).toBe(202);
      await client.next('LOG', (m) => m.data.strategyId === made.id && /alert accepted/.test(m.data.message));
      await client.next('STRATEGY', (m) => m.data.id === made.id && m.data.status === 'enabled');
      const everything = JSON.stringify(client.messages);
      for (const secret of [made.webhookToken, rotated.webhookToken]) expect(everything).not.toContain(secret);
    } finally {
      await client.close();
    }
  });

  it('keeps the token out of the database: stored hashed for lookup, sealed for display, in private files', async () => {
    const db = server.app.get(DataSource);
    const [row] = await db.query('SELECT * FROM strategies WHERE id = ?', [strategy.id]);
    expect(row.webhookTokenHash).toBe(createHash('sha256').update(strategy.webhookToken).digest('hex'));
    expect(row.webhookTokenSealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(JSON.stringify(row)).not.toContain(strategy.webhookToken);
    await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
    const dir = server.config.dataDir;
    const file = join(dir, 'tradeloop.sqlite');
    for (const name of [file, `${file}-wal`, `${file}-shm`].filter(existsSync)) {
      expect([name, statSync(name).mode & 0o777]).toEqual([name, 0o600]);
      expect(readFileSync(name).includes(strategy.webhookToken)).toBe(false);
    }
    // The token still works: intake finds it by its hash.
    expect((await alert(strategy.webhookToken, 'two')).status).toBe(202);
  });
});

describe('a fresh data folder', () => {
  it('is private: the folder 0700, the database and its WAL 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tradeloop-private-'));
    const dataDir = join(parent, 'data');
    const server = await startServer({ dataDir, overrides: { plugins: { disabled: ['sim-feed'] } } });
    try {
      await http(server.url, 'POST', '/api/strategies', { name: 'anything' });
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of ['tradeloop.sqlite', 'tradeloop.sqlite-wal', 'tradeloop.sqlite-shm', 'secret.key']) {
        expect([name, statSync(join(dataDir, name)).mode & 0o777]).toEqual([name, 0o600]);
      }
    } finally {
      await server.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('upgrading a %s database whose webhook tokens are in clear', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloop-seal-upgrade-'));
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl = '';
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await drop?.();
  });

  it('seals each token, keeps every URL working, and leaves no copy of a token behind', async () => {
    if (kind === 'postgres') {
      const { createPostgresDatabase } = await import('../../support/app.js');
      const database = await createPostgresDatabase();
      databaseUrl = database.url;
      drop = database.drop;
    }
    const { migrations } = await import('../../../apps/server/src/database/migrations.js');
    const { loadConfiguredKey, SecretBox } = await import('../../../apps/server/src/infra/secrets/secret-box.js');
    const config = loadConfig({ env: {}, overrides: { dataDir, database: { url: databaseUrl } } });
    // The schema as the previous release left it: every migration before the one that seals.
    const all = migrations(() => new SecretBox(loadConfiguredKey(config).key));
    const before = all.slice(
      0,
      all.findIndex((m) => m.name === 'SealedWebhookTokens1765100000000'),
    );
    const old = new DataSource({ ...dataSourceOptions(config, ENTITIES), migrations: before });
    await old.initialize();
    const account = randomUUID();
    const tokens = ['oldTokenNumberOne_0123456789abcd', 'oldTokenNumberTwo_0123456789abcd'];
    const sql = (text: string) => {
      let n = 0;
      return kind === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
    };
    await old.query(
      sql('INSERT INTO accounts (id, name, broker, "brokerAccountId", "startingBalanceCents", "createdAt") VALUES (?, ?, ?, ?, ?, ?)'),
      [account, 'Paper', 'paper-broker', 'paper-1', 5_000_000, Date.now()],
    );
    for (const [i, token] of tokens.entries()) {
      await old.query(
        sql(
          'INSERT INTO strategies (id, name, "webhookToken", "webhookTokenHash", enabled, "accountId", "defaultQuantity", description, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        [
          randomUUID(),
          `old ${i}`,
          token,
          createHash('sha256').update(token).digest('hex'),
          kind === 'postgres' ? true : 1,
          account,
          1,
          '',
          Date.now(),
          Date.now(),
        ],
      );
    }
    await old.destroy();

    const server = await startServer({ dataDir, databaseUrl, overrides: { plugins: { disabled: ['sim-feed'] } } });
    try {
      const listed = (await http(server.url, 'GET', '/api/strategies')).body as {
        name: string;
        webhookToken: string;
        webhookUrl: string;
      }[];
      expect(listed.map((s) => [s.name, s.webhookToken])).toEqual([
        ['old 0', tokens[0]],
        ['old 1', tokens[1]],
      ]);
      for (const token of tokens) {
        expect((await http(server.url, 'POST', `/webhooks/${token}`, { ticker: 'ES1!', action: 'buy', price: 6800 })).status).toBe(202);
      }
      const db = server.app.get(DataSource);
      const rows = (await db.query('SELECT * FROM strategies')) as Record<string, unknown>[];
      expect(rows.every((r) => !('webhookToken' in r) && String(r.webhookTokenSealed).startsWith('v1:'))).toBe(true);
      if (kind === 'sqlite') {
        await eventually(async () => (await db.query('PRAGMA wal_checkpoint(TRUNCATE)')) !== undefined);
        const file = join(dataDir, 'tradeloop.sqlite');
        for (const name of [file, `${file}-wal`].filter(existsSync)) {
          for (const token of tokens) expect([name, readFileSync(name).includes(token)]).toEqual([name, false]);
        }
      }
    } finally {
      await server.close({ keepData: true });
    }
  }, 60_000);
});
