import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthService, SESSION_COOKIE } from './auth.service.js';

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The credential a request carries: `Authorization: Bearer`, else the session cookie. */
export function credentialOf(headers: IncomingHttpHeaders): { token: string | undefined; fromCookie: boolean } {
  const authorization = headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return { token: authorization.slice(7).trim(), fromCookie: false };
  return { token: readCookie(headers.cookie, SESSION_COOKIE), fromCookie: true };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameOrigin = (origin: string, host: string | undefined) => {
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" and other opaque origins are never ours
  }
};

const decodedPath = (url: string) => {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/**
 * Authenticates everything under /api before its body is read — controllers, the OpenAPI pages,
 * and paths that match no route (so an anonymous caller learns nothing from a 404) — except
 * routes marked public. Anonymous: 401 and a one-line message.
 */
export function installAuthentication(app: NestFastifyApplication): void {
  const auth = app.get(AuthService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('principal', null);
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.routeOptions.url ?? decodedPath(request.url)).toLowerCase();
    if (!/^\/api(\/|$)/.test(path) || request.routeOptions.config?.public) return;
    const { token, fromCookie } = credentialOf(request.headers);
    const principal = await auth.authenticate(token);
    if (!principal) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ statusCode: 401, message: 'authentication required' });
    }
    // The cookie rides along on any request the browser makes: a change must come from our own pages.
    const origin = request.headers.origin;
    if (fromCookie && !SAFE_METHODS.has(request.method) && origin && !sameOrigin(origin, request.headers.host)) {
      return reply.code(403).send({ statusCode: 403, message: 'cross-site request refused' });
    }
    request.principal = principal;
  });
}
