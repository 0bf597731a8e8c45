import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { routeTable } from '../../../apps/server/src/app.factory.js';
import { WebhooksService } from '../../../apps/server/src/webhooks/webhooks.service.js';
import { http, startServer, type TestServer } from '../../support/app.js';

/**
 * The intake is a Fastify route of its own, outside Nest's controllers (webhook-route.ts): what
 * Nest gave every route must still hold for it.
 */
describe('the webhook route', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'route' })).body;
  });
  afterAll(() => server.close());

  const post = (body: unknown) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
  /** Runs `then` while the intake fails with `error`. */
  const failingWith = async (error: Error, then: () => Promise<void>) => {
    const webhooks = server.app.get(WebhooksService);
    const receive = webhooks.receive.bind(webhooks);
    webhooks.receive = () => Promise.reject(error);
    try {
      await then();
    } finally {
      webhooks.receive = receive;
    }
  };

  it('answers a failure it did not expect as Nest would: 500, a generic message, nothing of the cause', async () => {
    await failingWith(new Error('disk on fire at /var/secret/path'), async () => {
      const answer = await post({ ticker: 'MES1!', action: 'buy' });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    });
    // And the next alert is taken as ever.
    expect((await post({ ticker: 'MES1!', action: 'buy' })).status).toBe(202);
  });

  it('logs at most ten such failures a minute, however many arrive at once', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      await failingWith(new Error('x'.repeat(100_000)), async () => {
        const answers = await Promise.all(Array.from({ length: 30 }, () => post({ ticker: 'MES1!', action: 'buy' })));
        expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 30 }, () => 500));
      });
      const lines = errors.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('a webhook could not be handled'));
      // Ten a minute in all (the first test's failure may have been one of this minute's).
      expect(lines.length).toBeGreaterThanOrEqual(9);
      expect(lines.length).toBeLessThanOrEqual(10);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(3000);
    } finally {
      errors.mockRestore();
    }
  });

  it('keeps the shape of a refusal the service throws, as the other routes answer theirs', async () => {
    await failingWith(new ServiceUnavailableException('the event queue is unreachable'), async () => {
      const answer = await post({ ticker: 'MES1!', action: 'buy' });
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ statusCode: 503, message: 'the event queue is unreachable', error: 'Service Unavailable' });
    });
    const unknown = await http(server.url, 'POST', '/webhooks/not-a-token', { ticker: 'MES1!', action: 'buy' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ statusCode: 401, message: 'unknown webhook token', error: 'Unauthorized' });
  });

  it('gets the security headers every answer carries', async () => {
    const answer = await fetch(`${server.url}/webhooks/${strategy.webhookToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticker: 'MES1!', action: 'sell' }),
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toBeTruthy();
  });

  it('is in the route table as public, and in the OpenAPI document with its answers', async () => {
    expect(routeTable(server.app).filter((r) => r.url === '/webhooks/:token')).toEqual([
      { method: 'POST', url: '/webhooks/:token', public: true },
    ]);
    const docs = await http(server.url, 'GET', '/api/docs-json');
    const operation = docs.body.paths['/webhooks/{token}'].post;
    expect(operation.tags).toEqual(['webhooks']);
    expect(operation.summary).toMatch(/202 accepted, 200 duplicate id, 400 bad alert, 401 unknown token/);
    expect(operation.parameters).toEqual([{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }]);
  });
});
