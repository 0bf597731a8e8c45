import type { BrokerAccount, DataFeedContext, PluginLogger } from '@tradeloop/contracts';
import { alpacaSymbol } from './orders.js';
import { ENDPOINTS, loginOf, type AlpacaLogin, type AlpacaSettings } from './settings.js';
import { ReconnectingSocket } from './socket.js';

interface DataMessage {
  T?: string;
  S?: string;
  bp?: number;
  ap?: number;
  t?: string;
  msg?: string;
  code?: number;
}

/**
 * Quotes from Alpaca's market-data stream (`/v2/iex` or `/v2/sip`) with one account's keys: auth,
 * then `subscribe` with the quoted symbols, again after every reconnect.
 */
export class AlpacaFeed {
  private socket: ReconnectingSocket | null = null;
  private login: AlpacaLogin | null = null;
  private readonly tickers = new Set<string>();
  private authenticated = false;
  private unsubscribeAccounts: (() => void) | null = null;

  constructor(
    private readonly ctx: DataFeedContext,
    private readonly settings: AlpacaSettings,
    private readonly accounts: () => Promise<BrokerAccount[]>,
    private readonly onAccountsChanged: (listener: () => void) => () => void,
    private readonly logger: PluginLogger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribeAccounts = this.onAccountsChanged(() => void this.connect());
    await this.connect();
  }

  async stop(): Promise<void> {
    this.unsubscribeAccounts?.();
    await this.socket?.stop();
    this.socket = null;
  }

  secret(): string | undefined {
    return this.login?.secretKey;
  }

  /** Stock symbols, once an account's keys can open the stream; futures and idle: no. */
  supports(ticker: string): boolean {
    if (!this.login || !alpacaSymbol(ticker)) return false;
    try {
      return this.ctx.instrument(ticker).kind === 'equity';
    } catch {
      return false;
    }
  }

  async subscribe(tickers: string[]): Promise<void> {
    const fresh = tickers.map((t) => alpacaSymbol(t)).filter((s): s is string => !!s && !this.tickers.has(s));
    for (const symbol of fresh) this.tickers.add(symbol);
    if (fresh.length && this.authenticated) this.socket?.send({ action: 'subscribe', quotes: fresh });
  }

  async unsubscribe(tickers: string[]): Promise<void> {
    const gone = tickers.map((t) => alpacaSymbol(t)).filter((s): s is string => !!s && this.tickers.delete(s));
    if (gone.length && this.authenticated) this.socket?.send({ action: 'unsubscribe', quotes: gone });
  }

  /** (Re)opens the stream with the chosen account's keys; idle without one. */
  private async connect(): Promise<void> {
    const accounts = await this.accounts().catch(() => [] as BrokerAccount[]);
    const chosen = accounts.find((a) => a.brokerAccountId === this.settings.marketDataAccount) ?? accounts[0];
    const login = chosen ? loginOf(chosen, this.settings) : 'idle: no Alpaca account is configured';
    if (typeof login !== 'string' && this.login && JSON.stringify(login) === JSON.stringify(this.login) && this.socket) return;
    await this.socket?.stop();
    this.socket = null;
    this.authenticated = false;
    if (typeof login === 'string') {
      this.login = null;
      this.ctx.reportStatus({ connected: false, error: login });
      return;
    }
    this.login = login;
    const url = `${this.settings.dataUrl || ENDPOINTS.dataUrl}/${this.settings.dataFeed}`;
    const socket = new ReconnectingSocket(
      url,
      {
        open: () => undefined, // Alpaca greets first: [{"T":"success","msg":"connected"}]
        message: (message, send) => {
          for (const m of (Array.isArray(message) ? message : [message]) as DataMessage[]) this.onMessage(m, send, socket);
        },
        closed: (reason) => {
          this.authenticated = false;
          this.ctx.reportStatus({ connected: false, error: `Alpaca market data: ${reason}`, reconnects: socket.reconnects });
        },
      },
      { minMs: this.settings.reconnectMinMs, maxMs: this.settings.reconnectMaxMs },
    );
    this.socket = socket;
    socket.start();
  }

  private onMessage(m: DataMessage, send: (message: unknown) => void, socket: ReconnectingSocket): void {
    if (m.T === 'q' && typeof m.S === 'string') {
      if (!(typeof m.bp === 'number' && m.bp > 0 && typeof m.ap === 'number' && m.ap > 0)) return;
      const time = typeof m.t === 'string' ? Date.parse(m.t) : Date.now();
      this.ctx.publish({ ticker: m.S, bid: m.bp, ask: m.ap, time: Number.isFinite(time) ? time : Date.now() });
    } else if (m.T === 'success' && m.msg === 'connected') {
      send({ action: 'auth', key: this.login!.keyId, secret: this.login!.secretKey });
    } else if (m.T === 'success' && m.msg === 'authenticated') {
      this.authenticated = true;
      socket.healthy();
      this.ctx.reportStatus({ connected: true, error: null, reconnects: socket.reconnects });
      if (this.tickers.size) send({ action: 'subscribe', quotes: [...this.tickers] });
    } else if (m.T === 'error') {
      const words = `Alpaca market data refused: ${String(m.msg ?? 'error').slice(0, 200)}${m.code ? ` (${m.code})` : ''}`;
      this.logger.warn(words);
      this.ctx.reportStatus({ connected: false, error: words, reconnects: socket.reconnects });
    }
  }
}
