import type { PluginLogger } from '@tradeloop/contracts';
import { ContractBook } from './contracts.js';
import { Hub } from './hub.js';
import { ProjectXError, ProjectXRest } from './rest.js';
import type { Login, ProjectXSettings } from './settings.js';
import type { Answer, PxAccount } from './wire.js';

/** Epoch ms a JWT says it expires, or undefined when the token is not one. */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One ProjectX login (a user name and API key at one firm's gateway), shared by every account of it
 * and by the data feed: one token, renewed with `Auth/validate` before it expires, a new login only
 * when the token is refused; one REST budget; one user hub.
 */
export class Session {
  readonly rest: ProjectXRest;
  /** Contract lookups of this login's gateway. */
  readonly contracts = new ContractBook(() => this);
  private token: string | null = null;
  private expiresAt = 0;
  private loggingIn?: Promise<string>;
  private renewTimer?: NodeJS.Timeout;
  /** Bad credentials: nothing is sent again until the account changes (a new session). */
  private refusal: string | null = null;
  private accountList?: { at: number; accounts: PxAccount[] };
  private hub?: Hub;
  /** Accounts on the user hub, each with what to do once it is subscribed (again). */
  private readonly watched = new Map<number, () => void>();
  private stopped = false;
  logins = 0;
  renewals = 0;

  constructor(
    readonly login: Login,
    private readonly settings: ProjectXSettings,
    private readonly logger: PluginLogger,
  ) {
    this.rest = new ProjectXRest({
      baseUrl: login.apiUrl,
      timeoutMs: settings.requestTimeoutMs,
      requestsPerMinute: settings.requestsPerMinute,
      rateLimitWaitSeconds: settings.rateLimitWaitSeconds,
      rateLimitRetrySeconds: settings.rateLimitRetrySeconds,
      token: () => this.token,
      relogin: async (refused) => {
        // Another request may have logged in again already: only a token still in use is thrown away.
        if (this.token === refused) this.token = null;
        try {
          await this.accessToken();
          return true;
        } catch {
          return false;
        }
      },
      onRateLimited: (ms) => this.logger.warn(`ProjectX answered HTTP 429 for ${login.userName}: no request for ${Math.ceil(ms / 1000)} s`),
    });
  }

  /** Why this login cannot be used, or null. */
  get problem(): string | null {
    return this.refusal;
  }

  /** A valid token, logging in when there is none. */
  async accessToken(): Promise<string> {
    if (this.refusal) throw new ProjectXError(this.refusal, 'unauthorized');
    if (this.token && Date.now() < this.expiresAt) return this.token;
    this.loggingIn ??= this.doLogin().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  /** A REST call with a valid token. */
  async call<T extends Partial<Answer>>(path: string, body: unknown, what: string): Promise<T> {
    await this.accessToken();
    return this.rest.post<T>(path, body, what);
  }

  /** The login's accounts (cached a minute; `fresh` asks again). */
  async accounts(fresh = false): Promise<PxAccount[]> {
    if (!fresh && this.accountList && Date.now() - this.accountList.at < 60_000) return this.accountList.accounts;
    const answer = await this.call<Answer & { accounts?: PxAccount[] }>(
      '/api/Account/search',
      { onlyActiveAccounts: true },
      'the account search',
    );
    const accounts = Array.isArray(answer.accounts) ? answer.accounts.slice(0, 1000) : [];
    this.accountList = { at: Date.now(), accounts };
    return accounts;
  }

  /** ProjectX's id of the account a Tradeloop account names (by its name as ProjectX shows it, or its numeric id). */
  async accountId(brokerAccountId: string): Promise<number> {
    const find = (list: PxAccount[]) => list.find((a) => a.name === brokerAccountId || String(a.id) === brokerAccountId);
    const found = find(await this.accounts()) ?? find(await this.accounts(true));
    if (!found) throw new ProjectXError(`ProjectX user ${this.login.userName} has no active account "${brokerAccountId}"`, 'refused');
    return found.id;
  }

  /**
   * The user hub, started on first use; `accountId` is subscribed now and after every reconnection,
   * and `subscribed` runs after each of those (to look up what happened while it was not).
   */
  async watch(accountId: number, handlers: Record<string, (payload: unknown) => void>, subscribed: () => void): Promise<void> {
    if (this.stopped) return;
    const first = !this.hub;
    this.hub ??= new Hub({
      name: 'user',
      url: `${this.login.rtcUrl}/hubs/user`,
      token: () => this.accessToken(),
      reconnectMaxMs: this.settings.reconnectMaxMs,
      logger: this.logger,
      subscribe: async (hub) => {
        await hub.invoke('SubscribeAccounts');
        for (const [id, after] of this.watched) {
          await this.subscribeAccount(hub.invoke.bind(hub), id);
          after();
        }
      },
    });
    if (first) for (const [event, handler] of Object.entries(handlers)) this.hub.on(event, (payload) => handler(payload));
    const added = !this.watched.has(accountId);
    this.watched.set(accountId, subscribed);
    if (first) await this.hub.start();
    else if (added && this.hub.connected) {
      await this.subscribeAccount((method, ...args) => this.hub!.invoke(method, ...args), accountId);
      subscribed();
    }
  }

  get userHubConnected(): boolean {
    return this.hub?.connected ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    await this.hub?.stop();
  }

  private async subscribeAccount(invoke: (method: string, ...args: unknown[]) => Promise<unknown>, id: number): Promise<void> {
    await invoke('SubscribeOrders', id);
    await invoke('SubscribePositions', id);
    await invoke('SubscribeTrades', id);
  }

  private async doLogin(): Promise<string> {
    this.logins++;
    let answer: Answer & { token?: string | null };
    try {
      answer = await this.rest.post('/api/Auth/loginKey', { userName: this.login.userName, apiKey: this.login.apiKey }, 'the login');
    } catch (error) {
      if (error instanceof ProjectXError && error.kind === 'refused') {
        this.refusal = `ProjectX refused the login of ${this.login.userName}: ${error.message}. Check the user name and API key of the account.`;
        this.logger.error(this.refusal);
        throw new ProjectXError(this.refusal, 'unauthorized', error.errorCode);
      }
      throw error;
    }
    if (typeof answer.token !== 'string' || answer.token === '')
      throw new ProjectXError('ProjectX answered the login without a token', 'http');
    this.setToken(answer.token);
    this.logger.info(`logged in to ProjectX as ${this.login.userName}`);
    return answer.token;
  }

  private setToken(token: string): void {
    this.token = token;
    this.expiresAt = jwtExpiry(token) ?? Date.now() + this.settings.tokenLifetimeHours * 3_600_000;
    clearTimeout(this.renewTimer);
    if (this.stopped) return;
    const renewIn = Math.max(1000, this.expiresAt - Date.now() - this.settings.renewHoursBeforeExpiry * 3_600_000);
    this.renewTimer = setTimeout(() => void this.renew(), Math.min(renewIn, 2 ** 31 - 1));
    this.renewTimer.unref?.();
  }

  /** `Auth/validate` renews the session; a refusal means a new login. */
  async renew(): Promise<void> {
    try {
      const answer = await this.rest.post<Answer & { newToken?: string | null }>('/api/Auth/validate', {}, 'the session renewal');
      this.renewals++;
      this.setToken(typeof answer.newToken === 'string' && answer.newToken !== '' ? answer.newToken : this.token!);
      this.logger.debug(`renewed the ProjectX session of ${this.login.userName}`);
    } catch (error) {
      this.logger.warn(`renewing the ProjectX session of ${this.login.userName} failed (${(error as Error).message}): logging in again`);
      this.token = null;
      await this.accessToken().catch((e: unknown) => this.logger.error(`ProjectX login failed: ${(e as Error).message}`));
    }
  }
}
