import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CreatedApiToken, ListedToken, LoginAnswer, SignedInView } from '@tradeloop/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { AdminOnly, CurrentPrincipal, Public } from './access.js';
import { AuthService, SESSION_COOKIE, type Principal } from './auth.service.js';
import { ChangePasswordDto, CreateApiTokenDto, LoginDto } from './dto/auth.dto.js';

/**
 * `Secure` whenever the admin is served over HTTPS: PUBLIC_URL says so (a proxy in front, trusted
 * or not), or the request itself came over TLS.
 */
const sessionCookie = (secure: boolean, value: string, maxAgeSeconds: number) =>
  [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join(
    '; ',
  );

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private secure(request: FastifyRequest): boolean {
    return this.config.server.publicUrl.startsWith('https://') || request.protocol === 'https';
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: the token for scripts, and an httpOnly session cookie for the admin' })
  async login(
    @Body() dto: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginAnswer> {
    const session = await this.auth.login(dto.username, dto.password, request.ip);
    const maxAge = Math.round((session.expiresAt - Date.now()) / 1000);
    reply.header('set-cookie', sessionCookie(this.secure(request), session.token, maxAge));
    return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), username: session.username };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session (or revoke the API token that calls it)' })
  async logout(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.auth.logout(principal);
    reply.header('set-cookie', sessionCookie(this.secure(request), '', 0));
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): SignedInView {
    return { username: principal.username, kind: principal.kind, scope: principal.scope };
  }

  @Post('password')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Change the password; every other session ends' })
  changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(principal, dto.currentPassword, dto.newPassword);
  }

  @Get('sessions')
  @AdminOnly()
  sessions(@CurrentPrincipal() principal: Principal): Promise<ListedToken[]> {
    return this.auth.list('session', principal);
  }

  @Delete('sessions/:id')
  @AdminOnly()
  @HttpCode(204)
  revokeSession(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.auth.revoke(id, 'session');
  }

  @Get('tokens')
  @AdminOnly()
  @ApiOperation({ summary: 'API tokens, without their secrets' })
  tokens(@CurrentPrincipal() principal: Principal): Promise<ListedToken[]> {
    return this.auth.list('api', principal);
  }

  @Post('tokens')
  @AdminOnly()
  @ApiOperation({ summary: 'Create an API token; its secret is shown in this answer only' })
  createToken(@CurrentPrincipal() principal: Principal, @Body() dto: CreateApiTokenDto): Promise<CreatedApiToken> {
    return this.auth.createApiToken(principal, dto.name, dto.scope, dto.expiresInDays);
  }

  @Delete('tokens/:id')
  @AdminOnly()
  @HttpCode(204)
  revokeToken(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.auth.revoke(id, 'api');
  }
}
