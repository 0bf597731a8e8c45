import {
  AccountLinks,
  errorText,
  isFinal,
  orderRequestProblem,
  Placements,
  type BrokerAccountSnapshot,
  type BrokerContext,
  type Instrument,
  type OrderAck,
  type OrderRequest,
  type PluginLogger,
} from '@tradeloop/contracts';
import type { MarketInterface as Market, Order } from 'ccxt';
import { createHash } from 'node:crypto';
import { ccxtLib, loadCcxt } from './lib.js';
import { ExchangeLink, wordsOf, type Tracked } from './link.js';
import { loginOf, type CcxtLogin, type CcxtSettings } from './settings.js';
import { marketFor, onGrid, stepOf } from './symbols.js';

/**
 * The client order id sent to the exchange: `tl` and 30 hex digits of the clientOrderId's SHA-256,
 * 32 letters and digits, within every major exchange's limit (Binance 36, OKX 32 alphanumeric).
 */
export const exchangeClientId = (clientOrderId: string) => `tl${createHash('sha256').update(clientOrderId).digest('hex').slice(0, 30)}`;

/** The quantity and prices of an order checked against the market's precision and minimums, or the problem in words. */
export function marketProblem(order: OrderRequest, market: Market, mode: number, price: number | undefined): string | undefined {
  const amountStep = stepOf(market.precision.amount, mode);
  if (amountStep && !onGrid(order.quantity, amountStep)) {
    return `quantity ${order.quantity} is not a multiple of ${market.symbol}'s amount step ${amountStep}`;
  }
  const minAmount = market.limits.amount?.min;
  if (minAmount && order.quantity < minAmount) return `quantity ${order.quantity} is below ${market.symbol}'s minimum amount ${minAmount}`;
  const tick = stepOf(market.precision.price, mode);
  for (const [field, value] of [
    ['limitPrice', order.type === 'limit' ? order.limitPrice : undefined],
    ['stopPrice', order.type === 'stop' ? order.stopPrice : undefined],
  ] as const) {
    if (value !== undefined && tick && !onGrid(value, tick))
      return `${field} ${value} is not a multiple of ${market.symbol}'s tick size ${tick}`;
  }
  const minCost = market.limits.cost?.min;
  if (minCost && price && order.quantity * price < minCost) {
    return `the order is worth ${Number((order.quantity * price).toFixed(8))} ${market.quote}, below ${market.symbol}'s minimum of ${minCost}`;
  }
  return undefined;
}

