import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/config.schema.js';
import { WebhooksService } from './webhooks.service.js';

export const WEBHOOK_PATH = '/webhooks/';

/**
 * The address limit for /webhooks, applied before a body is read: a request over it is answered
 * 429 at once, however large its body. Bodies Fastify refuses (413) are counted and logged like
 * every other refusal.
 */
export function guardWebhooks(app: NestFastifyApplication, config: AppConfig): void {
  const webhooks = app.get(WebhooksService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(WEBHOOK_PATH)) return;
    const decision = webhooks.admitAddress(request.ip ?? null, request.url);
    if (decision.allowed) return;
    return reply
      .code(429)
      .header('retry-after', String(decision.retryAfterSeconds))
      .send({ statusCode: 429, message: `too many webhooks from this address; retry after ${decision.retryAfterSeconds} s` });
  });
  fastify.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 413 || !request.url.startsWith(WEBHOOK_PATH)) return;
    await webhooks.refusedBeforeParsing(request.url, 413, `body larger than ${config.webhooks.maxBodyBytes} bytes`, request.ip ?? null);
  });
}
