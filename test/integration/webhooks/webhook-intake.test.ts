import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPostgresDatabase, eventually, http, startServer, type TestServer } from '../../support/app.js';

describe('webhook intake refuses bad input clearly and logs every outcome', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const post = (body: string, contentType = 'application/json', token = strategy.webhookToken) =>
    http(server.url, 'POST', `/webhooks/${token}`, body, { raw: true, contentType });
  const strategyLog = async () => (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=100`)).body as any[];

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'intake' })).body;
  });
  afterAll(() => server.close());

  it.each([
    ['bad JSON', '{"ticker": "NQ1!", "action": "buy"', /not valid JSON/],
    ['an unknown action', '{"ticker":"NQ1!","action":"hold"}', /^action/],
    ['a negative quantity', '{"ticker":"NQ1!","action":"buy","quantity":-1}', /^quantity/],
    ['a non-numeric quantity', '{"ticker":"NQ1!","action":"buy","quantity":"two"}', /^quantity must be a plain decimal number/],
    [
      'a fractional futures quantity',
      '{"ticker":"NQ1!","action":"buy","quantity":1.5}',
      /^quantity must be a whole number of contracts for NQ1!/,
    ],
    ['no ticker and no default', '{"action":"buy"}', /^ticker is required/],
    ['a JSON array', '[1,2]', /object/],
  ])('answers 400 to %s, naming the problem', async (_case, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
    // The log holds the first refusal of a minute from an address (test/integration/webhooks/webhook-refusals.test.ts); the answer always names the problem.
  });

  it('answers 401 to an unknown token and logs only its fingerprint', async () => {
    const response = await post('{"ticker":"NQ1!","action":"buy"}', 'application/json', 'not-a-real-token-0123456789abcdef');
    expect(response.status).toBe(401);
    const logs = (await http(server.url, 'GET', '/api/logs?level=warn&limit=20')).body as any[];
    const line = logs.find((l) => l.message.includes('unknown token'));
    expect(line.message).not.toContain('not-a-real-token');
    expect(line.message).toMatch(/unknown token [0-9a-f]{8}$/);
  });

  it('answers 413 to a body over 64 KiB', async () => {
    const response = await post(JSON.stringify({ ticker: 'NQ1!', action: 'buy', comment: 'x'.repeat(70 * 1024) }));
    expect(response.status).toBe(413);
    // Logged after the response, as soon as the server gets to it: waited for, not slept on.
    await eventually(
      async () => (await strategyLog()).some((l) => l.message.startsWith('webhook refused: body larger than 65536 bytes')),
      10_000,
      'the 413 in the strategy log',
    );
  });

  it('answers 409 while the strategy is disabled, and accepts again once enabled', async () => {
    expect((await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: false })).body.enabled).toBe(false);
    const refused = await post('{"ticker":"NQ1!","action":"buy","price":25000}');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/disabled/);
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: true });
    expect((await post('{"ticker":"NQ1!","action":"buy","price":25000}')).status).toBe(202);
  });

  it("lists each strategy's last accepted alert; refused alerts and duplicates leave it alone", async () => {
    const other = (await http(server.url, 'POST', '/api/strategies', { name: 'intake, no alerts yet' })).body;
    const lastSignal = async (id: string) => {
      const listed = ((await http(server.url, 'GET', '/api/strategies')).body as any[]).find((s) => s.id === id);
      const detail = (await http(server.url, 'GET', `/api/strategies/${id}`)).body;
      expect(detail.lastSignalAt).toBe(listed.lastSignalAt);
      return listed.lastSignalAt as string | null;
    };
    expect(await lastSignal(other.id)).toBeNull();
    const before = Date.now();
    expect((await post('{"ticker":"NQ1!","action":"buy","price":25000,"id":"signal-1"}')).status).toBe(202);
    const accepted = await lastSignal(strategy.id);
    expect(Date.parse(accepted!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(accepted!)).toBeLessThanOrEqual(Date.now());
    await new Promise((r) => setTimeout(r, 5));
    expect((await post('{"ticker":"NQ1!","action":"buy","price":25000,"id":"signal-1"}')).body.duplicate).toBe(true);
    expect((await post('{"ticker":"NQ1!","action":"hold"}')).status).toBe(400);
    expect(await lastSignal(strategy.id)).toBe(accepted);
    expect(await lastSignal(other.id)).toBeNull();
  });

  it('rejects a market order with no quote and no alert price, with the reason on the order', async () => {
    const response = await post('{"ticker":"ES1!","action":"buy","quantity":1}');
    expect(response.status).toBe(202);
    const deadline = Date.now() + 10000;
    let order: any;
    while (!order && Date.now() < deadline) {
      order = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&status=rejected`)).body.items.find(
        (o: any) => o.ticker === 'ES1!',
      );
      if (!order) await new Promise((r) => setTimeout(r, 50));
    }
    expect(order).toEqual(expect.objectContaining({ ticker: 'ES1!', status: 'rejected' }));
    expect(order.reason).toMatch(/no quote/);
  });

  it('validates the REST API too', async () => {
    const bad = await http(server.url, 'POST', '/api/strategies', { name: '', defaultQuantity: -2 });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/name/);
    expect(bad.body.message.join(' ')).toMatch(/defaultQuantity/);
    expect((await http(server.url, 'GET', '/api/logs?level=loud')).status).toBe(400);
    expect((await http(server.url, 'GET', '/api/strategies/not-a-uuid')).status).toBe(400);
    const broken = await http(server.url, 'POST', '/api/strategies', '{"name":', { raw: true });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/not valid JSON/);
    expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
  });

  it('serves the OpenAPI document', async () => {
    const docs = await http(server.url, 'GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/webhooks/{token}', '/api/strategies', '/api/positions', '/api/trades', '/api/logs']),
    );
  });
});

