import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { CHANNELS, type Channel, type ServerMessage, type ServerMessageMap, type ServerMessageType } from '@tradeloop/contracts';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { WebSocket, WebSocketServer } from 'ws';
import { ExecutionStamps } from '../analytics/execution-stamps.js';
import { AuthService, type Principal } from '../auth/auth.service.js';
import { credentialOf } from '../auth/authentication.hook.js';
import { RateLimiter } from '../common/rate-limiter.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { MarketService, quoteData } from '../market/market.service.js';
import { ClientStream } from './client-stream.js';
import { ClientWatches } from './client-watches.js';

interface Client {
  id: string;
  socket: WebSocket;
  stream: ClientStream;
  principal: Principal;
  alive: boolean;
  /** Tickers its WATCH keeps quoted, as the server spells them, in the order given. */
  watching: string[];
  drainTimer?: NodeJS.Timeout;
}

/** The market's name for what one client keeps quoted (its WATCH and its SUBSCRIBE tickers). */
const ownerOf = (client: Client) => `client:${client.id}`;

type VerifyCallback = (verified: boolean, code?: number, message?: string) => void;
type AuthenticatedRequest = IncomingMessage & { principal?: Principal };

/** How often clients are pinged; one that has not answered the last ping by the next is dropped. */
const PING_INTERVAL_MS = 30_000;
/** Token re-check for open sockets (revocations made by another process). */
const RECHECK_INTERVAL_MS = 60_000;
const DRAIN_POLL_MS = 20;
/** A connection slot taken while the upgrade completes is given back after this long if no socket used it. */
const RESERVATION_MS = 10_000;

/**
 * `/ws`: every bus message to every signed-in client, as `{"type","data"}` envelopes, narrowed by
 * the client's SUBSCRIBE. A client message that is not a valid SUBSCRIBE gets an `ERROR` back.
 * Quotes of a ticker that only `/ws` clients keep quoted go to those clients alone, so one
 * client's WATCH never floods the others; tickers per message, per token and connections per
 * token are limited.
 */
