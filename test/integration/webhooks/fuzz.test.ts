import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { parseAction } from '../../../apps/server/src/engine/script-actions.js';
import type { EventQueue } from '../../../apps/server/src/infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../../../apps/server/src/infra/queue/queue.module.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { quantityProblem } from '@tradeloop/contracts';
import { tickerProblem } from '@tradeloop/domain';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { scriptsDir } from '../../support/scripts.js';
import { connectWs } from '../../support/ws-client.js';

/**
 * Property-based fuzzing of every input path — webhook bodies, REST bodies and query strings,
 * `/ws` messages, script actions — with fast-check: whatever arrives, the answer is never a 5xx,
 * every accepted event ends (done or failed), and the server stays up with flat memory. A failure
 * prints the seed and the smallest input that shows it (`fc.assert` shrinks it), to replay.
 */

/** Text a probe likes: markup, SQL, controls, prototype names as keys, placeholders, odd numbers as text. */
const HOSTILE = [
  '',
  ' ',
  'buy',
  'SELL',
  'exit',
  'NQ1!',
  'CME_MINI:NQ1!',
  'nq1!',
  '💥',
  '\u0000',
  '\u001b[2J',
  'line\nbreak',
  'ａｂｃ',
  '<script>alert(1)</script>',
  "'; DROP TABLE trades; --",
  '{{ticker}}',
  '1e309',
  '1e300',
  'NaN',
  'Infinity',
  '-1',
  '0x10',
  ' 2 ',
  '../../etc/passwd',
  '%00',
  `<script>${'A'.repeat(60_000)}`,
];
/** Number tokens JSON.stringify cannot write, spliced into the body text as they are. */
const RAW_NUMBERS = ['1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '0.1e1', '1E+2'];
const RAW = '\u0000raw:';

const FIELDS = [
  'ticker',
  'action',
  'sentiment',
  'quantity',
  'qty',
  'contracts',
  'positionSize',
  'orderType',
  'price',
  'limitPrice',
  'stopPrice',
  'takeProfit',
  'stopLoss',
  'id',
  'comment',
  'time',
  'quantityType',
  // Prototype names as keys (as values they are the alert parser's own tests).
  '__proto__',
  'constructor',
  'prototype',
  // REST fields.
  'name',
  'accountId',
  'strategyId',
  'defaultQuantity',
  'defaultTicker',
  'description',
  'enabled',
  'allowedIps',
  'script',
  'params',
  'links',
  'exits',
  'risk',
  'broker',
  'brokerAccountId',
  'settings',
  'secrets',
  'side',
  'type',
  'reason',
  'scope',
  'expiresInDays',
  'username',
  'password',
  'currentPassword',
  'newPassword',
  'source',
  'multiplier',
  'symbolOverride',
  'inverse',
];

const scalar = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1, 2, 3, 0.5, 2 ** 53, 1e300, 1e15, -1e300, Number.MAX_VALUE, 5e-324),
  fc.constantFrom(...RAW_NUMBERS).map((n) => `${RAW}${n}`),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 6 }),
  ),
}));
/** Objects shaped like alerts and DTOs: known field names mostly, hostile values. */
const shaped = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });
/** Alerts that could be taken, with odd extras: so the path past intake (the engine, the ledger) is fuzzed too. */
const plausible = fc
  .tuple(
    fc.record({
      ticker: fc.constantFrom('NQ1!', 'MES1!', 'ES1!', 'CME_MINI:NQ1!', 'mes1!'),
      action: fc.constantFrom('buy', 'sell', 'exit', 'cancel', 'add'),
      quantity: fc.oneof(fc.integer({ min: 1, max: 3 }), scalar),
      price: fc.oneof(fc.constantFrom(6800, 25000, '6800.25'), scalar),
    }),
    fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 3 }),
  )
  .map(([alert, extra]) => ({ ...extra, ...alert }));

