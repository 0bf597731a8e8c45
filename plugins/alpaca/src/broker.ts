import {
  AccountLinks,
  errorText,
  orderRequestProblem,
  Placements,
  settleOrder,
  type BrokerAccountSnapshot,
  type BrokerContext,
  type Instrument,
  type OrderAck,
  type OrderRequest,
  type PluginLogger,
} from '@tradeloop/contracts';
import { AccountLink, type Tracked } from './link.js';
import { alpacaClientId, alpacaSymbol, orderBody, refusal, statusOf } from './orders.js';
import { AlpacaError, type AlpacaOrder } from './rest.js';
import { loginOf, type AlpacaLogin, type AlpacaSettings } from './settings.js';

/**
 * Alpaca as a broker: one link (REST client and trade-updates stream) per account, orders placed
 * with `client_order_id = tl-<clientOrderId>`, fills from the stream, and at start the orders the
 * server still has open looked up and their missed fills booked.
 */
export class AlpacaBroker {
  private readonly links: AccountLinks<AlpacaLogin, AccountLink>;
  private readonly placements = new Placements();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: AlpacaSettings,
    private readonly logger: PluginLogger,
  ) {
    this.links = new AccountLinks({
      ctx,
      logger,
      name: 'Alpaca',
      loginOf: (account) => loginOf(account, settings),
      open: (account, login, previous) => {
        const link = new AccountLink(account.brokerAccountId, login, settings, ctx, logger);
        if (previous) for (const [id, t] of previous.byAlpacaId) link.byAlpacaId.set(id, t);
        return link;
      },
    });
  }

  async start(): Promise<void> {
    await this.links.start();
    if (this.links.size === 0) this.logger.info('idle: no Alpaca account is configured');
    await this.reconcile();
  }

  stop(): Promise<void> {
    return this.links.stop();
  }

  /** Every secret of every account, for the redactor. */
  secrets(): string[] {
    return this.links.values().map((l) => l.login.secretKey);
  }

  /** Opens a link for each new or changed account and closes the links of accounts gone. */
  sync(): Promise<void> {
    return this.links.sync();
  }

  /** The server's open orders looked up at Alpaca: tracked again, so their fills and ends are booked. */
  private async reconcile(): Promise<void> {
    const recorded = (await this.ctx.openOrders?.().catch(() => [])) ?? [];
    for (const r of recorded) {
      const link = this.links.get(r.brokerAccountId);
      if (!link) continue;
      const tracked: Tracked = {
        clientOrderId: r.clientOrderId,
        alpacaClientId: alpacaClientId(r.clientOrderId),
        ticker: r.ticker,
        side: r.side,
        brokerOrderId: r.brokerOrderId ?? '',
        createdAt: r.createdAt,
        state: 'working',
        acked: true,
        finalReported: false,
        waiters: [],
      };
      link.track(tracked);
      if (!tracked.brokerOrderId) {
        try {
          tracked.brokerOrderId = (await link.rest.orderByClientId(tracked.alpacaClientId)).id;
        } catch (error) {
          // Never reached Alpaca (a crash while it was being placed): nothing to follow.
          if (error instanceof AlpacaError && error.status === 404) {
            tracked.acked = true;
            await link.finish(tracked, 'rejected', 'the order never reached Alpaca (the server stopped while placing it)');
          } else this.logger.warn(`looking up ${r.clientOrderId} at Alpaca failed: ${errorText(error)}`);
        }
      }
    }
    // Each link catches up once its stream listens; wait for that briefly so a start books what it
    // can, without holding the server's start when Alpaca is out of reach (the catch-up follows).
    await Promise.all(this.links.values().map((link) => link.ready(Math.max(this.settings.ackWaitMs, 1000))));
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
    const symbol = alpacaSymbol(order.ticker);
    if (!symbol) return rejected(`${order.ticker} is not a symbol Alpaca trades`);
    let body: Record<string, unknown> | string;
    try {
      body = orderBody(order, symbol, await link.asset(symbol));
    } catch (error) {
      if (error instanceof AlpacaError && (error.status === 404 || error.status === 422)) return rejected(`Alpaca does not list ${symbol}`);
      if (error instanceof AlpacaError && error.status === 401) return rejected(refusal(401, error.message));
      return rejected(`looking up ${symbol} at Alpaca failed: ${errorText(error)}`);
    }
    if (typeof body === 'string') return rejected(body);
    const tracked: Tracked = {
      clientOrderId: order.clientOrderId,
      alpacaClientId: String(body.client_order_id),
      ticker: order.ticker,
      side: order.side,
      brokerOrderId: '',
      createdAt: Date.now(),
      state: 'placing',
      acked: false,
      finalReported: false,
      waiters: [],
    };
    link.track(tracked);
    // Listening before sending means the fill is seen as it happens; a stream that is down only
    // delays the booking (its return catches up), so the order does not wait long for it.
    await link.ready(this.settings.ackWaitMs);
    let placed: AlpacaOrder;
    try {
      placed = await link.rest.placeOrder(body);
    } catch (error) {
      const found = await this.alreadyThere(link, tracked, error);
      if (!found) {
        tracked.state = 'rejected';
        tracked.acked = tracked.finalReported = true;
        const reason = error instanceof AlpacaError ? refusal(error.status, error.message) : errorText(error);
        return rejected(reason);
      }
      placed = found;
    }
    tracked.brokerOrderId = placed.id;
    const status = statusOf(placed);
    if (status !== 'working' && status !== 'filled') await link.finish(tracked, status, `${placed.status} at Alpaca`);
    else if (tracked.state === 'placing') tracked.state = 'working';
    // A market order usually fills within moments: answer with the fill when it comes in time.
    if (order.type === 'market' || status === 'filled') await settleOrder(tracked, this.settings.ackWaitMs);
    tracked.acked = true;
    if (tracked.state === 'working' || tracked.state === 'placing') return { brokerOrderId: placed.id, status: 'working' };
    tracked.finalReported = true;
    return {
      brokerOrderId: placed.id,
      status: tracked.state,
      ...(tracked.reason && tracked.state !== 'filled' ? { reason: tracked.reason } : {}),
    };
  }

  /**
   * After a failed placement: was the order placed anyway? A timeout or lost connection leaves it
   * unknown, and Alpaca refuses a repeated client_order_id (a restart sending it again) with 422.
   */
  private async alreadyThere(link: AccountLink, tracked: Tracked, error: unknown): Promise<AlpacaOrder | undefined> {
    const unknown = !(error instanceof AlpacaError) || error.status === 0 || error.status >= 500;
    const duplicate = error instanceof AlpacaError && error.status === 422 && /client_order_id/i.test(error.message);
    if (!unknown && !duplicate) return undefined;
    try {
      return await link.rest.orderByClientId(tracked.alpacaClientId);
    } catch {
      return undefined;
    }
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    const ack = await this.placements.settled(clientOrderId);
    let found: { link: AccountLink; tracked: Tracked } | undefined;
    for (const link of this.links.values()) {
      const tracked = link.byAlpacaId.get(alpacaClientId(clientOrderId));
      if (tracked) found = { link, tracked };
    }
    if (!found || (ack && ack.status !== 'working')) return false;
    const { link, tracked } = found;
    if (tracked.state !== 'working' || !tracked.brokerOrderId) return false;
    try {
      await link.rest.cancelOrder(tracked.brokerOrderId);
    } catch (error) {
      // 422: no longer cancelable (filled or done meanwhile).
      this.logger.warn(`Alpaca did not cancel ${clientOrderId}: ${errorText(error)}`);
      return false;
    }
    await settleOrder(tracked, this.settings.ackWaitMs);
    if ((tracked.state as Tracked['state']) === 'filled') return false;
    if (tracked.state === 'working') tracked.state = 'cancelled';
    tracked.finalReported = true;
    return true;
  }

  /** Positions, open orders, today's fills and cash as Alpaca reports them. */
  async snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    const link = await this.links.linkFor(brokerAccountId);
    if (typeof link === 'string') throw new Error(link);
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const [positions, orders, account, activities] = await Promise.all([
      link.rest.positions(),
      link.rest.openOrders(),
      link.rest.account(),
      link.rest.fillsSince(midnight),
    ]);
    const tracked = (orderId: string) => [...link.byAlpacaId.values()].find((t) => t.brokerOrderId === orderId);
    const number = (text: string | undefined) => (text === undefined || text === null || text === '' ? null : Number(text));
    return {
      brokerAccountId,
      positions: positions.map((p) => ({
        ticker: p.symbol,
        contract: p.symbol,
        quantity: Number(p.qty),
        avgPrice: number(p.avg_entry_price),
      })),
      workingOrders: orders.map((o) => ({
        brokerOrderId: o.id,
        clientOrderId: tracked(o.id)?.clientOrderId ?? null,
        ticker: o.symbol,
        contract: o.symbol,
        side: o.side,
      })),
      fills: activities.map((a) => ({
        fillId: `alpaca:${a.order_id}@${Number(a.cum_qty)}`,
        clientOrderId: tracked(a.order_id)?.clientOrderId ?? `alpaca:${a.order_id}`,
        brokerOrderId: a.order_id,
        ticker: a.symbol,
        side: a.side === 'buy' ? 'buy' : 'sell',
        quantity: Number(a.qty),
        price: Number(a.price),
        commission: Math.round(Number(a.qty) * this.settings.commissionPerShare * 100) / 100,
        time: Date.parse(a.transaction_time),
      })),
      cash: {
        balance: number(account.cash),
        realizedPnl: null,
        openPnl: positions.reduce((sum, p) => sum + Number(p.unrealized_pl ?? 0), 0),
        netLiquidation: number(account.equity),
      },
    };
  }

  /**
   * The instrument as Alpaca trades it: the asset's price increment as the tick, one dollar per
   * point per share (the asset lookup is the one an order makes, cached per symbol).
   */
  async instrument(ticker: string): Promise<Instrument | undefined> {
    const symbol = alpacaSymbol(ticker);
    await this.links.settled();
    const [link] = this.links.values();
    if (!symbol || !link) return undefined;
    const asset = await link.asset(symbol).catch(() => undefined);
    const tick = Number(asset?.price_increment ?? 0);
    if (!asset || !(tick > 0)) return undefined;
    return { root: symbol, description: symbol, kind: 'equity', tickSize: tick, tickValue: tick };
  }
}
