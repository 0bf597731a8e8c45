import type { DataFeedContext, DataFeedPlugin } from '@tradeloop/contracts';
import WebSocket from 'ws';

export interface WsDataFeedSettings {
  /** ws:// or wss:// address; empty leaves the feed idle. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` (another Tradeloop wants an API token with read scope). */
  token: string;
  /** Tickers this feed quotes; empty: whatever is asked for. */
  tickers: string[];
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** A ping goes out this often; no pong by the next one and the connection is dropped and remade. */
  heartbeatSeconds: number;
}

const positive = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;

/** Reads the plugin settings; a wrong type falls back to the default with a warning. */
export function readSettings(config: Record<string, unknown>, warn: (message: string) => void = () => undefined): WsDataFeedSettings {
  const url = typeof config.url === 'string' ? config.url.trim() : '';
  if (url && !/^wss?:\/\//.test(url)) warn(`url must start with ws:// or wss://, got ${JSON.stringify(config.url)}: staying idle`);
  const tickers = Array.isArray(config.tickers) ? config.tickers.filter((t): t is string => typeof t === 'string') : [];
  return {
    url: /^wss?:\/\//.test(url) ? url : '',
    token: typeof config.token === 'string' ? config.token : '',
    tickers,
    reconnectMinMs: positive(config.reconnectMinMs, 500),
    reconnectMaxMs: positive(config.reconnectMaxMs, 30_000),
    heartbeatSeconds: positive(config.heartbeatSeconds, 30),
  };
}

interface DataMessage {
  type: 'DATA';
  data: { ticker: string; prices: { ask: number; bid: number } };
}

const isData = (value: unknown): value is DataMessage => {
  const message = value as Partial<DataMessage> | null;
  const prices = message?.data?.prices;
  return (
    message?.type === 'DATA' &&
    typeof message.data?.ticker === 'string' &&
    typeof prices?.bid === 'number' &&
    typeof prices.ask === 'number' &&
    Number.isFinite(prices.bid) &&
    Number.isFinite(prices.ask)
  );
};

/**
 * A client of any `/ws`-style DATA stream. It asks for the tickers it needs with SUBSCRIBE (a
 * source that ignores it still works: unrequested tickers are dropped), reconnects with
 * exponential backoff and jitter, resubscribes after every reconnect, and reports each change.
 */
export class WsDataFeed implements DataFeedPlugin {
  private readonly settings: WsDataFeedSettings;
  private readonly wanted = new Set<string>();
  private socket?: WebSocket;
  private stopped = false;
  private attempts = 0;
  private reconnects = 0;
  private everConnected = false;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private awaitingPong = false;

  constructor(private readonly ctx: DataFeedContext) {
    this.settings = readSettings(ctx.config, (message) => ctx.logger.warn(message));
  }

  async start(): Promise<void> {
    if (!this.settings.url) {
      this.ctx.reportStatus({ connected: false, error: 'idle: no url configured' });
      return;
    }
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket?.terminate();
    this.socket = undefined;
  }

  supports(ticker: string): boolean {
    return this.settings.url !== '' && (this.settings.tickers.length === 0 || this.settings.tickers.includes(ticker));
  }

  async subscribe(tickers: string[]): Promise<void> {
    tickers.forEach((t) => this.wanted.add(t));
    this.sendSubscription();
  }

  async unsubscribe(tickers: string[]): Promise<void> {
    tickers.forEach((t) => this.wanted.delete(t));
    this.sendSubscription();
  }

  private connect(): void {
    if (this.stopped) return;
    const headers: Record<string, string> = this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {};
    const socket = new WebSocket(this.settings.url, { headers, handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      this.attempts = 0;
      if (this.everConnected) this.reconnects++;
      this.everConnected = true;
      this.ctx.logger.info(`connected to ${this.settings.url}${this.reconnects ? ` (reconnect ${this.reconnects})` : ''}`);
      this.ctx.reportStatus({ connected: true, error: null, reconnects: this.reconnects });
      this.sendSubscription();
      this.startHeartbeat(socket);
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    socket.on('pong', () => (this.awaitingPong = false));
    socket.on('unexpected-response', (_request, response) => {
      this.lost(socket, `refused with HTTP ${response.statusCode}${response.statusCode === 401 ? ' (check the token)' : ''}`);
      socket.terminate();
    });
    socket.on('error', (error) => this.lost(socket, error.message));
    socket.on('close', (code, reason) => this.lost(socket, `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (isData(message)) {
      const { ticker, prices } = message.data;
      if (this.wanted.has(ticker)) this.ctx.publish({ ticker, bid: prices.bid, ask: prices.ask, time: Date.now() });
    } else if ((message as { type?: unknown })?.type === 'ERROR') {
      this.ctx.logger.warn(`source says: ${JSON.stringify((message as { data?: unknown }).data)}`);
    }
  }

  private sendSubscription(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify({ type: 'SUBSCRIBE', channels: ['DATA'], tickers: [...this.wanted] }));
  }

  private startHeartbeat(socket: WebSocket): void {
    clearInterval(this.heartbeat);
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong) {
        socket.terminate(); // no answer to the last ping: the connection is dead even if TCP has not noticed
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.settings.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  /** One report and one reconnect per lost socket, however many events its end fires. */
  private lost(socket: WebSocket, reason: string): void {
    if (this.socket !== socket || this.stopped) return;
    this.socket = undefined;
    clearInterval(this.heartbeat);
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    const delay = Math.min(this.settings.reconnectMaxMs, this.settings.reconnectMinMs * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    this.ctx.logger.warn(`${this.settings.url}: ${reason}; reconnecting in ${Math.round(delay)} ms`);
    this.ctx.reportStatus({ connected: false, error: reason, reconnects: this.reconnects });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