/** A body as text: JSON of odd values (odd number tokens spliced in), broken JSON, deep nesting, or not JSON at all. */
const bodyText = fc.oneof(
  { arbitrary: shaped.map(json), weight: 5 },
  { arbitrary: plausible.map(json), weight: 3 },
  { arbitrary: value.map(json), weight: 2 },
  { arbitrary: fc.tuple(shaped.map(json), fc.nat()).map(([text, n]) => text.slice(0, n % (text.length + 1))), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 2000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 2000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)), weight: 1 },
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'text/html; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
);

function json(input: unknown): string {
  const text = JSON.stringify(input) ?? 'null';
  return text.replace(/"\\u0000raw:([^"]*)"/g, '$1');
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

describe('fuzzing every input path', () => {
  let server: TestServer;
  let db: DataSource;
  let strategy: { id: string; webhookToken: string; accountId: string };
  let scripted: { id: string; webhookToken: string };
  let scripts: string;

  /** A script that does whatever the alert's comment says, through the ctx calls a script has. */
  const ACTOR = `export default defineStrategy({
  onWebhook(alert, ctx) {
    let calls = [];
    try { calls = JSON.parse(alert.comment ?? '[]'); } catch { return; }
    if (!Array.isArray(calls)) return;
    const decode = (v) => (typeof v === 'string' && v.startsWith('num:') ? Number(v.slice(4)) : v);
    for (const [name, ...args] of calls.slice(0, 10)) {
      try {
        if (name === 'buy' || name === 'sell' || name === 'flatten' || name === 'cancelAll') ctx[name](...args.map(decode));
      } catch (error) {
        ctx.log('refused in the sandbox: ' + String(error && error.message));
      }
    }
  },
});`;

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        webhooks: { rateLimit: { perTokenPerMinute: 1_000_000, perIpPerMinute: 1_000_000 } },
        // A loaded machine may take longer than 50 ms for a call; the fuzz is about inputs, not timing.
        strategies: {
          dir: (scripts = scriptsDir({ 'actor.ts': ACTOR })),
          maxOrdersPerMinute: 100_000,
          cpuMs: 2000,
          maxFailures: 1000,
          failureWindow: 1000,
        },
      },
    });
    db = server.app.get(DataSource);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'fuzz target', defaultTicker: 'MES1!' })).body;
    scripted = (await http(server.url, 'POST', '/api/strategies', { name: 'fuzz actor', script: 'actor.ts' })).body;
    const market = server.app.get(MarketService);
    for (const [ticker, bid] of [
      ['NQ1!', 25000],
      ['MES1!', 6800],
      ['ES1!', 6800],
    ] as const)
      market.publish({ ticker, bid, ask: bid + 0.25, time: Date.now() });
  });
  afterAll(async () => {
    await server.close();
    rmSync(scripts, { recursive: true, force: true });
  });

  const events = async () => Number((await db.query('SELECT COUNT(*) AS n FROM webhook_events'))[0].n);
  const answerIsHonest = (response: { status: number; body: unknown }, allowed: number[]) => {
    expect(response.status).toBeLessThan(500);
    // Node itself refuses a URL or headers over 16 KB (431), before any route: there is no message to give.
    if (response.status < 300 || response.status === 431) return;
    expect(allowed).toContain(response.status);
    const message = (response.body as { message?: unknown } | undefined)?.message;
    expect(typeof message === 'string' ? message.length > 5 : Array.isArray(message)).toBe(true);
  };

  it('answers any webhook body with a status below 500 and a message, stores only what it accepted, and keeps its memory', async () => {
    const before = await events();
    let accepted = 0;
    const heap: number[] = [];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(bodyText, contentType, async (body, type) => {
        const response = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body, { raw: true, contentType: type });
        answerIsHonest(response, [400, 409, 413, 415]);
        if (response.status === 202) accepted++;
        if (runs++ % 400 === 0) {
          gc();
          heap.push(process.memoryUsage().heapUsed);
        }
      }),
      { numRuns: 1500 },
    );
    expect((await events()) - before).toBe(accepted);
    expect(accepted).toBeGreaterThan(10);
    gc();
    expect(process.memoryUsage().heapUsed - heap[1]).toBeLessThan(64 * 1024 * 1024);
  }, 300_000);

  it("answers any script action with an order carried out or refused with its reason, never an error of the server's", async () => {
    const call = fc.tuple(
      fc.constantFrom('buy', 'sell', 'flatten', 'cancelAll', 'transfer'),
      fc.oneof(fc.constantFrom('NQ1!', 'MES1!', 'ES1!', 'AAPL', '<script>', 'NQ<script>', ''), scalar),
      fc.oneof(fc.constantFrom(1, 2, 'num:1e300', 'num:NaN', 'num:Infinity', 'num:-1', 'num:1e-12', 'num:0.5'), scalar),
      fc.oneof(value, fc.constant({ type: 'limit', limitPrice: 1 }), fc.constant({ stopLoss: { ticks: 'num:1e300' } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 4 }), async (calls) => {
        const response = await http(server.url, 'POST', `/webhooks/${scripted.webhookToken}`, {
          ticker: 'MES1!',
          action: 'buy',
          price: 6800,
          comment: JSON.stringify(calls),
        });
        // 409 once the strategy stopped (errored scripts stop; that is an honest answer too); 413 for a comment over 64 KiB.
        answerIsHonest(response, [400, 409, 413]);
      }),
      { numRuns: 120 },
    );
  }, 300_000);

  it('answers any REST body on every route that takes one with a status below 500 and a message', async () => {
    const ids: Record<string, string> = { ':id': strategy.id, ':name': 'actor.ts' };
    const routes = routeTable(server.app).filter(
      (r) =>
        ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) &&
        /^\/api\//.test(r.url) &&
        // Signing out would end the fuzzer's own session; the rest is fair game.
        r.url !== '/api/auth/logout',
    );
    expect(routes.length).toBeGreaterThan(15);
    const param = fc.oneof(fc.constant(null), fc.constantFrom(...HOSTILE.slice(0, 24)), fc.uuid());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), param, bodyText, contentType, async (route, id, body, type) => {
        const path = route.url.replace(/:[A-Za-z]+/g, (name) => encodeURIComponent(id ?? ids[name] ?? 'x'));
        const response = await http(server.url, route.method, path, body, {
          raw: true,
          contentType: type,
          ...(route.url === '/api/auth/login' ? { token: null } : {}),
        });
        answerIsHonest(response, [400, 401, 403, 404, 409, 413, 415, 429]);
      }),
      { numRuns: 700 },
    );
  }, 300_000);

  it('answers any query string on every list with a status below 500', async () => {
    const lists = routeTable(server.app)
      .filter((r) => r.method === 'GET' && /^\/api\//.test(r.url) && !r.url.includes(':') && !r.url.startsWith('/api/docs'))
      .map((r) => r.url);
    const key = fc.oneof(
      fc.constantFrom('limit', 'offset', 'beforeId', 'before', 'from', 'to', 'month', 'status', 'level', 'strategyId', 'accountId'),
      fc.constantFrom('resolution', 'includeFlat', 'ticker', '__proto__', 'constructor'),
      fc.string({ maxLength: 8 }),
    );
    const entry = fc.tuple(
      key,
      fc.oneof(
        scalar.map((v) => String(v).replace(RAW, '')),
        fc.uuid(),
        fc.constantFrom('2026-11-01', '2026-11'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...lists), fc.array(entry, { maxLength: 4 }), async (url, entries) => {
        const query = entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const response = await http(server.url, 'GET', `${url}?${query}`);
        answerIsHonest(response, [400, 403, 404]);
      }),
      { numRuns: 800 },
    );
  }, 300_000);

  it('answers any /ws message with ERROR or SUBSCRIBED and keeps the connection', async () => {
    const message = fc.oneof(
      // At most 16,000 characters: under the 64 KiB frame limit whatever they are in UTF-8.
      bodyText.map((text) => text.slice(0, 16_000)),
      fc
        .record({
          type: fc.oneof(fc.constantFrom('SUBSCRIBE', 'WATCH', 'subscribe', 'DATA', ''), scalar),
          channels: fc.oneof(fc.array(fc.oneof(fc.constantFrom('DATA', 'PNL', 'LOG', 'ORDER'), scalar), { maxLength: 5 }), value),
          tickers: fc.oneof(fc.array(fc.oneof(fc.constantFrom('NQ1!', 'ES1!'), scalar), { maxLength: 5 }), value),
        })
        .map((text) => json(text).slice(0, 16_000)),
    );
    const client = await connectWs(server.url);
    try {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(message, async (text) => {
          const seen = client.messages.length;
          const sentAt = Date.now();
          client.send(text);
          sent++;
          // Waited for: a busy machine may answer later than the pace below.
          const answers = await eventually(
            async () => {
              const got = client.messages.slice(seen).filter((m) => m.type === 'ERROR' || m.type === 'SUBSCRIBED');
              return got.length >= 1 && got;
            },
            10_000,
            'an ERROR or SUBSCRIBED answer',
          );
          for (const answer of answers) if (answer.type === 'ERROR') expect(answer.data.message.length).toBeGreaterThan(5);
          expect(client.socket.readyState).toBe(client.socket.OPEN);
          // Under the per-connection rate limit (20 a second).
          await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 60 - Date.now())));
        }),
        { numRuns: 250 },
      );
      expect(sent).toBe(250);
      client.send({ type: 'SUBSCRIBE', channels: ['DATA'] });
      await client.next('SUBSCRIBED', (m) => JSON.stringify(m.data.channels) === '["DATA"]');
    } finally {
      await client.close();
    }
  }, 300_000);

  it('leaves no event stuck: every accepted alert ends done or failed, and the server answers', async () => {
    const queue = server.app.get<EventQueue>(EVENT_QUEUE);
    await Promise.race([
      queue.idle(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the queue did not empty in 60 s')), 60_000)),
    ]);
    const open = await eventually(async () => {
      const rows = (await db.query(`SELECT status, COUNT(*) AS n FROM webhook_events GROUP BY status`)) as { status: string; n: number }[];
      return rows.every((r) => ['done', 'failed', 'dismissed'].includes(r.status)) ? rows : null;
    }, 30_000);
    expect(open.length).toBeGreaterThan(0);
    expect((await http(server.url, 'GET', '/api/health')).body.status).toBe('ok');
  }, 120_000);
});

