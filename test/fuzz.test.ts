import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { http, startServer, type TestServer } from './support/app.js';
import { connectWs } from './support/ws-client.js';

/** A small seeded generator, so a failure can be replayed with the same bodies. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const strings = [
    '',
    ' ',
    'buy',
    'SELL',
    'exit',
    'hold',
    'NQ1!',
    'CME_MINI:NQ1!',
    '💥',
    '\u0000',
    'ａｂｃ',
    '<script>',
    "'; DROP TABLE trades; --",
    '{{ticker}}',
    '1e309',
    'NaN',
    '-1',
    '0x10',
    ' 2 ',
  ];
  const numbers = [0, -1, 1.5, 1e309, -0, 2 ** 53, Number.MAX_VALUE, 1e-320, 3, 0.1 + 0.2];
  const value = (depth: number): unknown => {
    switch (int(depth > 3 ? 5 : 8)) {
      case 0:
        return pick(strings);
      case 1:
        return pick(numbers);
      case 2:
        return pick([true, false, null]);
      case 3:
        return 'x'.repeat(int(3) === 0 ? 100_000 : int(50));
      case 4:
        return String(pick(numbers));
      case 5:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: int(5) }, () => [
            pick([
              'ticker',
              'action',
              'quantity',
              'positionSize',
              'orderType',
              'price',
              'limitPrice',
              'id',
              '__proto__',
              'constructor',
              pick(strings),
            ]),
            value(depth + 1),
          ]),
        );
    }
  };
  const deep = (levels: number): unknown => (levels === 0 ? 1 : { a: deep(levels - 1) });
  /** A body as text: mostly JSON of odd values, sometimes broken JSON or not JSON at all. */
  const body = (): string => {
    switch (int(10)) {
      case 0:
        return JSON.stringify(value(0)).slice(0, int(40));
      case 1:
        return String.fromCharCode(...Array.from({ length: int(200) }, () => int(0xd7ff)));
      case 2:
        return JSON.stringify(deep(2000));
      default:
        return JSON.stringify(value(0)) ?? 'undefined';
    }
  };
  const contentType = () =>
    pick([
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'text/html; charset=utf-16',
      'multipart/form-data; boundary=x',
    ]);
  return { body, contentType, int };
}

/** Thousands of generated bodies at every input; the server must answer each in words and stay up. */
describe('garbage in', () => {
  let server: TestServer;
  let db: DataSource;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'] }, webhooks: { rateLimit: { perTokenPerMinute: 100_000, perIpPerMinute: 100_000 } } },
    });
    db = server.app.get(DataSource);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'fuzz target' })).body;
  });
  afterAll(() => server.close());

  const events = async () => Number((await db.query('SELECT COUNT(*) AS n FROM webhook_events'))[0].n);

  it('answers every generated webhook body with a status and a message, creates no event for a refused one, and keeps its memory', async () => {
    const gen = generator(20261125);
    const before = await events();
    let accepted = 0;
    const heap: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, gen.body(), {
        raw: true,
        contentType: gen.contentType(),
      });
      expect(response.status).toBeLessThan(500);
      if (i % 500 === 0) {
        (globalThis as { gc?: () => void }).gc?.();
        heap.push(process.memoryUsage().heapUsed);
      }
      if (response.status === 202 || response.status === 200) {
        accepted += response.status === 202 ? 1 : 0;
        continue;
      }
      expect([400, 413, 415]).toContain(response.status);
      expect(typeof response.body?.message).toBe('string');
      expect(response.body.message.length).toBeGreaterThan(5);
    }
    // Only what was accepted became an event: nothing refused left a trace in the queue.
    expect((await events()) - before).toBe(accepted);
    expect((await http(server.url, 'GET', '/api/health')).body.status).toBe('ok');
    // The heap does not climb with the number of requests (a leak would add megabytes per thousand).
    expect(heap[heap.length - 1] - heap[1]).toBeLessThan(64 * 1024 * 1024);
  }, 240_000);

  it('answers garbage to the API with 4xx and a message', async () => {
    const gen = generator(7);
    const routes = ['/api/strategies', '/api/accounts', '/api/auth/tokens', `/api/strategies/${strategy.id}`, '/api/auth/login'];
    for (let i = 0; i < 600; i++) {
      const path = routes[gen.int(routes.length)];
      const method = path.includes(strategy.id) ? 'PATCH' : 'POST';
      const response = await http(server.url, method, path, gen.body(), {
        raw: true,
        contentType: gen.contentType(),
        ...(path === '/api/auth/login' ? { token: null } : {}),
      });
      if (response.status < 300) continue; // a random body can be a valid request
      expect([400, 401, 404, 409, 413, 415, 429]).toContain(response.status);
      expect(typeof response.body?.message === 'string' || Array.isArray(response.body?.message)).toBe(true);
    }
    expect((await http(server.url, 'GET', '/api/health')).body.status).toBe('ok');
  }, 120_000);

  it('answers garbage on /ws with ERROR and keeps the connection', async () => {
    const gen = generator(99);
    const client = await connectWs(server.url);
    try {
      for (let i = 0; i < 300; i++) client.send(gen.body().slice(0, 60_000));
      await new Promise((r) => setTimeout(r, 500));
      const errors = client.messages.filter((m) => m.type === 'ERROR');
      expect(errors.length).toBeGreaterThan(50);
      expect(errors.every((m) => m.type === 'ERROR' && m.data.message.length > 5)).toBe(true);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    } finally {
      await client.close();
    }
  });
});