@WebSocketGateway({ path: '/ws', maxPayload: 64 * 1024 })
export class RealtimeGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly clients = new Map<WebSocket, Client>();
  private readonly corked = new Map<Client, { uncork(): void }>();
  /** Clients whose first FILL of the current turn has already left at once (see fillLeaves). */
  private readonly filledThisTurn = new Set<Client>();
  private readonly byId = new Map<string, Client>();
  private readonly watches: ClientWatches;
  /** Connections per token: open sockets and upgrades under way (each reservation with its expiry). */
  private readonly connectionsOf = new Map<string, { open: number; reserved: number[] }>();
  private readonly stops: (() => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly console = new Logger('Realtime');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly bus: EventBus,
    private readonly market: MarketService,
    private readonly stamps: ExecutionStamps,
  ) {
    this.watches = new ClientWatches({ ...config.realtime, graceMs: config.market.unsubscribeAfterSeconds * 1000 });
  }

  afterInit(server: WebSocketServer): void {
    // The upgrade itself is refused without a valid token: 401 before any socket exists.
    (server.options as { verifyClient?: unknown }).verifyClient = (
      info: { origin: string; req: AuthenticatedRequest },
      done: VerifyCallback,
    ) => {
      void this.verify(info.req, info.origin).then(
        (result) => done(result === true, result === true ? undefined : result.code, result === true ? undefined : result.message),
        () => done(false, 500, 'authentication failed'),
      );
    };
    this.stops.push(this.bus.subscribe((message) => this.broadcast(message)));
    this.stops.push(
      this.auth.onRevoked((tokenId) => {
        for (const client of this.clients.values()) if (client.principal.tokenId === tokenId) client.socket.close(4401, 'session ended');
      }),
    );
    this.timers.push(
      setInterval(() => this.ping(), PING_INTERVAL_MS).unref(),
      setInterval(() => void this.recheck(), RECHECK_INTERVAL_MS).unref(),
    );
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
    this.timers.forEach((timer) => clearInterval(timer));
    for (const client of this.clients.values()) {
      clearInterval(client.drainTimer);
      client.socket.close(1001, 'server shutting down');
    }
  }

  handleConnection(socket: WebSocket, request: AuthenticatedRequest): void {
    const client: Client = {
      id: randomUUID(),
      socket,
      principal: request.principal!,
      alive: true,
      watching: [],
      stream: new ClientStream(socket, this.config.realtime, () => this.giveUp(client)),
    };
    this.clients.set(socket, client);
    this.byId.set(client.id, client);
    this.claimConnection(client.principal.tokenId);
    this.sendWatchlist(client);
    const limiter = new RateLimiter(20, 1000);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!limiter.take('messages').allowed) return this.send(client, 'ERROR', { message: 'too many messages: at most 20 a second' });
      this.receive(client, isBinary ? null : data.toString('utf8'));
    });
  }

  handleDisconnect(socket: WebSocket): void {
    const client = this.clients.get(socket);
    if (!client) return;
    this.clients.delete(socket);
    this.byId.delete(client.id);
    clearInterval(client.drainTimer);
    this.releaseConnection(client.principal.tokenId);
    const removed = this.watches.drop(client.id);
    if (removed.length) this.market.release(ownerOf(client), removed);
  }

  /** Distinct tickers kept quoted by clients of this process (health, tests). */
  get clientTickers(): number {
    return this.watches.tickers;
  }

  /** How many clients are connected (health, tests). */
  get connections(): number {
    return this.clients.size;
  }

  /** Messages waiting per client because its socket is backed up. */
  backlogs(): number[] {
    return [...this.clients.values()].map((c) => c.stream.backlog);
  }

  /** A client that cannot keep up even with conflation: dropped (a close frame could not get through its full buffer). */
  private giveUp(client: Client): void {
    this.console.warn(`dropping a /ws client of ${client.principal.username}: ${this.config.realtime.maxQueuedMessages} messages waiting`);
    client.socket.terminate();
    this.handleDisconnect(client.socket);
  }

  private async verify(request: AuthenticatedRequest, origin: string | undefined): Promise<true | { code: number; message: string }> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const { token, fromCookie } = fromQuery ? { token: fromQuery, fromCookie: false } : credentialOf(request.headers);
    const principal = await this.auth.authenticate(token);
    if (!principal) return { code: 401, message: 'authentication required' };
    // Taken now, synchronously after the await: a burst of upgrades with one token cannot all pass.
    if (!this.reserveConnection(principal.tokenId)) {
      return { code: 429, message: `too many connections for this token: at most ${this.config.realtime.maxConnectionsPerToken}` };
    }
    // The cookie goes along with any page's WebSocket: only our own pages may use it.
    if (fromCookie && origin) {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      if (host !== request.headers.host) {
        this.releaseReservation(principal.tokenId);
        return { code: 403, message: 'cross-site connection refused' };
      }
    }
    request.principal = principal;
    return true;
  }

  private broadcast(message: ServerMessage): void {
    if (this.clients.size === 0) return;
    // Serialized once, and only when a client wants it: an alert publishes about nine messages, and
    // a client that subscribed to fills alone (an execution tool) wants one of them.
    let text: string | undefined;
    // A ticker only clients keep quoted: its quotes go to them, not to everyone.
    const only = message.type === 'DATA' && !this.market.ofGeneralInterest(message.data.ticker);
    const recipients = only ? this.keepers(message.data.ticker) : this.clients.values();
    for (const client of recipients) {
      if (!client.stream.wants(message)) continue;
      text ??= JSON.stringify(message);
      this.cork(client);
      client.stream.offer(message, text);
      if (message.type === 'FILL') this.fillLeaves(client);
      if (client.stream.backlog > 0) this.startDraining(client);
    }
    if (message.type === 'FILL') this.stamps.fillPushed(message.data.orderId);
  }

  /**
   * One alert sends a client several messages in a row (order states, fill, position, P&L, log
   * lines): its socket is corked until the current turn's callbacks are done, so they leave in one
   * write rather than a system call each.
   */
  private cork(client: Client): void {
    if (this.corked.has(client)) return;
    // `ws` keeps its net.Socket here; without one (closing) there is nothing to batch.
    const socket = (client.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    socket.cork();
    this.corked.set(client, socket);
    if (this.corked.size === 1) process.nextTick(this.uncorkAll);
  }

  /**
   * A fill is what an execution tool waits on: the first one a client gets in a turn leaves at once,
   * with what was corked before it, not after the rest of the alert's bookkeeping (positions,
   * trades, orders). The fills after it in the same turn — one group commit books many: about 28 a
   * turn under a flood here — leave with the rest at the turn's end, in one write, not one each.
   */
  private fillLeaves(client: Client): void {
    if (this.filledThisTurn.has(client)) return;
    this.filledThisTurn.add(client);
    if (this.filledThisTurn.size === 1) process.nextTick(this.turnEnded);
    this.uncork(client);
  }

  private readonly turnEnded = (): void => this.filledThisTurn.clear();

  private uncork(client: Client): void {
    const socket = this.corked.get(client);
    if (!socket) return;
    this.corked.delete(client);
    socket.uncork();
  }

  private readonly uncorkAll = (): void => {
    for (const socket of this.corked.values()) socket.uncork();
    this.corked.clear();
  };

  private *keepers(ticker: string): Iterable<Client> {
    for (const id of this.watches.keeping(ticker) ?? []) {
      const client = this.byId.get(id);
      if (client) yield client;
    }
  }

  private startDraining(client: Client): void {
    if (client.drainTimer) return;
    client.drainTimer = setInterval(() => {
      if (client.stream.drain()) {
        clearInterval(client.drainTimer);
        client.drainTimer = undefined;
      }
    }, DRAIN_POLL_MS);
    client.drainTimer.unref();
  }

  private receive(client: Client, text: string | null): void {
    let parsed: unknown;
    try {
      if (text === null) throw new Error('binary frames are not understood');
      parsed = JSON.parse(text);
    } catch (error) {
      return this.send(client, 'ERROR', { message: `message is not valid JSON: ${(error as Error).message}` });
    }
    const message = parsed as { type?: unknown; channels?: unknown; tickers?: unknown };
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return this.send(client, 'ERROR', { message: 'message must be a JSON object like {"type":"SUBSCRIBE","channels":["DATA"]}' });
    }
    if (message.type !== 'SUBSCRIBE' && message.type !== 'WATCH') {
      return this.send(client, 'ERROR', {
        message: `unknown message type ${JSON.stringify(message.type)}: send "SUBSCRIBE" (narrow the stream) or "WATCH" (keep tickers quoted)`,
      });
    }
    const problem =
      message.type === 'WATCH' ? this.watch(client, message.tickers) : this.subscribe(client, message.channels, message.tickers);
    if (problem) this.send(client, 'ERROR', { message: problem });
  }

  /** Applies a SUBSCRIBE; returns what is wrong with it, if anything (then nothing changes). */
  private subscribe(client: Client, channels: unknown, tickers: unknown): string | undefined {
    if (channels !== undefined && channels !== null) {
      if (!Array.isArray(channels)) return `channels must be a list like ["DATA","PNL"], got ${JSON.stringify(channels)}`;
      const unknown = channels.filter((c) => !CHANNELS.includes(c as Channel));
      if (unknown.length)
        return `channels: unknown ${unknown.map((c) => JSON.stringify(c)).join(', ')}; choose from ${CHANNELS.join(', ')}`;
    }
    let canonical: string[] | null = null;
    if (tickers !== undefined && tickers !== null) {
      const parsed = this.canonicalTickers(tickers);
      if (typeof parsed === 'string') return parsed;
      canonical = parsed;
    }
    const problem = this.watches.problem(client.id, client.principal.tokenId, 'subscribe', canonical ?? []);
    if (problem) return problem;
    client.stream.channels = Array.isArray(channels) ? new Set(channels as Channel[]) : null;
    client.stream.tickers = canonical ? new Set(canonical) : null;
    this.sendSubscribed(client);
    // Named tickers stay quoted while this client watches them; it gets their latest quotes right away.
    this.keepQuoted(client, 'subscribe', canonical ?? []);
    return undefined;
  }

  /** Applies a WATCH: the tickers stay quoted for this client; what it receives is not narrowed. */
  private watch(client: Client, tickers: unknown): string | undefined {
    const canonical = this.canonicalTickers(tickers);
    if (typeof canonical === 'string') return canonical;
    const problem = this.watches.problem(client.id, client.principal.tokenId, 'watch', canonical);
    if (problem) return problem;
    client.watching = canonical;
    this.sendSubscribed(client);
    this.keepQuoted(client, 'watch', canonical);
    return undefined;
  }

  private canonicalTickers(tickers: unknown): string[] | string {
    if (!Array.isArray(tickers) || tickers.some((t) => typeof t !== 'string'))
      return `tickers must be a list of symbols like ["NQ1!"], got ${JSON.stringify(tickers)?.slice(0, 200)}`;
    // Checked before each is read: a list of 100,000 names costs no more than one too many.
    const max = this.config.realtime.maxTickersPerWatch;
    if (tickers.length > max) return `tickers: at most ${max} in one message, got ${tickers.length}`;
    try {
      return [...new Set(tickers.map((t: string) => this.market.resolve(t).ticker))];
    } catch (error) {
      return `tickers: ${(error as Error).message}`;
    }
  }

  private sendSubscribed(client: Client): void {
    const { channels, tickers } = client.stream;
    this.send(client, 'SUBSCRIBED', { channels: channels && [...channels], tickers: tickers && [...tickers], watching: client.watching });
  }

  /** Sets what the client keeps quoted, telling the market only what changed; sends the named tickers' latest quotes. */
  private keepQuoted(client: Client, kind: 'watch' | 'subscribe', tickers: string[]): void {
    const { added, removed } = this.watches.set(client.id, client.principal.tokenId, kind, tickers);
    if (removed.length) this.market.release(ownerOf(client), removed);
    if (added.length) void this.market.watch(ownerOf(client), added, { client: true });
    for (const ticker of tickers) {
      const quote = this.market.latest(ticker);
      if (quote) this.send(client, 'DATA', quoteData(quote, this.market.instrument(ticker)));
    }
  }

  /** A new client gets the watchlist's latest quotes at once, before any SUBSCRIBE. */
  private sendWatchlist(client: Client): void {
    for (const ticker of this.market.watchlist()) {
      const quote = this.market.latest(ticker);
      if (quote) this.send(client, 'DATA', quoteData(quote, this.market.instrument(ticker)));
    }
  }

  private reserveConnection(token: string): boolean {
    const now = Date.now();
    const count = this.connectionsOf.get(token) ?? { open: 0, reserved: [] };
    count.reserved = count.reserved.filter((expiry) => expiry > now);
    if (count.open + count.reserved.length >= this.config.realtime.maxConnectionsPerToken) return false;
    count.reserved.push(now + RESERVATION_MS);
    this.connectionsOf.set(token, count);
    return true;
  }

  private releaseReservation(token: string): void {
    const count = this.connectionsOf.get(token);
    count?.reserved.shift();
    if (count && count.open === 0 && count.reserved.length === 0) this.connectionsOf.delete(token);
  }

  private claimConnection(token: string): void {
    const count = this.connectionsOf.get(token) ?? { open: 0, reserved: [] };
    count.reserved.shift();
    count.open++;
    this.connectionsOf.set(token, count);
  }

  private releaseConnection(token: string): void {
    const count = this.connectionsOf.get(token);
    if (!count) return;
    count.open = Math.max(0, count.open - 1);
    if (count.open === 0 && count.reserved.length === 0) this.connectionsOf.delete(token);
  }

  private send<K extends ServerMessageType>(client: Client, type: K, data: ServerMessageMap[K]): void {
    const message = { type, data } as ServerMessage;
    client.stream.offer(message, JSON.stringify(message));
    if (client.stream.backlog > 0) this.startDraining(client);
  }

  private ping(): void {
    for (const client of this.clients.values()) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  private async recheck(): Promise<void> {
    for (const client of [...this.clients.values()]) {
      const { principal } = client;
      const still = await this.auth.stillValid(principal.tokenId).catch(() => true);
      if (!still) client.socket.close(4401, 'session ended');
    }
  }
}
