import {
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Open to anonymous callers (the webhook, health, login). */
    public?: boolean;
  }
}

/** The route needs no login. Set as Fastify route config, so authentication can skip it before parsing a body. */
export const Public = () => RouteConfig({ public: true });

const ADMIN_ONLY = 'tradeloop:admin-only';
/** Only an admin session may call it: access control, secrets, plugin settings. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** The signed-in caller of a route that is not public. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new UnauthorizedException('authentication required');
  return principal;
});

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Authorization for every controller route; authentication happened in the request hook. A
 * route is closed unless it is public: one outside /api that forgot to say so is refused, not open.
 */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.routeOptions.config?.public) return true;
    const principal = request.principal;
    if (!principal) throw new UnauthorizedException('authentication required');
    if (principal.scope === 'read' && !READ_METHODS.has(request.method)) throw new ForbiddenException('this API token is read-only');
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (adminOnly && principal.scope !== 'admin') throw new ForbiddenException('this needs an admin login, not an API token');
    return true;
  }
}