/** The host's check of what a script returns: total over any value, and nothing it lets through is out of bounds. */
describe('script actions as the host reads them', () => {
  it('either refuses an action with a reason or returns one whose ticker and quantity are sound, and never throws', () => {
    const action = fc.oneof(
      fc.record({
        kind: fc.oneof(fc.constantFrom('order', 'flatten', 'cancelAll'), scalar),
        side: fc.oneof(fc.constantFrom('buy', 'sell'), scalar),
        ticker: fc.oneof(fc.constantFrom('NQ1!', ' es1! ', 'CME_MINI:NQ1!', 'BRK.B'), scalar),
        quantity: fc.oneof(fc.constantFrom(1, 0.5, 1e6, 1e6 + 1, 1e300, Number.NaN, Number.POSITIVE_INFINITY, -1, 1e-9), scalar),
        options: fc.oneof(fc.constant(undefined), value),
      }),
      value,
    );
    fc.assert(
      fc.property(action, (raw) => {
        const parsed = parseAction(raw);
        if (typeof parsed === 'string') {
          expect(parsed.length).toBeGreaterThan(5);
          return;
        }
        if (parsed.kind === 'order') {
          expect(quantityProblem(parsed.quantity)).toBeUndefined();
          expect(tickerProblem(parsed.ticker)).toBeNull();
        } else if (parsed.ticker !== null) {
          expect(tickerProblem(parsed.ticker)).toBeNull();
        }
      }),
      { numRuns: 5000 },
    );
  });
});
