import type { PluginLogger } from '@tradeloop/contracts';
import { TradovateError, TradovateRest, type RequestOptions } from './rest.js';
import type { Login, TradovateSettings } from './settings.js';
import { TradovateSocket, type SocketEvent } from './socket.js';

/** What `auth/accesstokenrequest` and `auth/renewaccesstoken` answer. */
interface AccessTokenResponse {
  errorText?: string;
  accessToken?: string;
  mdAccessToken?: string;
  expirationTime?: string;
  userId?: number;
  userStatus?: string;
  name?: string;
}

export interface Tokens {
  accessToken: string;
  /** For the market-data socket; the access token when Tradovate sent none. */
  mdAccessToken: string;
  userId: number;
  expiresAt: number;
  /** A token this close to its expiry is not used any more (a tenth of its life, at most 30 s). */
  marginMs: number;
}

/** Tradovate entities as the user-data socket and REST API send them (only the fields used here). */
export interface TvAccount {
  id: number;
  name: string;
  active?: boolean;
}
export interface TvOrder {
  id: number;
  accountId: number;
  contractId: number;
  timestamp?: string;
  action: 'Buy' | 'Sell';
  ordStatus: string;
  ocoId?: number | null;
  parentId?: number | null;
  linkedId?: number | null;
}
export interface TvFill {
  id: number;
  orderId: number;
  contractId: number;
  timestamp: string;
  action: 'Buy' | 'Sell';
  qty: number;
  price: number;
  active?: boolean;
}
export interface TvPosition {
  id: number;
  accountId: number;
  contractId: number;
  netPos: number;
  netPrice?: number | null;
}
export interface TvCommand {
  id: number;
  orderId: number;
  clOrdId?: string | null;
  commandType?: string;
}
export interface TvExecutionReport {
  id: number;
  orderId: number;
  ordStatus?: string;
  execType?: string;
  rejectReason?: string | null;
  text?: string | null;
}
export interface TvOrderVersion {
  id: number;
  orderId: number;
  orderQty: number;
  orderType: string;
  price?: number | null;
  stopPrice?: number | null;
}
export interface TvContract {
  id: number;
  name: string;
}
export interface TvCashBalance {
  id: number;
  accountId: number;
  amount?: number;
  realizedPnL?: number;
}

/** The user's state as `user/syncrequest` delivered it and `props` events changed it since. */
export class SyncState {
  readonly accounts = new Map<number, TvAccount>();
  readonly orders = new Map<number, TvOrder>();
  readonly fills = new Map<number, TvFill>();
  readonly positions = new Map<number, TvPosition>();
  readonly commands = new Map<number, TvCommand>();
  readonly executionReports = new Map<number, TvExecutionReport>();
  readonly orderVersions = new Map<number, TvOrderVersion>();
  readonly contracts = new Map<number, TvContract>();
  readonly cashBalances = new Map<number, TvCashBalance>();

  private table(entityType: string): Map<number, { id: number }> | undefined {
    switch (entityType) {
      case 'account':
        return this.accounts;
      case 'order':
        return this.orders;
      case 'fill':
        return this.fills;
      case 'position':
        return this.positions;
      case 'command':
        return this.commands;
      case 'executionReport':
        return this.executionReports;
      case 'orderVersion':
        return this.orderVersions;
      case 'contract':
        return this.contracts;
      case 'cashBalance':
        return this.cashBalances;
      default:
        return undefined;
    }
  }

  /** Loads the answer to `user/syncrequest`: `{accounts: [...], orders: [...], fills: [...], ...}`. */
  load(snapshot: Record<string, unknown>): void {
    const plural: Record<string, string> = {
      accounts: 'account',
      orders: 'order',
      fills: 'fill',
      positions: 'position',
      commands: 'command',
      executionReports: 'executionReport',
      orderVersions: 'orderVersion',
      contracts: 'contract',
      cashBalances: 'cashBalance',
    };
    for (const [key, entityType] of Object.entries(plural)) {
      const items = snapshot[key];
      if (!Array.isArray(items)) continue;
      for (const item of items) this.apply(entityType, 'Created', item);
    }
  }

  apply(entityType: string, eventType: string, entity: unknown): void {
    const table = this.table(entityType);
    const row = entity as { id?: unknown } | null;
    if (!table || !row || typeof row.id !== 'number') return;
    if (eventType === 'Deleted') table.delete(row.id);
    else table.set(row.id, { ...(table.get(row.id) ?? {}), ...row } as { id: number });
  }

