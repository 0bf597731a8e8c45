import type { BrokerAccount, DataFeedContext, DataFeedPlugin, FeedStatusReport, PluginLogger } from '@tradeloop/contracts';
import { onGrid } from '@tradeloop/domain';
import { frontMonth, isSupportedRoot } from './contracts.js';
import type { SessionPool } from './pool.js';
import type { Session } from './session.js';
import type { TradovateSettings } from './settings.js';
import { TradovateSocket, type SocketEvent } from './socket.js';

/** One quote of an `md` event: `{contractId, timestamp, entries: {Bid: {price, size}, Offer: {price, size}, ...}}`. */
interface MdQuote {
  contractId?: number;
  timestamp?: string;
  entries?: Record<string, { price?: number; size?: number } | undefined>;
}

interface Subscription {
  /** Canonical ticker (`NQ1!`). */
  ticker: string;
  /** Tradovate contract (`NQZ6`). */
  symbol: string;
  contractId?: number;
  bid?: number;
  ask?: number;
}

/** How often the feed checks whether a subscribed ticker rolled to the next contract. */
const ROLL_CHECK_MS = 10 * 60_000;

/**
 * Tradovate's market-data WebSocket as a data feed: `md/subscribeQuote` per front-month contract,
 * `md` events mapped to the quote cache under the continuous ticker, prices on the instrument's
 * tick grid. It logs in with the first Tradovate account (or `marketDataAccount`), sharing the
 * broker's session, and stays idle, saying why, until there is one.
 */
export class TradovateFeed implements DataFeedPlugin {
  /** Canonical ticker → subscription. */
  private readonly wanted = new Map<string, Subscription>();
  private socket?: TradovateSocket;
  private session?: Session;
  private active = false;
  private stopped = false;
  private rollTimer?: NodeJS.Timeout;
  private unsubscribeAccounts?: () => void;
  private lastStatus = '';

  constructor(
    private readonly ctx: DataFeedContext,
    private readonly settings: TradovateSettings,
    private readonly pool: SessionPool,
    private readonly accounts: () => Promise<BrokerAccount[]>,
    private readonly onAccountsChanged: (listener: () => void) => () => void,
    private readonly logger: PluginLogger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribeAccounts = this.onAccountsChanged(() => void this.choose());
    this.rollTimer = setInterval(() => void this.checkRoll(), ROLL_CHECK_MS);
    this.rollTimer.unref();
    await this.choose();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeAccounts?.();
    clearInterval(this.rollTimer);
    await this.socket?.stop();
    this.socket = undefined;
  }

  supports(ticker: string): boolean {
    if (!this.active) return false;
    const instrument = this.ctx.instrument(ticker);
    return instrument.kind === 'future' && isSupportedRoot(instrument.root);
  }

  async subscribe(tickers: string[]): Promise<void> {
    for (const ticker of tickers) {
      if (this.wanted.has(ticker)) continue;
      const subscription: Subscription = { ticker, symbol: this.symbolFor(ticker) };
      this.wanted.set(ticker, subscription);
      if (this.socket?.ready) await this.trySubscribe(this.socket, subscription);
    }
  }

  async unsubscribe(tickers: string[]): Promise<void> {
    for (const ticker of tickers) {
      const subscription = this.wanted.get(ticker);
      if (!subscription) continue;
      this.wanted.delete(ticker);
      if (this.socket?.ready) await this.socket.request('md/unsubscribeQuote', { symbol: subscription.symbol }).catch(() => undefined);
    }
  }

  private symbolFor(ticker: string): string {
    return frontMonth(this.ctx.instrument(ticker).root, new Date(), this.settings.rollDaysBeforeExpiry).symbol;
  }