describe('an alert without an id delivered twice', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const post = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] }, webhooks: { duplicateWindowSeconds: 3 } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'double delivery' })).body;
  });
  afterAll(() => server.close());

  it('runs once when the same body comes again within the window, and again once the window has passed', async () => {
    const body = { ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800 };
    const first = await post(body);
    const again = await post({ ...body });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: true, eventId: first.body.eventId, duplicate: true });
    // A different body is a different alert, even seconds apart.
    expect((await post({ ...body, quantity: 2 })).status).toBe(202);
    const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=50`)).body as any[];
    expect(logs.some((l) => /the same alert again within 3 s ignored as a double delivery/.test(l.message))).toBe(true);
    await new Promise((r) => setTimeout(r, 3100));
    expect((await post(body)).status).toBe(202);
  });
});

describe.each(['sqlite', 'postgres'] as const)('one id sent many times at once (%s)', (db) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    const database = db === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = database?.drop;
    server = await startServer({
      databaseUrl: database?.url,
      overrides: { plugins: { disabled: ['sim-feed'] }, webhooks: { rateLimit: { perTokenPerMinute: 1000, perIpPerMinute: 10000 } } },
    });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: `burst ${db}` })).body;
  });
  afterAll(async () => {
    await server.close();
    await drop?.();
  });

  it('stores it once: one 202, the rest answered as duplicates of that same event', async () => {
    const body = { ticker: 'MES1!', action: 'buy', quantity: 1, price: 6800, id: `burst-${db}` };
    // A burst sent together, as a retrying bridge or a crowd would: one unit of work or several.
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body)),
    );
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200).map((a) => [a.body.duplicate, a.body.eventId])).toEqual(
      Array.from({ length: 24 }, () => [true, accepted[0].body.eventId]),
    );
    const events = (await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}&limit=100`)).body;
    const items = (Array.isArray(events) ? events : events.items) as { id: string }[];
    expect(items.map((e) => e.id)).toEqual([accepted[0].body.eventId]);
  });
});

describe('a locked database', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'locked out' })).body;
  });
  afterAll(() => server.close());

  it('answers 503 in time and accepts nothing while another writer holds the lock, then accepts again', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { join } = await import('node:path');
    const other = new Database(join(server.config.dataDir, 'tradeloop.sqlite'));
    const count = () => (other.prepare('SELECT COUNT(*) AS n FROM webhook_events').get() as { n: number }).n;
    const before = count();
    other.exec('BEGIN EXCLUSIVE');
    try {
      const started = Date.now();
      const refused = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
        ticker: 'MES1!',
        action: 'buy',
        id: 'while-locked',
      });
      expect(refused.status).toBe(503);
      expect(refused.body.message).toMatch(/^the database could not store the alert \(.*locked.*\); it was not accepted, try again$/);
      // Inside TradingView's 3 s.
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      other.exec('COMMIT');
    }
    expect(count()).toBe(before);
    other.close();
    const accepted = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'MES1!',
      action: 'buy',
      id: 'after-unlock',
    });
    expect(accepted.status).toBe(202);
  });
});
