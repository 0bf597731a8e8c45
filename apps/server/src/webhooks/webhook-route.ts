import { HttpException, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { MinuteAllowance } from '../common/minute-allowance.js';
import { TooManyRequests } from '../common/too-many-requests.js';
import { logText } from '../logs/log-text.js';
import { WEBHOOK_PATH } from './webhook-guard.js';
import { WebhooksService } from './webhooks.service.js';

/** Failures the route did not expect, logged a minute; the rest counted in the next one logged. */
const FAILURES_LOGGED_PER_MINUTE = 10;

const SUMMARY =
  'TradingView alert intake: 202 accepted, 200 duplicate id, 400 bad alert, 401 unknown token, 403 address not allowed, 409 disabled, 413 too large, 429 rate limit';

/**
 * TradingView's intake, `POST /webhooks/:token`, is a Fastify route of its own, not a Nest
 * controller: it is the one route on the hot path, and the service answers it whole (a status and
 * a body). Nest's route pipeline had nothing to do there — no guard (the route is public), no pipe
 * (a raw body and a token), no interceptor — and it cost every alert about 40 promises and 12 KB of
 * allocations (`npm run bench` counts both). What does apply runs as it did: the address limit, the
 * raw body and the security headers are Fastify hooks (webhook-guard.ts, app.factory.ts), and the
 * refusals keep Nest's shape, `{ statusCode, message, error }`, with `Retry-After` on a 429.
 */
export function registerWebhookRoute(app: NestFastifyApplication): void {
  const webhooks = app.get(WebhooksService);
  const console = new Logger('Webhooks');
  // Anyone may call this route: a failure its callers can repeat must not become a flood of stack traces.
  const failures = new MinuteAllowance(FAILURES_LOGGED_PER_MINUTE, 1);
  app
    .getHttpAdapter()
    .getInstance()
    .post<{ Params: { token: string } }>(`${WEBHOOK_PATH}:token`, { config: { public: true } }, async (request, reply) => {
      // When the request arrived (Fastify counts from its first byte), not when its body was parsed.
      const receivedAt = Math.round(Date.now() - reply.elapsedTime);
      try {
        const result = await webhooks.receive(request.params.token, request.body, request.ip ?? null, receivedAt);
        return reply.code(result.status).send(result.body);
      } catch (error) {
        if (error instanceof TooManyRequests) void reply.header('retry-after', String(error.retryAfterSeconds));
        if (error instanceof HttpException) {
          const body = error.getResponse();
          return reply.code(error.getStatus()).send(typeof body === 'object' ? body : { statusCode: error.getStatus(), message: body });
        }
        // As Nest answers what it did not expect: logged here (cut, and at most so many a minute), nothing of it in the answer.
        const logged = failures.take('');
        if (logged.closed) console.error(`${logged.closed.dropped} more webhook(s) could not be handled in the minute before, not logged`);
        if (logged.allowed) console.error(`a webhook could not be handled: ${logText((error as Error)?.stack ?? String(error))}`);
        return reply.code(500).send({ statusCode: 500, message: 'Internal server error' });
      }
    });
}

/** The route in the OpenAPI document, as its controller's decorators described it. */
export function documentWebhookRoute(document: OpenAPIObject): void {
  document.paths[`${WEBHOOK_PATH}{token}`] = {
    post: {
      tags: ['webhooks'],
      summary: SUMMARY,
      operationId: 'receiveWebhook',
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', example: { ticker: 'NQ1!', action: 'buy', quantity: 1, id: '{{strategy.order.id}}' } },
          },
        },
      },
      responses: {
        '200': { description: 'a duplicate of an alert already accepted' },
        '202': { description: 'accepted: stored durably and queued' },
      },
    },
  };
}