  /** The command that created an order, if it carried a clOrdId. */
  clOrdIdOf(orderId: number): string | undefined {
    for (const command of this.commands.values()) if (command.orderId === orderId && command.clOrdId) return command.clOrdId;
    return undefined;
  }

  /** Why an order was rejected, in Tradovate's words. */
  rejectionOf(orderId: number): string | undefined {
    let reason: string | undefined;
    for (const report of this.executionReports.values()) {
      if (report.orderId !== orderId) continue;
      const words = [report.text, report.rejectReason].filter((w): w is string => typeof w === 'string' && w.trim() !== '');
      if (words.length) reason = words.join(' — ');
    }
    return reason;
  }

  versionOf(orderId: number): TvOrderVersion | undefined {
    let latest: TvOrderVersion | undefined;
    for (const version of this.orderVersions.values())
      if (version.orderId === orderId && (!latest || version.id > latest.id)) latest = version;
    return latest;
  }

  clear(): void {
    for (const table of [
      this.accounts,
      this.orders,
      this.fills,
      this.positions,
      this.commands,
      this.executionReports,
      this.orderVersions,
      this.cashBalances,
    ])
      table.clear();
  }
}

export interface PropsEvent {
  entityType: string;
  eventType: string;
  entity: unknown;
}

export interface SessionListener {
  /** The user-data socket (re)connected and loaded a fresh snapshot into `state`. */
  onSynced?(session: Session): void;
  onProps?(session: Session, event: PropsEvent): void;
  /** A login problem or its end (null), in words. */
  onProblem?(session: Session, problem: string | null): void;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

/**
 * One Tradovate login: the access token (requested once, renewed before it expires, requested
 * again only when renewal fails), the REST API with it, and one user-data WebSocket kept in sync
 * with `user/syncrequest`. Tradovate flags accounts that open many sessions, so every account and
 * the data feed of the same user share one Session.
 */
export class Session {
  readonly rest: TradovateRest;
  readonly state = new SyncState();
  /** Epoch ms when this session was created: fills older than this made elsewhere are history. */
  readonly startedAt = Date.now();
  private tokens?: Tokens;
  private authing?: Promise<Tokens>;
  /** A refused login is not retried with the same credentials; a captcha is waited out. */
  private refused?: { reason: string; until: number };
  private renewTimer?: NodeJS.Timeout;
  private userSocket?: TradovateSocket;
  private readonly listeners = new Set<SessionListener>();
  private stopped = false;
  private syncedOnce = false;

  constructor(
    readonly login: Login,
    private readonly settings: TradovateSettings,
    private readonly logger: PluginLogger,
  ) {
    this.rest = new TradovateRest({
      baseUrl: login.restUrl,
      timeoutMs: settings.requestTimeoutMs,
      rateLimitWaitMs: settings.rateLimitWaitMinutes * 60_000,
      captchaWaitMs: settings.captchaWaitMinutes * 60_000,
      logger,
    });
  }

  get label(): string {
    return `${this.login.username} (${this.login.environment})`;
  }

  get userId(): number | undefined {
    return this.tokens?.userId;
  }

  /** Why this session cannot log in right now, or null. */
  problem(): string | null {
    if (this.refused && this.refused.until > Date.now()) return this.refused.reason;
    const paused = this.rest.pausedUntil();
    return paused ? `${paused.reason}: paused until ${clock(paused.until)}` : null;
  }

