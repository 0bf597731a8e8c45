import { finishOrder, isFinal, type BrokerContext, type OrderSide, type PluginLogger, type TrackedOrder } from '@tradeloop/contracts';
import type { Exchange, MarketInterface as Market, Order, Trade } from 'ccxt';
import { ccxtLib } from './lib.js';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CcxtLogin, CcxtSettings } from './settings.js';

/** An order this plugin placed (or found at start), followed until it is done. */
export interface Tracked extends TrackedOrder {
  exchangeClientId: string;
  ticker: string;
  symbol: string;
  side: OrderSide;
  orderId: string;
  createdAt: number;
  filled: number;
}

/** Fees in these currencies are dollars to the ledger; others are not booked (see the README). */
const DOLLARS = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI']);

/** Every URL of an exchange's API moved to another origin (a proxy, or a test server), paths kept. */
export function rebase(urls: unknown, origin: string): unknown {
  if (typeof urls === 'string') return urls.replace(/^https?:\/\/[^/]+/, origin);
  if (urls && typeof urls === 'object') return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, rebase(v, origin)]));
  return urls;
}

/** Words of a ccxt error: the exchange's own message, without ccxt's prefix or JSON wrapping. */
export function wordsOf(error: unknown, exchange: string): string {
  let text = error instanceof Error ? error.message : String(error);
  if (text.startsWith(`${exchange} `)) text = text.slice(exchange.length + 1);
  const json = /\{.*\}/s.exec(text)?.[0];
  if (json) {
    try {
      const parsed = JSON.parse(json) as Record<string, unknown>;
      const message = parsed.msg ?? parsed.message ?? parsed.retMsg ?? parsed.error;
      if (typeof message === 'string') text = `${message}${parsed.code !== undefined ? ` (${String(parsed.code)})` : ''}`;
    } catch {
      // keep the text
    }
  }
  return text.slice(0, 300);
}

/**
 * One account at one exchange through ccxt: the exchange object (sandbox mode, markets loaded once),
 * the orders placed through it, and a poll of the open ones: fetchOrder, then fetchMyTrades when
 * more has filled, each trade booked once by its id.
 */
export class ExchangeLink {
  readonly exchange: Exchange;
  readonly tracked = new Map<string, Tracked>();
  private markets: Promise<Record<string, Market>> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly reported = new Set<string>();

  constructor(
    readonly brokerAccountId: string,
    readonly login: CcxtLogin,
    private readonly settings: CcxtSettings,
    private readonly ctx: BrokerContext,
    private readonly logger: PluginLogger,
  ) {
    const Class = (ccxtLib() as unknown as Record<string, new (config: object) => Exchange>)[login.exchange]!;
    this.exchange = new Class({
      apiKey: login.apiKey,
      secret: login.secret,
      ...(login.password ? { password: login.password } : {}),
      enableRateLimit: true,
      timeout: settings.requestTimeoutMs,
      // No kept-alive sockets: a stopped plugin leaves nothing open.
      httpAgent: new HttpAgent({ keepAlive: false }),
      httpsAgent: new HttpsAgent({ keepAlive: false }),
      options: {
        defaultType: 'spot',
        fetchMarkets: { types: login.marketTypes },
        fetchCurrencies: false,
        fetchMargins: false,
        warnOnFetchOpenOrdersWithoutSymbol: false,
      },
    });
    if (login.sandbox) this.exchange.setSandboxMode(true);
    if (settings.apiUrl) this.exchange.urls.api = rebase(this.exchange.urls.api, settings.apiUrl) as typeof this.exchange.urls.api;
  }

  /** The exchange's markets, loaded once (again after a failure). */
  loadMarkets(): Promise<Record<string, Market>> {
    if (!this.markets) {
      this.markets = this.exchange.loadMarkets() as Promise<Record<string, Market>>;
      this.markets.catch(() => (this.markets = null));
    }
    return this.markets;
  }

  /** Markets if they are loaded, without waiting. */
  loadedMarkets(): Record<string, Market> | undefined {
    return this.exchange.markets && Object.keys(this.exchange.markets).length
      ? (this.exchange.markets as Record<string, Market>)
      : undefined;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.settings.pollMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    for (const t of this.tracked.values()) for (const wake of t.waiters.splice(0)) wake();
  }

  track(tracked: Tracked): void {
    this.tracked.set(tracked.exchangeClientId, tracked);
  }

  /** One round over the open orders; never two at once. */
  poll(): Promise<void> {
    if (this.polling) return this.polling;
    const open = [...this.tracked.values()].filter((t) => t.state === 'working' && t.orderId);
    if (!open.length) return Promise.resolve();
    this.polling = (async () => {
      for (const t of open) {
        try {
          await this.sync(t);
        } catch (error) {
          this.logger.warn(`checking ${t.clientOrderId} at ${this.login.exchange} failed: ${wordsOf(error, this.exchange.id)}`);
        }
      }
    })().finally(() => (this.polling = null));
    return this.polling;
  }

  /** Brings one order up to date: its new trades booked, then its end reported. */
  async sync(t: Tracked, known?: Order): Promise<void> {
    const order = known ?? (await this.exchange.fetchOrder(t.orderId, t.symbol));
    if ((order.filled ?? 0) > t.filled) {
      // A placement's answer may carry its fills already (Binance's FULL answer): when they add up
      // to the filled amount, book them; otherwise ask for the account's trades.
      const carried = (order.trades ?? []).filter((x) => x.id);
      const carriedAmount = carried.reduce((sum, x) => sum + (x.amount ?? 0), 0);
      const trades =
        known && carried.length && Math.abs(carriedAmount - (order.filled ?? 0)) < 1e-9
          ? carried
          : (await this.exchange.fetchMyTrades(t.symbol, t.createdAt - 60_000)).filter((x) => x.order === t.orderId);
      for (const trade of trades) await this.book(t, trade);
    }
    if (order.status === 'closed' && t.filled >= (order.amount ?? 0) - 1e-12) await this.finish(t, 'filled');
    else if (order.status === 'canceled') await this.finish(t, 'cancelled', `cancelled at ${this.login.exchange}`);
    else if (order.status === 'expired') await this.finish(t, 'cancelled', `expired at ${this.login.exchange}`);
    else if (order.status === 'rejected') await this.finish(t, 'rejected', `${this.login.exchange} rejected the order`);
  }

  private async book(t: Tracked, trade: Trade): Promise<void> {
    const fillId = `${this.login.exchange}:${trade.id}`;
    const price = trade.price ?? 0;
    if (this.reported.has(fillId) || !(trade.amount! > 0) || !(price > 0)) return;
    const fee = trade.fee;
    const commission = fee && fee.cost && fee.currency && DOLLARS.has(fee.currency) ? Math.round(fee.cost * 100) / 100 : 0;
    await this.ctx.reportFill({
      fillId,
      clientOrderId: t.clientOrderId,
      brokerOrderId: t.orderId,
      ticker: t.ticker,
      side: t.side,
      quantity: trade.amount!,
      price,
      commission,
      time: trade.timestamp ?? Date.now(),
    });
    this.reported.add(fillId);
    t.filled = Number((t.filled + trade.amount!).toFixed(12));
  }

  finish(t: Tracked, state: 'filled' | 'cancelled' | 'rejected', reason?: string): Promise<void> {
    return finishOrder(this.ctx, t, t.orderId, state, reason);
  }
}
