import type { PluginLogger } from '@tradeloop/contracts';
import WebSocket from 'ws';
import { isPenalty, TradovateError } from './rest.js';

/** A server-pushed event inside an `a[...]` frame: `{"e":"props","d":{...}}` or `{"e":"md","d":{...}}`. */
export interface SocketEvent {
  e: string;
  d: unknown;
}

/** A response inside an `a[...]` frame: `{"s":200,"i":<request id>,"d":...}`. */
interface SocketResponse {
  s: number;
  i: number;
  d?: unknown;
}

/** `{"e":"shutdown","d":{"reasonCode":"Maintenance"|"ConnectionQuotaReached"|"IPQuotaReached","reason"?}}`: the server is about to close the connection. */
export interface ShutdownNotice {
  reasonCode: string;
  reason?: string;
}

/** How long to stay away after a shutdown, and what to tell the trader. */
export interface ShutdownPlan {
  waitMs: number;
  message: string;
}

export interface SocketStatus {
  connected: boolean;
  error: string | null;
  reconnects: number;
}

export interface SocketOptions {
  /** For logs: "user data" or "market data". */
  name: string;
  url: () => string;
  /** The token sent in `authorize`; may log in first. A throw is reported and retried later. */
  token: () => Promise<string>;
  /** Runs after every successful authorize (first connect and each reconnect): subscribe here. */
  onReady: (socket: TradovateSocket) => Promise<void>;
  onEvent: (event: SocketEvent) => void;
  onStatus?: (status: SocketStatus) => void;
  /** The server refused this token in `authorize`. */
  onUnauthorized?: (token: string) => void;
  /** The server announced a shutdown: how long to wait before connecting again. */
  onShutdown?: (notice: ShutdownNotice) => ShutdownPlan;
  /** The server answered a request with 429: the login's requests are to pause. */
  onRateLimited?: (endpoint: string) => void;
  /** Epoch ms before which nothing may be sent (a rate-limit pause of the login), 0 when none. */
  pausedUntil?: () => { until: number; reason: string } | null;
  logger: PluginLogger;
  heartbeatMs: number;
  requestTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

interface Pending {
  endpoint: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One of Tradovate's WebSockets, SockJS-style framing: the server opens with `o`, sends `h`
 * heartbeats and `a[...]` data frames and closes with `c[code,"reason"]`; the client authorizes
 * with `authorize\n0\n\n<token>`, sends requests as `<endpoint>\n<id>\n<query>\n<body>` and a `[]`
 * heartbeat every 2.5 s. It reconnects with exponential backoff and jitter and calls `onReady`
 * after every authorize, so subscriptions come back after a drop.
 */
export class TradovateSocket {
  private socket?: WebSocket;
  private running = false;
  private authorized = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private attempts = 0;
  private reconnects = 0;
  private everReady = false;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lastFrameAt = 0;
  /** Requests whose answer comes in several parts (a partner's split sync): later parts go here. */
  private readonly followers = new Map<number, (d: unknown) => void>();
  /** The last shutdown the server announced on the current connection. */
  private shutdown?: ShutdownPlan;

  constructor(private readonly options: SocketOptions) {}

  get ready(): boolean {
    return this.authorized && this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket) this.drop(socket, 'stopped', false);
  }

  /** Drops the connection now (the next one follows the backoff), e.g. after credentials changed. */
  restart(reason: string): void {
    if (this.socket) this.lost(this.socket, reason);
  }

