import type { PluginLogger } from '@tradeloop/contracts';
import { TradovateError, type TradovateRest } from './rest.js';
import type { Login, TradovateSettings } from './settings.js';

/** What `auth/accesstokenrequest` and `auth/renewaccesstoken` answer (AccessTokenResponse). */
interface AccessTokenResponse {
  errorText?: string;
  accessToken?: string;
  /** Sent by the login; the documented renewal answer has none. */
  mdAccessToken?: string;
  expirationTime?: string;
  userId?: number;
  userStatus?: string;
  name?: string;
}

export interface Tokens {
  accessToken: string;
  /** For the market-data socket: the login's mdAccessToken, the access token once renewed. */
  mdAccessToken: string;
  userId: number;
  expiresAt: number;
  /** A token this close to its expiry is not used any more (a tenth of its life, at most 30 s). */
  marginMs: number;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';
/** A wait that never keeps the process alive on its own. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The access token of one Tradovate login: requested once, renewed before it expires, requested
 * again only when it is known to be dead. Logins are spaced (`minSecondsBetweenLogins`): each one
 * is a new session at Tradovate, which counts them and flags accounts that open many.
 */
export class TokenKeeper {
  private tokens?: Tokens;
  private authing?: Promise<Tokens>;
  /** A refused login is not retried with the same credentials; a captcha is waited out. */
  private refused?: { reason: string; until: number };
  /** No new login before this: Tradovate said to wait (a connection quota). */
  private hold?: { reason: string; until: number };
  private lastLoginAt = 0;
  private renewTimer?: NodeJS.Timeout;
  /** The last check of a token after a 401; a verdict is reused for a minute (three refused orders, one check). */
  private verifying?: { token: string; at: number; alive: Promise<boolean> };
  private stopped = false;

  constructor(
    private readonly login: Login,
    private readonly settings: TradovateSettings,
    private readonly rest: TradovateRest,
    private readonly logger: PluginLogger,
    private readonly label: string,
    private readonly onProblem: (problem: string | null) => void,
  ) {}

  get userId(): number | undefined {
    return this.tokens?.userId;
  }

  /** When the current access token expires (epoch ms), or null without one. */
  get expiresAt(): number | null {
    return this.tokens?.expiresAt ?? null;
  }

  /** Why no login can be made right now, or null. */
  problem(): string | null {
    const now = Date.now();
    if (this.refused && this.refused.until > now) return this.refused.reason;
    if (this.hold && this.hold.until > now) return this.hold.reason;
    return null;
  }

  /** A valid access token, logging in first when there is none. One login at a time. */
  async auth(): Promise<Tokens> {
    if (this.tokens && this.tokens.expiresAt > Date.now() + this.tokens.marginMs) return this.tokens;
    this.authing ??= this.requestToken().finally(() => (this.authing = undefined));
    return this.authing;
  }

  /** The token was refused for good: forget it (unless a newer one replaced it already) so the next use logs in. */
  invalidate(token?: string): void {
    if (token !== undefined && this.tokens?.accessToken !== token && this.tokens?.mdAccessToken !== token) return;
    this.tokens = undefined;
    clearTimeout(this.renewTimer);
  }

  /** Tradovate asked to wait (a shutdown for a connection quota): no login until then. */
  holdLogins(until: number, reason: string): void {
    if (!this.hold || until > this.hold.until) this.hold = { reason, until };
    this.onProblem(this.problem());
  }

  /**
   * After a 401: whether the token still works, asked once with `auth/me`. A token that fails there
   * too is forgotten (the next use logs in); one that works is kept, because the 401 was about the
   * request (an unapproved device, a key without that permission), which a new login would not change.
   */
  verify(tokens: Tokens): Promise<boolean> {
    if (this.verifying?.token === tokens.accessToken && Date.now() - this.verifying.at < 60_000) return this.verifying.alive;
    const alive = this.rest.request('GET', 'auth/me', { token: tokens.accessToken }).then(
      () => {
        this.logger.info(`the access token of ${this.label} still works: the 401 was about the request, not the session`);
        return true;
      },
      (error: unknown) => {
        if ((error as TradovateError).kind !== 'unauthorized') return true;
        this.logger.warn(`the access token of ${this.label} was revoked or expired; the next use logs in again`);
        this.invalidate(tokens.accessToken);
        return false;
      },
    );
    this.verifying = { token: tokens.accessToken, at: Date.now(), alive };
    return alive;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
  }

