import {
  BadRequestException,
  Catch,
  NotFoundException,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
  type LoggerService,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppModule } from './app.module.js';
import { installAuthentication } from './auth/authentication.hook.js';
import { jsonDepth, MAX_JSON_DEPTH } from './common/json-depth.js';
import { TooManyRequestsFilter } from './common/too-many-requests.js';
import { consoleLogger } from './logs/console-logger.js';
import type { AppConfig } from './config/config.schema.js';
import { VERSION } from './version.js';
import { guardWebhooks, WEBHOOK_PATH } from './webhooks/webhook-guard.js';
import { documentWebhookRoute, registerWebhookRoute } from './webhooks/webhook-route.js';

/** The alert preview reads its body as the webhook does: the alert message as TradingView would send it. */
const PREVIEW_PATH = /^\/api\/strategies\/[^/?]+\/preview(\?|$)/;

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
}

const routeTables = new WeakMap<NestFastifyApplication, RouteInfo[]>();

/** Every HTTP route the app registered (controllers, OpenAPI pages, static files), for audits and tests. */
export const routeTable = (app: NestFastifyApplication): readonly RouteInfo[] => routeTables.get(app) ?? [];

/** Builds the whole server: Fastify, validation, OpenAPI at /api/docs, the admin at /. Used by main and tests. */
export async function createApp(
  config: AppConfig,
  options: { logger?: false | ('error' | 'warn' | 'log' | 'debug')[] | LoggerService } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.webhooks.maxBodyBytes, trustProxy: trustProxy(config.server.trustProxy) });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger:
      options.logger === undefined || options.logger === false || Array.isArray(options.logger)
        ? consoleLogger(options.logger ?? loggerLevels(config.log.level))
        : options.logger,
    bufferLogs: false,
    // Body parsing is ours (acceptAnyWebhookBody), so webhooks see the raw text.
    bodyParser: false,
    // A start that fails (a database another process holds) is the caller's to report, not a process exit.
    abortOnError: false,
  });
  collectRoutes(app);
  installAuthentication(app);
  addSecurityHeaders(app, config);
  acceptAnyWebhookBody(app);
  guardWebhooks(app, config);
  registerWebhookRoute(app);
  app.useGlobalFilters(new TooManyRequestsFilter());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useWebSocketAdapter(new WsAdapter(app));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tradeloop')
      .setDescription('Self-hosted trade automation: webhooks, strategies, orders, positions, P&L')
      .setVersion(VERSION)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token from POST /api/auth/login, or an API token' })
      .build(),
  );
  documentWebhookRoute(document);
  SwaggerModule.setup('api/docs', app, document);
  await serveAdmin(app, config);
  return app;
}

/**
 * TradingView sends alert text as application/json when it parses as JSON and as text/plain
 * otherwise. Webhook bodies reach the controller raw, so bad JSON is refused by the webhook
 * service (400 naming the problem, and a line in the strategy's log) rather than by Fastify.
 */
function acceptAnyWebhookBody(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(['application/json', 'text/plain', '*'], { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (request.url.startsWith(WEBHOOK_PATH) || PREVIEW_PATH.test(request.url)) return done(null, text);
    if (!(request.headers['content-type'] ?? '').includes('json')) return done(null, text);
    if (text === '') return done(null, undefined);
    // Validation walks a body recursively: thousands of nested brackets must not reach it.
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      return done(new BadRequestException(`request body is nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new BadRequestException(`request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

function collectRoutes(app: NestFastifyApplication): void {
  const routes: RouteInfo[] = [];
  routeTables.set(app, routes);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, public: route.config?.public === true });
    });
}

/** `true`/`false`, or a comma-separated list of proxy addresses and CIDR ranges. */
function trustProxy(setting: boolean | string): boolean | string[] {
  if (typeof setting === 'boolean') return setting;
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The admin loads only its own scripts, is never framed, and leaks no referrer. Angular injects
 * component styles at run time, hence inline styles; scripts stay strict.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function addSecurityHeaders(app: NestFastifyApplication, config: AppConfig): void {
  const https = config.server.publicUrl.startsWith('https://');
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
      if (https) reply.header('strict-transport-security', 'max-age=31536000');
    });
}

async function serveAdmin(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const root = resolve(config.admin.dir);
  if (!existsSync(join(root, 'index.html'))) return;
  await app.getHttpAdapter().getInstance().register(fastifyStatic, { root, wildcard: false });
  app.useGlobalFilters(new AdminDeepLinkFilter());
}

/**
 * Deep links into the admin (e.g. /strategies, or /scripts/breakout.ts from the address bar) load
 * the app; a missing asset (a path with a dot, not asked for as a page) and unknown API paths stay
 * a 404.
 */
@Catch(NotFoundException)
class AdminDeepLinkFilter implements ExceptionFilter {
  catch(exception: NotFoundException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const path = request.url.split('?')[0];
    const page = !path.includes('.') || (request.headers.accept ?? '').includes('text/html');
    if (request.method === 'GET' && !/^\/(api|webhooks|ws)(\/|$)/.test(path) && page) {
      void reply.sendFile('index.html');
      return;
    }
    void reply.status(404).send(exception.getResponse());
  }
}

export function loggerLevels(level: AppConfig['log']['level']) {
  const all = ['error', 'warn', 'log', 'debug'] as const;
  const cut = { error: 1, warn: 2, info: 3, debug: 4 }[level];
  return all.slice(0, cut) as unknown as ('error' | 'warn' | 'log' | 'debug')[];
}