  /**
   * Sends a request on the authorized socket; answers a penalty ticket like the REST client does.
   * `more` receives any further answers to the same request (a split answer), until the socket drops.
   */
  async request<T>(endpoint: string, body?: Record<string, unknown>, query = '', more?: (d: unknown) => void): Promise<T> {
    let payload = body;
    for (let penalties = 0; ; penalties++) {
      const answer = await this.send(endpoint, payload, query, more);
      if (!isPenalty(answer)) return answer as T;
      if (answer['p-captcha'] || penalties >= 5) {
        throw new TradovateError('captcha', `Tradovate answered ${endpoint} with a captcha or repeated penalty tickets; not retrying`);
      }
      const seconds = Math.max(0, Number(answer['p-time'] ?? 0));
      this.options.logger.warn(`Tradovate asked to wait ${seconds} s before ${endpoint} again (penalty ticket); waiting`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      payload = { ...(body ?? {}), 'p-ticket': answer['p-ticket'] };
    }
  }

  private send(endpoint: string, body: Record<string, unknown> | undefined, query: string, more?: (d: unknown) => void): Promise<unknown> {
    const socket = this.socket;
    if (!socket || !this.ready) return Promise.reject(new Error(`the ${this.options.name} connection to Tradovate is not open`));
    const paused = this.options.pausedUntil?.();
    if (paused)
      return Promise.reject(
        new TradovateError('rate-limit', `${paused.reason}: nothing is sent to Tradovate until ${clock(paused.until)}`, paused.until),
      );
    const id = this.nextId++;
    if (more) this.followers.set(id, more);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TradovateError('timeout', `Tradovate did not answer ${endpoint} within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { endpoint, resolve, reject, timer });
      socket.send(`${endpoint}\n${id}\n${query}\n${body === undefined ? '' : JSON.stringify(body)}`);
    });
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const paused = this.options.pausedUntil?.();
    if (paused) {
      this.scheduleReconnect(`${paused.reason}: not connecting before ${clock(paused.until)}`, paused.until - Date.now());
      return;
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url(), { handshakeTimeout: this.options.requestTimeoutMs });
    } catch (error) {
      this.scheduleReconnect(`cannot open ${this.options.url()}: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    this.authorized = false;
    this.shutdown = undefined;
    this.nextId = 1;
    this.lastFrameAt = Date.now();
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(socket, data.toString());
    });
    socket.on('unexpected-response', (_request, response) => {
      this.lost(socket, `refused with HTTP ${response.statusCode}`);
    });
    socket.on('error', (error) => this.lost(socket, error.message));
    socket.on('close', (code, reason) => this.lost(socket, `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
  }

  private receive(socket: WebSocket, frame: string): void {
    if (socket !== this.socket) return;
    this.lastFrameAt = Date.now();
    const type = frame.charAt(0);
    switch (type) {
      case 'o':
        void this.authorize(socket);
        return;
      case 'h':
        return;
      case 'c': {
        this.lost(socket, `Tradovate closed the connection: ${frame.slice(1) || 'no reason given'}`);
        return;
      }
      case 'a': {
        let items: unknown;
        try {
          items = JSON.parse(frame.slice(1));
        } catch {
          this.options.logger.warn(`${this.options.name}: ignored a frame that is not JSON`);
          return;
        }
        if (!Array.isArray(items)) return;
        for (const item of items) this.dispatch(item);
        return;
      }
      default:
        return;
    }
  }

  private dispatch(item: unknown): void {
    const message = item as Partial<SocketResponse & SocketEvent> | null;
    if (!message || typeof message !== 'object') return;
    if (message.e === 'shutdown') {
      this.onShutdown(message.d);
      return;
    }
    if (typeof message.e === 'string') {
      try {
        this.options.onEvent({ e: message.e, d: message.d });
      } catch (error) {
        this.options.logger.error(`${this.options.name}: handling a "${message.e}" event failed: ${(error as Error).message}`);
      }
      return;
    }
    if (typeof message.i !== 'number' || typeof message.s !== 'number') return;
    const pending = this.pending.get(message.i);
    if (!pending) {
      if (message.s === 200) this.followers.get(message.i)?.(message.d);
      return;
    }
    this.pending.delete(message.i);
    clearTimeout(pending.timer);
    if (message.s === 200) pending.resolve(message.d);
    else if (message.s === 429) {
      // The documented WebSocket form of the rate limit: the whole login waits, not just this request.
      this.options.onRateLimited?.(pending.endpoint);
      pending.reject(new TradovateError('rate-limit', `Tradovate's rate limit answered ${pending.endpoint} with 429`));
    } else if (message.s === 401) pending.reject(new TradovateError('unauthorized', `Tradovate answered ${pending.endpoint} with 401`));
    else pending.reject(new TradovateError('http', `Tradovate answered ${pending.endpoint} with ${message.s}${describe(message.d)}`));
  }

  private async authorize(socket: WebSocket): Promise<void> {
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      this.lost(socket, (error as Error).message);
      return;
    }
    if (socket !== this.socket) return;
    const answer = new Promise<SocketResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to authorize')), this.options.requestTimeoutMs);
      this.pending.set(0, {
        endpoint: 'authorize',
        resolve: () => {
          clearTimeout(timer);
          resolve({ s: 200, i: 0 });
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
        timer,
      });
    });
    socket.send(`authorize\n0\n\n${token}`);
    try {
      await answer;
    } catch (error) {
      if ((error as TradovateError).kind === 'unauthorized') this.options.onUnauthorized?.(token);
      this.lost(socket, `authorize failed: ${(error as Error).message}`);
      return;
    }
    if (socket !== this.socket) return;
    this.authorized = true;
    this.startHeartbeat(socket);
    try {
      await this.options.onReady(this);
    } catch (error) {
      this.lost(socket, `setting up the ${this.options.name} subscription failed: ${(error as Error).message}`);
      return;
    }
    if (socket !== this.socket) return;
    this.attempts = 0;
    if (this.everReady) this.reconnects++;
    this.everReady = true;
    this.options.logger.info(`${this.options.name} connected${this.reconnects ? ` (reconnect ${this.reconnects})` : ''}`);
    this.options.onStatus?.({ connected: true, error: null, reconnects: this.reconnects });
  }

