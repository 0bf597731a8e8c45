import { Inject, Injectable, NotFoundException, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import type { ApiTokenView, CreatedApiToken, ListedToken } from '@tradeloop/contracts';
import { InjectRepository } from '@nestjs/typeorm';
import { hash as digest, randomBytes, randomUUID } from 'node:crypto';
import { In, IsNull, Repository } from 'typeorm';
import { iso } from '../common/money.js';
import { ConcurrencyGate, GateFull } from '../common/concurrency-gate.js';
import { RateLimiter } from '../common/rate-limiter.js';
import { TooManyRequests } from '../common/too-many-requests.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { LogsService } from '../logs/logs.service.js';
import { AuthToken, type TokenKind, type TokenScope } from './auth-token.entity.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { User } from './user.entity.js';

/** Who a request acts for, once its token checked out. */
export interface Principal {
  tokenId: string;
  kind: TokenKind;
  scope: TokenScope;
  userId: string;
  username: string;
}

export const SESSION_COOKIE = 'tradeloop_session';
const TOKEN_PREFIX = 'tl_';
/** lastUsedAt is bookkeeping: written at most once a minute per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const hashToken = (token: string) => digest('sha256', token, 'hex');
/** Password checks that may wait for a free slot; more at once are refused (429). */
const PASSWORD_CHECKS_WAITING = 100;

@Injectable()
export class AuthService implements OnModuleInit {
  /** Set when this start generated the admin's password; printed once by main, never logged. */
  firstStartPassword: string | null = null;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();
  private readonly failuresByName: RateLimiter;
  private readonly failuresByIp: RateLimiter;
  /** scrypt checks running at once; a burst waits in line or is refused, never takes the machine. */
  private readonly checks: ConcurrencyGate;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(AuthToken) private readonly tokens: Repository<AuthToken>,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
  ) {
    const { maxFailures, maxFailuresPerIp, windowMinutes } = config.auth.login;
    this.failuresByName = new RateLimiter(maxFailures, windowMinutes * 60_000);
    this.failuresByIp = new RateLimiter(maxFailuresPerIp, windowMinutes * 60_000);
    this.checks = new ConcurrencyGate(config.auth.login.concurrentChecks, PASSWORD_CHECKS_WAITING);
  }

  /**
   * The admin exists from the first start: with ADMIN_PASSWORD when set, else a generated one.
   * ADMIN_PASSWORD is applied again only when it changed since it was last applied — a password
   * changed in the admin survives restarts — and applying it ends every session and API token of
   * the admin: whoever knew the old password is out.
   */
  async onModuleInit(): Promise<void> {
    const { adminUser, adminPassword } = this.config.auth;
    const existing = await this.users.findOneBy({ username: adminUser });
    if (existing) {
      if (adminPassword) await this.applyConfiguredPassword(existing, adminPassword);
      return;
    }
    if (!adminPassword && (await this.users.count()) > 0) return;
    const password = adminPassword || randomPassword();
    const now = Date.now();
    const passwordHash = await hashPassword(password);
    const user: User = {
      id: randomUUID(),
      username: adminUser,
      passwordHash,
      configPasswordHash: adminPassword ? passwordHash : null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.database.transaction((m) => m.insert(User, user));
    } catch (error) {
      // Another process starting at the same moment created the admin first: theirs stands.
      if (await this.users.existsBy({ username: adminUser })) return;
      throw error;
    }
    if (!adminPassword) this.firstStartPassword = password;
  }

  private async applyConfiguredPassword(user: User, password: string): Promise<void> {
    if (user.configPasswordHash && (await verifyPassword(password, user.configPasswordHash))) return;
    const now = Date.now();
    if (await verifyPassword(password, user.passwordHash)) {
      // Already the password (set before this was recorded): nothing to end, only remember it.
      await this.database.transaction((m) => m.update(User, { id: user.id }, { configPasswordHash: user.passwordHash }));
      return;
    }
    const passwordHash = await hashPassword(password);
    const ended = await this.database.transaction(async (m) => {
      await m.update(User, { id: user.id }, { passwordHash, configPasswordHash: passwordHash, updatedAt: now });
      const live = await m.findBy(AuthToken, { userId: user.id, revokedAt: IsNull() });
      if (live.length) await m.update(AuthToken, { id: In(live.map((t) => t.id)) }, { revokedAt: now });
      return live;
    });
    ended.forEach((t) => this.announceRevoked(t.id));
    await this.logs.write({
      level: 'warn',
      category: 'system',
      message: `ADMIN_PASSWORD changed since it was last applied: it is now ${user.username}'s password, and ${ended.length} session(s) and API token(s) of ${user.username} were ended`,
    });
  }

  /**
   * Checks a name and password. Failures count per address and name and per address: past the
   * limit every attempt, right or wrong, is refused with 429 until the window lets one through.
   * The attempt is counted before the password is checked — so a burst sent at once cannot spend
   * one allowance many times — and given back when it succeeds.
   */
  async login(username: string, password: string, ip: string) {
    const nameKey = `${ip}|${username.toLowerCase()}`;
    const byIp = this.failuresByIp.take(ip);
    if (!byIp.allowed) throw new TooManyRequests('too many failed logins; try again later', byIp.retryAfterSeconds);
    const byName = this.failuresByName.take(nameKey);
    if (!byName.allowed) {
      this.failuresByIp.refund(ip);
      throw new TooManyRequests('too many failed logins; try again later', byName.retryAfterSeconds);
    }
    let user: User | null;
    let ok: boolean;
    try {
      ({ user, ok } = await this.checks.run(async () => {
        const found = await this.users.findOneBy({ username });
        // A missing user costs the same scrypt work as a wrong password, so timing does not tell them apart.
        return { user: found, ok: await verifyPassword(password, found?.passwordHash ?? (await unknownUserHash())) };
      }));
    } catch (error) {
      // Not checked: it does not count.
      this.failuresByIp.refund(ip);
      this.failuresByName.refund(nameKey);
      if (error instanceof GateFull) throw new TooManyRequests('too many sign-ins at once; try again in a moment', 1);
      throw error;
    }
    if (!user || !ok) throw new UnauthorizedException('wrong user name or password');
    this.failuresByName.reset(nameKey);
    this.failuresByIp.refund(ip);
    const expiresAt = Date.now() + this.config.auth.sessionHours * 3_600_000;
    const { token } = await this.issue(user, 'session', 'admin', `login from ${ip}`, expiresAt);
    return { token, expiresAt, username: user.username };
  }

  /** The principal a token stands for, or null when it is unknown, expired or revoked. */
  async authenticate(token: string | undefined): Promise<Principal | null> {
    if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(token) });
    const now = Date.now();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) return null;
    const user = await this.users.findOneBy({ id: row.userId });
    if (!user) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await this.database.bookkeeping((m) => m.update(AuthToken, { id: row.id }, { lastUsedAt: now }));
    }
    return { tokenId: row.id, kind: row.kind, scope: row.scope, userId: user.id, username: user.username };
  }

  /** Whether a token is still good (not revoked, not expired): for long-lived connections. */
  async stillValid(tokenId: string): Promise<boolean> {
    const row = await this.tokens.findOneBy({ id: tokenId });
    return !!row && row.revokedAt === null && (row.expiresAt === null || row.expiresAt > Date.now());
  }

  async logout(principal: Principal): Promise<void> {
    await this.revoke(principal.tokenId);
  }

  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.findOneByOrFail({ id: principal.userId });
    const passwordHash = await this.checks
      .run(async () => ((await verifyPassword(currentPassword, user.passwordHash)) ? hashPassword(newPassword) : null))
      .catch((error: unknown) => {
        if (error instanceof GateFull) throw new TooManyRequests('too many password checks at once; try again in a moment', 1);
        throw error;
      });
    if (!passwordHash) throw new UnauthorizedException('current password is wrong');
    const now = Date.now();
    // A new password ends every other session: whoever knew the old one is signed out.
    const others = (await this.tokens.findBy({ userId: user.id, kind: 'session', revokedAt: IsNull() })).filter(
      (t) => t.id !== principal.tokenId,
    );
    await this.database.transaction(async (m) => {
      await m.update(User, { id: user.id }, { passwordHash, updatedAt: now });
      if (others.length) await m.update(AuthToken, { id: In(others.map((t) => t.id)) }, { revokedAt: now });
    });
    others.forEach((t) => this.announceRevoked(t.id));
  }

  async createApiToken(
    principal: Principal,
    name: string,
    scope: Exclude<TokenScope, 'admin'>,
    expiresInDays?: number,
  ): Promise<CreatedApiToken> {
    const user = await this.users.findOneByOrFail({ id: principal.userId });
    const expiresAt = expiresInDays ? Date.now() + expiresInDays * 86_400_000 : null;
    const { token, row } = await this.issue(user, 'api', scope, name, expiresAt);
    return { ...this.view(row), token };
  }

  async list(kind: TokenKind, principal: Principal): Promise<ListedToken[]> {
    const rows = await this.tokens.find({ where: { kind, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
    const now = Date.now();
    return rows
      .filter((row) => row.expiresAt === null || row.expiresAt > now)
      .map((row) => ({ ...this.view(row), current: row.id === principal.tokenId }));
  }

  /** Revocation is immediate: every request looks its token up. */
  async revoke(id: string, kind?: TokenKind): Promise<void> {
    const row = await this.tokens.findOneBy({ id, ...(kind ? { kind } : {}) });
    if (!row) throw new NotFoundException(`${kind === 'api' ? 'API token' : kind === 'session' ? 'session' : 'token'} ${id} not found`);
    if (row.revokedAt === null) await this.database.transaction((m) => m.update(AuthToken, { id }, { revokedAt: Date.now() }));
    this.announceRevoked(id);
  }

  /** Called with the id of every token revoked in this process: live connections that used it close. */
  onRevoked(listener: (tokenId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private announceRevoked(tokenId: string): void {
    for (const listener of this.revokedListeners) listener(tokenId);
  }

  private async issue(user: User, kind: TokenKind, scope: TokenScope, name: string, expiresAt: number | null) {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: AuthToken = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      kind,
      scope,
      name: name.slice(0, 100),
      prefix: token.slice(0, 10),
      userId: user.id,
      createdAt: Date.now(),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.database.transaction((m) => m.insert(AuthToken, row));
    return { token, row };
  }

  private view(row: AuthToken): ApiTokenView {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      scope: row.scope,
      prefix: row.prefix,
      createdAt: iso(row.createdAt),
      expiresAt: iso(row.expiresAt),
      lastUsedAt: iso(row.lastUsedAt),
    };
  }
}

/** A valid hash of a random password nobody knows, verified when the user name does not exist. */
let dummyHash: Promise<string> | undefined;
const unknownUserHash = () => (dummyHash ??= hashPassword(randomPassword()));