  listen(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A valid access token, logging in first when there is none. One login at a time. */
  async auth(): Promise<Tokens> {
    if (this.tokens && this.tokens.expiresAt > Date.now() + this.tokens.marginMs) return this.tokens;
    this.authing ??= this.requestToken().finally(() => (this.authing = undefined));
    return this.authing;
  }

  /** The token was refused (HTTP 401): forget it so the next call logs in again. */
  invalidate(): void {
    this.tokens = undefined;
    clearTimeout(this.renewTimer);
  }

  /** A REST call with the access token; after a 401 it logs in once more and tries again. */
  async call<T>(method: 'GET' | 'POST', path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
    const { accessToken } = await this.auth();
    try {
      return await this.rest.request<T>(method, path, { ...options, token: accessToken });
    } catch (error) {
      if ((error as TradovateError).kind !== 'unauthorized') throw error;
      this.logger.warn(`Tradovate refused the access token of ${this.label} (expired or revoked); logging in again`);
      if (this.tokens?.accessToken === accessToken) this.invalidate();
      const fresh = await this.auth();
      return this.rest.request<T>(method, path, { ...options, token: fresh.accessToken });
    }
  }

  /** Opens the user-data socket (once): `user/syncrequest`, then `props` events keep `state` current. */
  startUserSync(): void {
    if (this.userSocket || this.stopped) return;
    this.userSocket = new TradovateSocket({
      name: `user data for ${this.label}`,
      url: () => this.login.wsUrl,
      token: async () => (await this.auth()).accessToken,
      onUnauthorized: () => this.invalidate(),
      onReady: async (socket) => {
        const { userId } = await this.auth();
        const snapshot = await socket.request<Record<string, unknown> | null>('user/syncrequest', { users: [userId] });
        this.state.clear();
        this.state.load(snapshot ?? {});
        this.syncedOnce = true;
        for (const listener of this.listeners) listener.onSynced?.(this);
      },
      onEvent: (event) => this.onEvent(event),
      logger: this.logger,
      heartbeatMs: this.settings.heartbeatMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      reconnectMinMs: this.settings.reconnectMinMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
    });
    this.userSocket.start();
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** The contract's name (`NQZ6`), from the synced state or `contract/item`. */
  async contractName(contractId: number): Promise<string | undefined> {
    const known = this.state.contracts.get(contractId);
    if (known) return known.name;
    const contract = await this.call<TvContract | null>('GET', 'contract/item', { query: { id: contractId } }).catch(() => null);
    if (contract?.name) this.state.contracts.set(contract.id ?? contractId, { id: contract.id ?? contractId, name: contract.name });
    return contract?.name;
  }

  /** The contract id of a symbol (`NQZ6`), from `contract/find`. */
  async contractId(symbol: string): Promise<number> {
    for (const contract of this.state.contracts.values()) if (contract.name === symbol) return contract.id;
    const contract = await this.call<TvContract | null>('GET', 'contract/find', { query: { name: symbol } });
    if (!contract || typeof contract.id !== 'number') throw new Error(`Tradovate knows no contract ${symbol}`);
    this.state.contracts.set(contract.id, { id: contract.id, name: contract.name ?? symbol });
    return contract.id;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    await this.userSocket?.stop();
    this.userSocket = undefined;
  }

  private onEvent(event: SocketEvent): void {
    if (event.e !== 'props') return;
    const d = event.d as Partial<PropsEvent> | null;
    if (!d || typeof d.entityType !== 'string') return;
    const props: PropsEvent = { entityType: d.entityType, eventType: String(d.eventType ?? 'Updated'), entity: d.entity };
    this.state.apply(props.entityType, props.eventType, props.entity);
    for (const listener of this.listeners) listener.onProps?.(this, props);
  }

  private setProblem(problem: string | null): void {
    for (const listener of this.listeners) listener.onProblem?.(this, problem);
  }

  private async requestToken(): Promise<Tokens> {
    if (this.stopped) throw new Error(`the session of ${this.label} is stopped`);
    const refused = this.refused && this.refused.until > Date.now() ? this.refused : undefined;
    if (refused) throw new TradovateError('login-refused', refused.reason, refused.until);
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
      if (err.kind === 'captcha' || err.kind === 'rate-limit') this.setProblem(err.message);
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
      this.setProblem(reason);
      throw new TradovateError('login-refused', reason);
    }
    if (answer.userStatus && answer.userStatus !== 'Active') {
      this.logger.warn(`Tradovate says the user ${this.label} is ${answer.userStatus}; trading may be refused`);
    }
    const tokens = this.store(answer, undefined);
    this.logger.info(`logged in to Tradovate as ${this.label}; the access token lasts until ${new Date(tokens.expiresAt).toISOString()}`);
    this.setProblem(null);
    return tokens;
  }

  private store(answer: AccessTokenResponse, previous: Tokens | undefined): Tokens {
    const expiresAt = Date.parse(answer.expirationTime ?? '') || Date.now() + 80 * 60_000;
    const tokens: Tokens = {
      accessToken: answer.accessToken!,
      mdAccessToken: answer.mdAccessToken ?? previous?.mdAccessToken ?? answer.accessToken!,
      userId: answer.userId ?? previous?.userId ?? 0,
      expiresAt,
      marginMs: Math.min(30_000, Math.max(0, expiresAt - Date.now()) / 10),
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
      const tokens = this.store(answer, current);
      this.logger.info(`renewed the Tradovate access token of ${this.label} until ${new Date(tokens.expiresAt).toISOString()}`);
    } catch (error) {
      this.logger.warn(
        `renewing the Tradovate access token of ${this.label} failed (${(error as Error).message}); will log in again when needed`,
      );
      if (this.tokens === current) this.invalidate();
    }
  }
}