  private startHeartbeat(socket: WebSocket): void {
    clearInterval(this.heartbeat);
    // Tradovate drops a client that stays silent; and a server that sends nothing (not even `h`) for
    // four heartbeats is gone even if TCP has not noticed.
    this.heartbeat = setInterval(
      () => {
        if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
        if (Date.now() - this.lastFrameAt > Math.max(4 * this.options.heartbeatMs, 1000)) {
          this.lost(socket, `no frame from Tradovate for ${Date.now() - this.lastFrameAt} ms`);
          return;
        }
        socket.send('[]');
      },
      Math.max(50, this.options.heartbeatMs),
    );
    this.heartbeat.unref();
  }

  /** The server will close this connection: remember how long to stay away, so the reconnect is not blind. */
  private onShutdown(d: unknown): void {
    const notice = (typeof d === 'string' ? safeJson(d) : d) as Partial<ShutdownNotice> | null;
    const reasonCode = typeof notice?.reasonCode === 'string' ? notice.reasonCode.slice(0, 64) : 'unknown';
    const reason = typeof notice?.reason === 'string' ? notice.reason.slice(0, 300) : undefined;
    this.shutdown = this.options.onShutdown?.({ reasonCode, ...(reason ? { reason } : {}) }) ?? {
      waitMs: this.options.reconnectMaxMs,
      message: `Tradovate is closing the ${this.options.name} connection (${reasonCode})`,
    };
    this.options.onStatus?.({ connected: this.ready, error: this.shutdown.message, reconnects: this.reconnects });
  }

  /** One report and one reconnect per lost socket, however many events its end fires. */
  private lost(socket: WebSocket, reason: string): void {
    if (socket !== this.socket) return;
    const shutdown = this.shutdown;
    this.drop(socket, shutdown ? shutdown.message : reason, true);
    if (!this.running) return;
    if (shutdown) this.scheduleReconnect(shutdown.message, shutdown.waitMs);
    else this.scheduleReconnect(reason);
  }

  private drop(socket: WebSocket, reason: string, report: boolean): void {
    this.socket = undefined;
    this.authorized = false;
    clearInterval(this.heartbeat);
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    socket.terminate();
    this.followers.clear();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`the ${this.options.name} connection to Tradovate was lost (${reason})`));
      this.pending.delete(id);
    }
    if (report) this.options.onStatus?.({ connected: false, error: reason, reconnects: this.reconnects });
  }

  /** Backoff with jitter; `waitMs` when the server (a shutdown, a rate limit) said how long to stay away. */
  private scheduleReconnect(reason: string, waitMs?: number): void {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const delay =
      waitMs !== undefined
        ? Math.max(0, waitMs)
        : Math.min(reconnectMaxMs, reconnectMinMs * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    this.options.logger.warn(
      `${this.options.name}: ${reason}; reconnecting ${waitMs !== undefined ? `at ${clock(Date.now() + delay)}` : `in ${Math.round(delay)} ms`}`,
    );
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function describe(d: unknown): string {
  if (d == null || d === '') return '';
  const text = typeof d === 'string' ? d : JSON.stringify(d);
  return `: ${text.slice(0, 200)}`;
}