/** Crypto exchanges through ccxt as one broker: one link per account, orders with client ids, fills by polling. */
export class CcxtBroker {
  private readonly links: AccountLinks<CcxtLogin, ExchangeLink>;
  private readonly placements = new Placements();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: CcxtSettings,
    private readonly logger: PluginLogger,
  ) {
    this.links = new AccountLinks({
      ctx,
      logger,
      name: 'ccxt',
      // The library is loaded on first use: only once there is an account.
      prepare: async (accounts) => {
        if (!accounts.length) return true;
        try {
          await loadCcxt();
          return true;
        } catch (error) {
          logger.error(`loading the ccxt library failed: ${errorText(error)}`);
          return false;
        }
      },
      loginOf: (account) => loginOf(account, ccxtLib().exchanges),
      open: (account, login, previous) => {
        const link = new ExchangeLink(account.brokerAccountId, login, settings, ctx, logger);
        if (previous) for (const [id, t] of previous.tracked) link.tracked.set(id, t);
        link.loadMarkets().catch((error: unknown) => {
          logger.warn(`loading ${login.exchange} markets for ${account.brokerAccountId} failed: ${wordsOf(error, login.exchange)}`);
        });
        return link;
      },
    });
  }

  secrets(): string[] {
    return this.links.values().flatMap((l) => [l.login.secret, l.login.password ?? '']);
  }

  async start(): Promise<void> {
    await this.links.start();
    if (this.links.size === 0) this.logger.info('idle: no ccxt account is configured');
    await this.reconcile();
  }

  stop(): Promise<void> {
    return this.links.stop();
  }

  sync(): Promise<void> {
    return this.links.sync();
  }

  /** The server's open orders looked up at their exchange by client id, followed again, their missed fills booked. */
  private async reconcile(): Promise<void> {
    const recorded = (await this.ctx.openOrders?.().catch(() => [])) ?? [];
    for (const r of recorded) {
      const link = this.links.get(r.brokerAccountId);
      if (!link) continue;
      try {
        const market = marketFor(r.ticker, await link.loadMarkets());
        if (!market) continue;
        const t: Tracked = {
          clientOrderId: r.clientOrderId,
          exchangeClientId: exchangeClientId(r.clientOrderId),
          ticker: r.ticker,
          side: r.side,
          symbol: market.symbol,
          orderId: r.brokerOrderId ?? '',
          createdAt: r.createdAt,
          filled: 0,
          state: 'working',
          acked: true,
          finalReported: false,
          waiters: [],
        };
        link.track(t);
        let order: Order;
        try {
          order = await link.exchange.fetchOrder(
            t.orderId || (undefined as unknown as string),
            t.symbol,
            t.orderId ? {} : { clientOrderId: t.exchangeClientId },
          );
        } catch (error) {
          if (error instanceof ccxtLib().OrderNotFound) {
            await link.finish(t, 'rejected', `the order never reached ${link.login.exchange} (the server stopped while placing it)`);
            continue;
          }
          throw error;
        }
        t.orderId = order.id ?? '';
        await link.sync(t, order);
      } catch (error) {
        this.logger.warn(`looking up ${r.clientOrderId} at ${link.login.exchange} failed: ${wordsOf(error, link.login.exchange)}`);
      }
    }
  }

  placeOrder(order: OrderRequest): Promise<OrderAck> {
    return this.placements.place(order, (o) => this.place(o));
  }

  private async place(order: OrderRequest): Promise<OrderAck> {
    const rejected = (reason: string, brokerOrderId = ''): OrderAck => ({ brokerOrderId, status: 'rejected', reason });
    const problem = orderRequestProblem(order);
    if (problem) return rejected(problem);
    const link = await this.links.linkFor(order.brokerAccountId);
    if (typeof link === 'string') return rejected(link);
    const name = link.login.exchange;
    let markets: Record<string, Market>;
    try {
      markets = await link.loadMarkets();
    } catch (error) {
      return rejected(`loading ${name}'s markets failed: ${wordsOf(error, link.exchange.id)}`);
    }
    const market = marketFor(order.ticker, markets);
    if (!market)
      return rejected(`${name} has no market for ${order.ticker} (spelled like BTCUSDT, BTC/USDT, or BTCUSDT.P for a perpetual)`);
    const latest = this.ctx.quotes.latest(order.ticker);
    const price: number | undefined =
      order.limitPrice ?? order.stopPrice ?? (latest ? (order.side === 'buy' ? latest.ask : latest.bid) : order.referencePrice);
    const refused = marketProblem(order, market, link.exchange.precisionMode ?? 0, price);
    if (refused) return rejected(refused);
    const t: Tracked = {
      clientOrderId: order.clientOrderId,
      exchangeClientId: exchangeClientId(order.clientOrderId),
      ticker: order.ticker,
      side: order.side,
      symbol: market.symbol,
      orderId: '',
      createdAt: Date.now(),
      filled: 0,
      state: 'placing',
      acked: false,
      finalReported: false,
      waiters: [],
    };
    link.track(t);
    const params: Record<string, unknown> = { clientOrderId: t.exchangeClientId };
    if (order.type === 'stop') params.triggerPrice = order.stopPrice;
    if (order.timeInForce && order.type === 'limit') params.timeInForce = order.timeInForce.toUpperCase();
    let placed: Order;
    try {
      placed = await link.exchange.createOrder(
        market.symbol,
        order.type === 'limit' ? 'limit' : 'market',
        order.side,
        order.quantity,
        order.limitPrice,
        params,
      );
    } catch (error) {
      const found = await this.alreadyThere(link, t, error);
      if (!found) {
        t.state = 'rejected';
        t.acked = t.finalReported = true;
        return rejected(`${name} refused the order: ${wordsOf(error, link.exchange.id)}`);
      }
      placed = found;
    }
    t.orderId = placed.id ?? '';
    if (t.state === 'placing') t.state = 'working';
    if (placed.status !== 'open' || (placed.filled ?? 0) > 0) {
      try {
        await link.sync(t, placed);
      } catch (error) {
        this.logger.warn(
          `reading the fills of ${order.clientOrderId} at ${name} failed: ${wordsOf(error, link.exchange.id)}; polling goes on`,
        );
      }
    }
    t.acked = true;
    if (!isFinal(t)) return { brokerOrderId: t.orderId, status: 'working' };
    t.finalReported = true;
    return {
      brokerOrderId: t.orderId,
      status: t.state as OrderAck['status'],
      ...(t.reason && t.state !== 'filled' ? { reason: t.reason } : {}),
    };
  }

  /** After a failed placement that may have reached the exchange (a timeout, a lost connection): look for it by client id. */
  private async alreadyThere(link: ExchangeLink, t: Tracked, error: unknown): Promise<Order | undefined> {
    const lib = ccxtLib();
    if (!(error instanceof lib.NetworkError) && !(error instanceof lib.DuplicateOrderId)) return undefined;
    try {
      return await link.exchange.fetchOrder(undefined as unknown as string, t.symbol, { clientOrderId: t.exchangeClientId });
    } catch {
      return undefined;
    }
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    await this.placements.settled(clientOrderId);
    const id = exchangeClientId(clientOrderId);
    const link = this.links.values().find((l) => l.tracked.has(id));
    const t = link?.tracked.get(id);
    if (!link || !t || t.state !== 'working' || !t.orderId) return false;
    try {
      await link.exchange.cancelOrder(t.orderId, t.symbol);
    } catch (error) {
      this.logger.warn(`${link.login.exchange} did not cancel ${clientOrderId}: ${wordsOf(error, link.exchange.id)}`);
      // Filled meanwhile? Book it.
      await link.sync(t).catch(() => undefined);
      return false;
    }
    t.state = 'cancelled';
    t.finalReported = true;
    for (const wake of t.waiters.splice(0)) wake();
    return true;
  }

  /** Balances as positions (spot: what is held of each currency), open orders, this run's fills, no cash figure. */
  async snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    const link = await this.links.linkFor(brokerAccountId);
    if (typeof link === 'string') throw new Error(link);
    const balance = await link.exchange.fetchBalance();
    const symbols = [...new Set([...link.tracked.values()].map((t) => t.symbol))];
    const open = (await Promise.all(symbols.map((s) => link.exchange.fetchOpenOrders(s)))).flat();
    const byOrderId = new Map([...link.tracked.values()].map((t) => [t.orderId, t]));
    const totals = (balance.total ?? {}) as unknown as Record<string, number>;
    return {
      brokerAccountId,
      positions: Object.entries(totals)
        .filter(([, amount]) => amount)
        .map(([currency, amount]) => ({ ticker: currency, contract: currency, quantity: amount, avgPrice: null })),
      workingOrders: open.map((o) => ({
        brokerOrderId: o.id ?? '',
        clientOrderId: byOrderId.get(o.id ?? '')?.clientOrderId ?? null,
        ticker: byOrderId.get(o.id ?? '')?.ticker ?? o.symbol ?? '',
        contract: o.symbol ?? '',
        side: o.side === 'sell' ? 'sell' : 'buy',
      })),
      fills: [],
      cash: null,
    };
  }

  /** The market's tick size, one quote-currency unit per point per coin (linear markets), from the first account's markets. */
  async instrument(ticker: string): Promise<Instrument | undefined> {
    await this.links.settled();
    const [link] = this.links.values();
    if (!link) return undefined;
    const market = marketFor(ticker, await link.loadMarkets().catch(() => ({}) as Record<string, Market>));
    const tick = market && stepOf(market.precision.price, link.exchange.precisionMode ?? 0);
    if (!market || !tick || !(market.spot || market.linear)) return undefined;
    const size = market.contractSize ?? 1;
    return { root: ticker, description: market.symbol, kind: 'equity', tickSize: tick, tickValue: Number((tick * size).toPrecision(12)) };
  }
}
