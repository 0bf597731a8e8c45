import type { PluginLogger } from '@tradeloop/contracts';
import { clock, TokenKeeper, type Tokens } from './auth.js';
import { TradovateError, TradovateRest, type RequestOptions } from './rest.js';
import { DEVICE_ID_HELP, type Login, type TradovateSettings } from './settings.js';
import { TradovateSocket, type ShutdownNotice, type ShutdownPlan, type SocketEvent } from './socket.js';
import { SYNCED_ENTITY_TYPES, SyncState, type TvAccount, type TvContract } from './sync-state.js';

export type { Tokens } from './auth.js';
export * from './sync-state.js';

export interface PropsEvent {
  entityType: string;
  eventType: string;
  /** One entity: an event carrying an array is handed on one entity at a time. */
  entity: unknown;
}

export interface SessionListener {
  /** The user-data socket (re)connected and loaded a fresh snapshot into `state` (or a further part of it). */
  onSynced?(session: Session): void;
  onProps?(session: Session, event: PropsEvent): void;
  /** A login problem or its end (null), in words. */
  onProblem?(session: Session, problem: string | null): void;
}

export interface CallOptions extends Omit<RequestOptions, 'token'> {
  /**
   * The call places, cancels or liquidates: a 401 on it is never answered with a new login (on a
   * live account it means an unapproved device, and each login is a new session Tradovate counts).
   */
  order?: boolean;
}

/** The socket closed this soon after `user/syncrequest`, unanswered: the sign of a partner login asking the retail way. */
const SYNC_REFUSED_MS = 2000;

/** Throttles one kind of warning (malformed entities can arrive by the thousand). */
class Throttle {
  private readonly last = new Map<string, number>();
  constructor(private readonly everyMs: number) {}
  allow(key: string): boolean {
    const now = Date.now();
    if ((this.last.get(key) ?? 0) + this.everyMs > now) return false;
    this.last.set(key, now);
    return true;
  }
}

/**
 * One Tradovate login: its access token (see TokenKeeper), the REST API with it, and one
 * user-data WebSocket kept in sync with `user/syncrequest`. Tradovate flags accounts that open many
 * sessions, so every account and the data feed of the same user share one Session.
 */
export class Session {
  readonly rest: TradovateRest;
  readonly state = new SyncState();
  /** Epoch ms when this session was created: fills older than this made elsewhere are history. */
  readonly startedAt = Date.now();
  private readonly keeper: TokenKeeper;
  private userSocket?: TradovateSocket;
  private readonly listeners = new Set<SessionListener>();
  private readonly warnings = new Throttle(60_000);
  private stopped = false;
  private syncedOnce = false;
  private quickSyncDrops = 0;

  constructor(
    readonly login: Login,
    private readonly settings: TradovateSettings,
    private readonly logger: PluginLogger,
  ) {
    this.rest = new TradovateRest({
      baseUrl: login.restUrl,
      timeoutMs: settings.requestTimeoutMs,
      rateLimitWaitMs: settings.rateLimitWaitMinutes * 60_000,
      lockoutWarningWaitMs: settings.lockoutWarningWaitMinutes * 60_000,
      captchaWaitMs: settings.captchaWaitMinutes * 60_000,
      logger,
    });
    this.keeper = new TokenKeeper(login, settings, this.rest, logger, this.label, (problem) => this.setProblem(problem));
  }

  get label(): string {
    return `${this.login.username} (${this.login.environment})`;
  }

  get userId(): number | undefined {
    return this.keeper.userId;
  }