  private async requestToken(): Promise<Tokens> {
    if (this.stopped) throw new Error(`the session of ${this.label} is stopped`);
    const blocked = this.problem();
    if (blocked) throw new TradovateError('login-refused', blocked, this.refused?.until ?? this.hold?.until);
    const wait = this.lastLoginAt + this.settings.minSecondsBetweenLogins * 1000 - Date.now();
    if (wait > 0) {
      this.logger.info(`waiting ${Math.ceil(wait / 1000)} s before logging in to Tradovate as ${this.label} again`);
      await sleep(wait);
      if (this.stopped) throw new Error(`the session of ${this.label} is stopped`);
    }
    this.lastLoginAt = Date.now();
    const { login } = this;
    let answer: AccessTokenResponse | null;
    try {
      answer = await this.rest.request<AccessTokenResponse | null>('POST', 'auth/accesstokenrequest', {
        body: {
          name: login.username,
          password: login.password,
          appId: login.appId,
          appVersion: login.appVersion,
          cid: login.cid,
          sec: login.sec,
          ...(login.deviceId ? { deviceId: login.deviceId } : {}),
        },
      });
    } catch (error) {
      const err = error as TradovateError;
      if (err.kind === 'captcha' || err.kind === 'rate-limit') this.onProblem(err.message);
      throw error;
    }
    if (!answer?.accessToken) {
      // errorText is Tradovate's own sentence ("Incorrect username or password...", "... locked ...").
      const said =
        answer?.errorText?.trim().replace(/\.+$/, '') ||
        (answer?.userStatus ? `user status ${answer.userStatus}` : 'no access token in the answer');
      const reason = `Tradovate refused the login of ${this.label}: ${said}. Fix the account's credentials (PATCH /api/accounts/:id); no new login is tried until then`;
      this.refused = { reason, until: Number.POSITIVE_INFINITY };
      this.logger.error(reason);
      this.onProblem(reason);
      throw new TradovateError('login-refused', reason);
    }
    if (answer.userStatus && answer.userStatus !== 'Active') {
      this.logger.warn(`Tradovate says the user ${this.label} is ${answer.userStatus}; trading may be refused`);
    }
    const tokens = this.store(answer, undefined);
    this.logger.info(`logged in to Tradovate as ${this.label}; the access token lasts until ${new Date(tokens.expiresAt).toISOString()}`);
    this.onProblem(null);
    return tokens;
  }

  private store(answer: AccessTokenResponse, previous: Tokens | undefined): Tokens {
    const now = Date.now();
    const expiresAt = Date.parse(answer.expirationTime ?? '') || now + 80 * 60_000;
    const tokens: Tokens = {
      accessToken: answer.accessToken!,
      // A renewal answers without an mdAccessToken, and the login's one keeps its first expiry:
      // Tradovate's own tutorial authorizes market data with the access token, so that one serves.
      mdAccessToken: answer.mdAccessToken ?? answer.accessToken!,
      userId: answer.userId ?? previous?.userId ?? 0,
      expiresAt,
      marginMs: Math.min(30_000, Math.max(0, expiresAt - now) / 10),
    };
    this.tokens = tokens;
    this.scheduleRenewal(tokens);
    return tokens;
  }

  private scheduleRenewal(tokens: Tokens): void {
    clearTimeout(this.renewTimer);
    if (this.stopped) return;
    const wait = Math.max(1000, tokens.expiresAt - Date.now() - this.settings.renewMinutesBeforeExpiry * 60_000);
    this.renewTimer = setTimeout(() => void this.renew(tokens), Math.min(wait, 2 ** 31 - 1));
    this.renewTimer.unref();
  }

  /** `auth/renewaccesstoken` extends the session without a new login; when it fails, the next use logs in again. */
  private async renew(current: Tokens): Promise<void> {
    if (this.stopped || this.tokens !== current) return;
    try {
      const answer = await this.rest.request<AccessTokenResponse | null>('GET', 'auth/renewaccesstoken', { token: current.accessToken });
      if (!answer?.accessToken) throw new Error(answer?.errorText || 'no access token in the answer');
      if (this.tokens !== current) return;
      const tokens = this.store(answer, current);
      this.logger.info(`renewed the Tradovate access token of ${this.label} until ${new Date(tokens.expiresAt).toISOString()}`);
      // No problem, and a later expiry to report.
      this.onProblem(null);
    } catch (error) {
      this.logger.warn(
        `renewing the Tradovate access token of ${this.label} failed (${(error as Error).message}); will log in again when needed`,
      );
      if (this.tokens === current) this.invalidate();
    }
  }
}

export { clock };