  /** Picks the login to use: `marketDataAccount`, else the oldest Tradovate account with a complete login. */
  private async choose(): Promise<void> {
    if (this.stopped) return;
    let accounts: BrokerAccount[];
    try {
      accounts = await this.accounts();
    } catch (error) {
      this.idle(`cannot read the Tradovate accounts: ${(error as Error).message}`);
      return;
    }
    this.pool.remember(accounts);
    const wanted = this.settings.marketDataAccount;
    const candidates = wanted ? accounts.filter((a) => a.brokerAccountId === wanted) : accounts;
    let session: Session | undefined;
    let problem = wanted ? `no Tradovate account "${wanted}" (marketDataAccount) is configured` : 'no Tradovate account is configured';
    for (const account of candidates) {
      const resolved = this.pool.resolve(account);
      if (resolved.ok) {
        session = resolved.session;
        break;
      }
      problem = resolved.problem;
    }
    if (!session) {
      this.idle(problem);
      return;
    }
    if (session === this.session && this.socket) return;
    await this.socket?.stop();
    this.session = session;
    this.active = true;
    this.socket = this.connect(session);
  }

  private idle(reason: string): void {
    this.active = false;
    void this.socket?.stop();
    this.socket = undefined;
    this.session = undefined;
    this.report({ connected: false, error: `idle: ${reason}` });
  }

  private connect(session: Session): TradovateSocket {
    const socket = new TradovateSocket({
      name: 'market data',
      url: () => session.login.mdUrl,
      token: async () => (await session.auth()).mdAccessToken,
      ...session.socketPolicy('market data'),
      onReady: async (s) => {
        for (const subscription of this.wanted.values()) await this.trySubscribe(s, subscription);
      },
      onEvent: (event) => this.onEvent(event),
      onStatus: (status) => this.report(status),
      logger: this.logger,
      heartbeatMs: this.settings.heartbeatMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      reconnectMinMs: this.settings.reconnectMinMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
    });
    socket.start();
    return socket;
  }

  /** A contract Tradovate does not know is logged and kept (it is tried again after a reconnect); it does not drop the connection. */
  private async trySubscribe(socket: TradovateSocket, subscription: Subscription): Promise<void> {
    try {
      await this.subscribeQuote(socket, subscription);
    } catch (error) {
      this.logger.warn(`subscribing ${subscription.ticker} (${subscription.symbol}) failed: ${(error as Error).message}`);
    }
  }

  private async subscribeQuote(socket: TradovateSocket, subscription: Subscription): Promise<void> {
    // Quotes name their contract by id: learn it first (contract/find), then subscribe by symbol.
    subscription.contractId ??= await this.session!.contractId(subscription.symbol);
    subscription.bid = subscription.ask = undefined;
    await socket.request('md/subscribeQuote', { symbol: subscription.symbol });
  }

  private onEvent(event: SocketEvent): void {
    if (event.e !== 'md') return;
    const quotes = (event.d as { quotes?: MdQuote[] } | null)?.quotes;
    if (!Array.isArray(quotes)) return;
    for (const quote of quotes) {
      const subscription = [...this.wanted.values()].find((s) => s.contractId === quote.contractId);
      if (!subscription) continue;
      // Entries may come partial: keep the side that did not change.
      const bid = quote.entries?.Bid?.price;
      const ask = quote.entries?.Offer?.price;
      if (typeof bid === 'number' && Number.isFinite(bid)) subscription.bid = bid;
      if (typeof ask === 'number' && Number.isFinite(ask)) subscription.ask = ask;
      if (subscription.bid === undefined || subscription.ask === undefined) continue;
      // On the tick grid: Tradovate's prices can carry float noise.
      const tick = this.ctx.instrument(subscription.ticker).tickSize;
      this.ctx.publish({
        ticker: subscription.ticker,
        bid: onGrid(subscription.bid, tick),
        ask: onGrid(subscription.ask, tick),
        time: Date.parse(quote.timestamp ?? '') || Date.now(),
      });
    }
  }

  /** Moves subscriptions whose front month changed to the new contract. */
  private async checkRoll(): Promise<void> {
    for (const subscription of this.wanted.values()) {
      const symbol = this.symbolFor(subscription.ticker);
      if (symbol === subscription.symbol) continue;
      this.logger.info(`${subscription.ticker} rolls from ${subscription.symbol} to ${symbol}`);
      const old = subscription.symbol;
      subscription.symbol = symbol;
      subscription.contractId = undefined;
      if (!this.socket?.ready) continue;
      await this.socket.request('md/unsubscribeQuote', { symbol: old }).catch(() => undefined);
      await this.trySubscribe(this.socket, subscription);
    }
  }

  private report(status: FeedStatusReport): void {
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.ctx.reportStatus(status);
  }
}