  /** When the login's access token expires (epoch ms), or null while there is none. */
  get loginExpiresAt(): number | null {
    return this.keeper.expiresAt;
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Why this session cannot trade right now, or null. */
  problem(): string | null {
    const refused = this.keeper.problem();
    if (refused) return refused;
    const paused = this.rest.pausedUntil();
    return paused ? `${paused.reason}: paused until ${clock(paused.until)}` : null;
  }

  listen(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  auth(): Promise<Tokens> {
    return this.keeper.auth();
  }

  /** A socket's `authorize` was refused: forget that token unless it was just issued (then a new login would not help). */
  refused(token: string): void {
    this.keeper.invalidate(token);
  }

  /**
   * A REST call with the access token. After a 401 the token is checked once (`auth/me`): an order
   * is refused with the reason whatever the check says (never a new login for it); a read logs in
   * once more and is sent again only when the token turned out dead.
   */
  async call<T>(method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<T> {
    const { order, ...request } = options;
    const tokens = await this.keeper.auth();
    try {
      return await this.rest.request<T>(method, path, { ...request, token: tokens.accessToken });
    } catch (error) {
      if ((error as TradovateError).kind !== 'unauthorized') throw error;
      if (order) {
        void this.keeper.verify(tokens);
        throw new TradovateError('unauthorized', this.orderRefusal(path));
      }
      if (await this.keeper.verify(tokens)) {
        throw new TradovateError(
          'unauthorized',
          `Tradovate answered ${path} with HTTP 401 although the access token of ${this.label} works: check that its API key may read this (its permissions in Tradovate's API Access settings)`,
        );
      }
      const fresh = await this.keeper.auth();
      return this.rest.request<T>(method, path, { ...request, token: fresh.accessToken });
    }
  }

  private orderRefusal(path: string): string {
    const what = `Tradovate refused ${path} with HTTP 401`;
    if (this.login.environment === 'live') {
      return `${what}: live accounts trade only from an approved device, and this one (settings.deviceId "${this.login.deviceId ?? ''}") is not approved, or the API key may not trade. ${DEVICE_ID_HELP}. No new login was made for it`;
    }
    return `${what}: the API key of ${this.label} may not trade (its permissions in Tradovate's API Access settings), or the access token was revoked; it is being checked. No new login was made for it`;
  }

  /**
   * What a `shutdown` event demands (the documented reasons): maintenance is waited out;
   * `ConnectionQuotaReached` means Tradovate closed this, the oldest connection of the user, and
   * revoked its token to make room for another program's, so logging straight back in would only
   * push that one out; `IPQuotaReached` means too many connections from this address.
   */
  shutdownPlan(connection: string, notice: ShutdownNotice): ShutdownPlan {
    const said = notice.reason ? ` (Tradovate says: ${notice.reason})` : '';
    const at = (minutes: number) => Date.now() + minutes * 60_000;
    let plan: ShutdownPlan;
    switch (notice.reasonCode) {
      case 'Maintenance': {
        const until = at(this.settings.maintenanceWaitMinutes);
        plan = {
          waitMs: until - Date.now(),
          message: `Tradovate closed the ${connection} connection for maintenance${said}; trying again at ${clock(until)}`,
        };
        break;
      }
      case 'ConnectionQuotaReached': {
        const until = at(this.settings.connectionQuotaWaitMinutes);
        plan = {
          // A moment past the hold, so the first try after it is not refused by the hold itself.
          waitMs: until - Date.now() + 100,
          message:
            `Tradovate closed the ${connection} connection of ${this.label}: the user's connection quota is reached${said}. ` +
            `Another program (or Tradovate's own app) opened connections with this login and Tradovate revoked this one's token. ` +
            `No new login before ${clock(until)}; give Tradeloop a login of its own, or close the other program`,
        };
        this.keeper.invalidate();
        this.keeper.holdLogins(until, plan.message);
        break;
      }
      case 'IPQuotaReached': {
        const until = at(this.settings.ipQuotaWaitMinutes);
        plan = {
          waitMs: until - Date.now(),
          message: `Tradovate closed the ${connection} connection: too many connections from this IP address${said}; trying again at ${clock(until)}`,
        };
        break;
      }
      default: {
        const until = Date.now() + this.settings.reconnectMaxMs;
        plan = {
          waitMs: until - Date.now(),
          message: `Tradovate closed the ${connection} connection (${notice.reasonCode})${said}; trying again at ${clock(until)}`,
        };
      }
    }
    this.logger.warn(plan.message);
    return plan;
  }

  /** A WebSocket 429: the documented rate limit of the whole login, waited out (REST included). */
  rateLimited(endpoint: string): void {
    const until = Date.now() + this.settings.rateLimitWaitMinutes * 60_000;
    this.rest.pause(until, `Tradovate's rate limit answered ${endpoint} with 429 on the WebSocket`);
    this.logger.warn(`Tradovate's rate limit answered ${endpoint} with 429: nothing is sent for ${this.label} until ${clock(until)}`);
    this.setProblem(this.problem());
  }

  /** Options every socket of this session shares: token refusals, shutdowns and rate limits act on the whole login. */
  socketPolicy(connection: string) {
    return {
      onUnauthorized: (token: string) => this.refused(token),
      onShutdown: (notice: ShutdownNotice) => this.shutdownPlan(connection, notice),
      onRateLimited: (endpoint: string) => this.rateLimited(endpoint),
      pausedUntil: () => this.rest.pausedUntil(),
    };
  }

  /** Opens the user-data socket (once): `user/syncrequest`, then `props` events keep `state` current. */
  startUserSync(): void {
    if (this.userSocket || this.stopped) return;
    this.userSocket = new TradovateSocket({
      name: `user data for ${this.label}`,
      url: () => this.login.wsUrl,
      token: async () => (await this.keeper.auth()).accessToken,
      ...this.socketPolicy('user data'),
      onReady: (socket) => this.sync(socket),
      onEvent: (event) => this.onEvent(event),
      logger: this.logger,
      heartbeatMs: this.settings.heartbeatMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      reconnectMinMs: this.settings.reconnectMinMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
    });
    this.userSocket.start();
  }

  /**
   * `user/syncrequest` for this user. A partner (B2B) login must ask with `splitResponses` (else
   * Tradovate drops the connection at once) and name its `entityTypes` (the default is none); it
   * asks by account, as `users` is not to be combined with `entityTypes`.
   */
  private async sync(socket: TradovateSocket): Promise<void> {
    const { userId } = await this.keeper.auth();
    const body = this.login.partner
      ? { splitResponses: true, accounts: await this.accountIds(), entityTypes: SYNCED_ENTITY_TYPES }
      : { users: [userId] };
    const sentAt = Date.now();
    // Cleared first: parts of a split answer may be handled before the first part's promise resolves.
    this.state.clear();
    let snapshot: Record<string, unknown> | null;
    try {
      snapshot = await socket.request<Record<string, unknown> | null>('user/syncrequest', body, '', (part) => this.loadPart(part));
    } catch (error) {
      if (!this.login.partner && /was lost/.test((error as Error).message) && Date.now() - sentAt < SYNC_REFUSED_MS) {
        if (++this.quickSyncDrops >= 2 && this.warnings.allow('partner')) {
          this.logger.error(
            `Tradovate closes the user-data connection of ${this.label} as soon as it asks for user/syncrequest: a partner (B2B) organization login must sync with splitResponses. Set settings.partner=true on the account if this is one`,
          );
        }
      }
      throw error;
    }
    this.quickSyncDrops = 0;
    this.syncedOnce = true;
    this.loadPart(snapshot ?? {});
  }

  /** The answer to the sync, or a further part of a split one. */
  private loadPart(part: unknown): void {
    if (typeof part !== 'object' || part === null) return;
    this.state.load(part as Record<string, unknown>, (type, problem) => this.malformed(type, problem));
    for (const listener of this.listeners) listener.onSynced?.(this);
  }

  private async accountIds(): Promise<number[]> {
    const list = (await this.call<TvAccount[] | null>('GET', 'account/list')) ?? [];
    for (const a of list) this.state.accounts.set(a.id, a);
    return list.map((a) => a.id);
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
    this.keeper.stop();
    await this.userSocket?.stop();
    this.userSocket = undefined;
  }

  /** A `props` event, whose entity may be an array: applied and handed on one entity at a time. */
  private onEvent(event: SocketEvent): void {
    if (event.e !== 'props') return;
    const d = event.d as Partial<PropsEvent> | null;
    if (!d || typeof d.entityType !== 'string') return;
    const eventType = String(d.eventType ?? 'Updated');
    for (const entity of this.state.apply(d.entityType, eventType, d.entity, (type, problem) => this.malformed(type, problem))) {
      for (const listener of this.listeners) listener.onProps?.(this, { entityType: d.entityType, eventType, entity });
    }
  }

  private malformed(entityType: string, problem: string): void {
    if (this.warnings.allow(`malformed:${entityType}`)) {
      this.logger.warn(`ignored a Tradovate ${entityType.slice(0, 40)} for ${this.label} that cannot be used: ${problem.slice(0, 120)}`);
    }
  }

  private setProblem(problem: string | null): void {
    for (const listener of this.listeners) listener.onProblem?.(this, problem);
  }
}
