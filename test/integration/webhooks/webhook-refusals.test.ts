import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { WebhooksService } from '../../../apps/server/src/webhooks/webhooks.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/** Refused webhooks count against their address and cost a handful of log lines, however many arrive. */
describe('webhook refusals', () => {
  let server: TestServer;
  let db: DataSource;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({
      overrides: {
        plugins: { disabled: ['sim-feed'] },
        // Each test poses as an address of its own.
        server: { trustProxy: true },
        webhooks: { rateLimit: { perIpPerMinute: 50, perTokenPerMinute: 10_000 } },
      },
    });
    db = server.app.get(DataSource);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'target' })).body;
  });
  afterAll(() => server.close());

  const post = (address: string, body: string, token = strategy.webhookToken) =>
    fetch(`${server.url}/webhooks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body,
    }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }));
  const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});
  const refusalLines = async () =>
    (await db.query(
      `SELECT message, "strategyId", context FROM log_entries WHERE category = 'webhook' AND message LIKE 'webhook refused%'`,
    )) as {
      message: string;
      strategyId: string | null;
      context: string | null;
    }[];
  const alert = JSON.stringify({ ticker: 'ES1!', action: 'buy', price: 6800 });

  it('answers a concurrent burst of oversized posts with 429 past the address limit, in a bounded number of log lines', async () => {
    const before = (await refusalLines()).length;
    const oversized = JSON.stringify({ ticker: 'ES1!', action: 'buy', comment: 'x'.repeat(70 * 1024) });
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 300 }, () => post('203.0.113.1', oversized)));
    // The address's bucket holds 50 and refills one every 1.2 s: on a busy machine the burst may outlast a refill.
    const refilled = Math.floor((Date.now() - started) / 1200);
    const statuses = count(burst.map((r) => r.status));
    expect(Object.keys(statuses).sort()).toEqual(['413', '429']);
    expect(statuses[413]).toBeGreaterThanOrEqual(50);
    expect(statuses[413]).toBeLessThanOrEqual(50 + refilled);
    expect(statuses[413] + statuses[429]).toBe(300);
    expect(burst.filter((r) => r.status === 429).every((r) => Number(r.retryAfter) >= 1)).toBe(true);
    // Even a good alert from there waits now: the refusals used up the address's allowance — unless
    // a busy machine took long enough for the bucket to refill one more than the burst itself took.
    const good = await post('203.0.113.1', alert);
    const spare = Math.floor((Date.now() - started) / 1200) - (statuses[413] - 50);
    if (spare < 1) expect(good.status).toBe(429);
    else expect([202, 429]).toContain(good.status);
    // 413s are logged after their answer, as soon as the server gets to it: waited for, not slept on.
    const lines = await eventually(
      async () => {
        const since = (await refusalLines()).slice(before);
        return since.length >= 2 && since;
      },
      10_000,
      'the first 413 and the first 429 in the log',
    );
    // The first 413 (in the strategy's log: its token named it) and the first 429; the rest counted.
    expect(lines.map((l) => l.message)).toEqual([
      'webhook refused: body larger than 65536 bytes (413)',
      'webhook refused: rate limit from 203.0.113.1 reached (50 a minute)',
    ]);
    expect(lines[0].strategyId).toBe(strategy.id);

    await server.app.get(WebhooksService).closeRefusalMinutes(Date.now() + 60_000);
    const summaries = (await refusalLines()).slice(before + 2).map((l) => l.message.replace(/between \S+ and \S+/, 'between TIMES'));
    expect(summaries.sort()).toEqual([
      `webhook refused ${statuses[429]} more time(s) from 203.0.113.1 between TIMES (status 429 ×${statuses[429]})`,
      `webhook refused ${statuses[413] - 1} more time(s) from 203.0.113.1 between TIMES (status 413 ×${statuses[413] - 1})`,
    ]);
  });

  it('counts unknown tokens and bad JSON toward the address limit, and logs each kind once a minute with a count', async () => {
    const before = (await refusalLines()).length;
    const answers = [
      ...(await Promise.all(Array.from({ length: 25 }, (_, i) => post('203.0.113.2', alert, `no-such-token-${i}-0123456789abcdef`)))),
      ...(await Promise.all(Array.from({ length: 25 }, () => post('203.0.113.2', '{"ticker": "ES1!", "action": ')))),
    ];
    expect(count(answers.map((r) => r.status))).toEqual({ 400: 25, 401: 25 });
    expect((await post('203.0.113.2', alert)).status).toBe(429);
    const lines = (await refusalLines()).slice(before);
    expect(lines.map((l) => [l.message.replace(/token [0-9a-f]{8}$/, 'token …'), l.strategyId])).toEqual([
      ['webhook refused: unknown token …', null],
      [expect.stringMatching(/^webhook refused: the alert message must be JSON, and this is not valid JSON/), strategy.id],
      ['webhook refused: rate limit from 203.0.113.2 reached (50 a minute)', null],
    ]);
    // The unknown tokens are told apart by a fingerprint, never written out.
    expect(JSON.stringify(lines)).not.toContain('no-such-token');
  });

  it('keeps another address unaffected', async () => {
    expect((await post('203.0.113.3', alert)).status).toBe(202);
  });
});
