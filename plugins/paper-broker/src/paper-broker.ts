import {
  orderRequestProblem,
  type BrokerContext,
  type BrokerFill,
  type BrokerPlugin,
  type OrderAck,
  type OrderRequest,
  type PluginLogger,
  type Quote,
} from '@tradeloop/contracts';

export interface PaperBrokerSettings {
  /** Dollars per contract per side. */
  commissionPerContract: number;
  /**
   * A real feed's quote older than this is stale and the alert's price is taken before it. A feed
   * sends a quote when the price changes, so a quiet market's quote may be minutes old and still
   * the market's; a feed that lost its connection marks its quotes stale at once.
   */
  maxQuoteAgeSeconds: number;
}

const DEFAULT_MAX_QUOTE_AGE_SECONDS = 300;

/** Reads the plugin settings, falling back to the defaults (with a warning) on nonsense. */
export function readSettings(config: Record<string, unknown>, logger?: PluginLogger): PaperBrokerSettings {
  let commissionPerContract = 0;
  const raw = config.commissionPerContract;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) commissionPerContract = raw;
  else if (raw != null)
    logger?.warn(`commissionPerContract must be a number of dollars ≥ 0, got ${JSON.stringify(raw)}: charging no commission`);
  let maxQuoteAgeSeconds = DEFAULT_MAX_QUOTE_AGE_SECONDS;
  const age = config.maxQuoteAgeSeconds;
  if (typeof age === 'number' && Number.isFinite(age) && age > 0) maxQuoteAgeSeconds = age;
  else if (age != null) {
    logger?.warn(
      `maxQuoteAgeSeconds must be a number of seconds above 0, got ${JSON.stringify(age)}: using ${DEFAULT_MAX_QUOTE_AGE_SECONDS}`,
    );
  }
  return { commissionPerContract, maxQuoteAgeSeconds };
}

type PaperOrderState = 'working' | 'filling' | 'filled' | 'cancelled';

interface PaperOrder {
  request: OrderRequest;
  brokerOrderId: string;
  /** Stable per order, so a fill retried after a failed report is booked at most once by the ledger. */
  fillId: string;
  state: PaperOrderState;
  /** Sequence number of the last quote seen when the order started resting: only later quotes may fill it. */
  restedAfter: number;
  /** A day order's end of day. */
  expiry?: NodeJS.Timeout;
}

/** A price to fill at and where it came from (`quote:<feed>`, `alert`, `simulated`). */
interface Priced {
  price: number;
  source: string;
}

/** Where a quote's prices come from, as a fill records it. */
export const quoteSource = (quote: Quote): string => (quote.simulated ? 'simulated' : `quote:${quote.feed ?? 'feed'}`);

/**
 * Placements whose answer and ids are kept for a redelivery of the same order (the server sends an
 * order again when its answer did not come back, within moments): past this many the oldest go. A
 * resting order is answered from the resting book, so it never rests twice. Kept for every order,
 * a paper account that ran for months grew by every order it had ever taken.
 */
export const REMEMBERED_PLACEMENTS = 20_000;

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** A quote both of whose sides are usable prices. */
const usable = (quote: Quote | undefined): quote is Quote => !!quote && isPositive(quote.bid) && isPositive(quote.ask);

/** The price a limit or stop order fills at against this quote, or undefined if the quote does not reach it. */
export function crossingPrice(order: OrderRequest, quote: Pick<Quote, 'bid' | 'ask'>): number | undefined {
  const buy = order.side === 'buy';
  switch (order.type) {
    case 'limit': {
      const limit = order.limitPrice!;
      // At the limit or better: a quote that gaps through fills at the better quote price.
      if (buy) return quote.ask <= limit ? quote.ask : undefined;
      return quote.bid >= limit ? quote.bid : undefined;
    }
    case 'stop': {
      const stop = order.stopPrice!;
      // A triggered stop becomes a market order.
      if (buy) return quote.ask >= stop ? quote.ask : undefined;
      return quote.bid <= stop ? quote.bid : undefined;
    }
    case 'market':
      return buy ? quote.ask : quote.bid;
  }
}

/**
 * Simulated executions: market orders at the ask (buys) or bid (sells) of a fresh real quote, else
 * at the alert's price, else at the simulated feed's; limit and stop orders immediately when
 * marketable there, else resting until a quote crosses them (`ioc` / `fok`: cancelled instead;
 * `day`: cancelled when the trading day ends). Every fill says where its price came from.
 * Everything lives in memory: the server sends resting orders again after a restart.
 */
export class PaperBroker implements BrokerPlugin {
  private readonly settings: PaperBrokerSettings;
  /** The first answer per clientOrderId; a repeat gets the same promise. */
  private readonly acks = new Map<string, Promise<OrderAck>>();
  /** Ids handed out per clientOrderId, kept even when a placement failed, so a retry reuses them. */
  private readonly ids = new Map<string, { brokerOrderId: string; fillId: string }>();
  /** Resting orders (working, or being filled right now), in placement order. */
  private readonly resting = new Map<string, PaperOrder>();
  private counter = 0;
  /** Counts quotes as they arrive. */
  private quoteSeq = 0;
  /** Quote-triggered fills run one at a time, in quote order. */
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;

  constructor(private readonly ctx: BrokerContext) {
    this.settings = readSettings(ctx.config, ctx.logger);
  }

  async start(): Promise<void> {
    this.listen();
  }

  /** Stops listening to quotes and lets a fill in progress finish. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const order of this.resting.values()) clearTimeout(order.expiry);
    await this.queue;
  }

  placeOrder(order: OrderRequest): Promise<OrderAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') {
      return Promise.resolve({ brokerOrderId: '', status: 'rejected', reason: 'the order has no clientOrderId' });
    }
    const first = this.acks.get(id);
    if (first) return first;
    // Resting, it is known whatever was forgotten of the oldest placements: sent again, it rests once.
    const resting = this.resting.get(id);
    if (resting) return Promise.resolve({ brokerOrderId: resting.brokerOrderId, status: 'working' });
    const ack = this.place(order);
    this.acks.set(id, ack);
    this.forgetOldest();
    // An immediate fill whose report failed was never booked: forget the ack so a redelivery tries again.
    ack.catch(() => {
      if (this.acks.get(id) === ack) this.acks.delete(id);
    });
    return ack;
  }

  /** Placements remembered for a redelivery (diagnostics, tests). */
  get remembered(): number {
    return this.ids.size;
  }

  /** Keeps the placements remembered to REMEMBERED_PLACEMENTS, the oldest going first (a resting order is known by `resting`). */
  private forgetOldest(): void {
    for (const clientOrderId of this.ids.keys()) {
      if (this.ids.size <= REMEMBERED_PLACEMENTS) return;
      this.ids.delete(clientOrderId);
      this.acks.delete(clientOrderId);
    }
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    const order = this.resting.get(clientOrderId);
    if (!order || order.state !== 'working') return false;
    order.state = 'cancelled';
    clearTimeout(order.expiry);
    this.resting.delete(clientOrderId);
    return true;
  }

  /**
   * The market an order meets when it arrives, in this order: a fresh quote from a real feed; else
   * the price the alert carried (TradingView's); only then the simulated feed (or a stale quote).
   */
  private market(order: OrderRequest): { bid: number; ask: number; source: string } | undefined {
    const quote = this.ctx.quotes.latest(order.ticker);
    const fresh = usable(quote) && !quote.simulated && !quote.stale && Date.now() - quote.time <= this.settings.maxQuoteAgeSeconds * 1000;
    if (fresh) return { bid: quote.bid, ask: quote.ask, source: quoteSource(quote) };
    if (isPositive(order.referencePrice)) return { bid: order.referencePrice, ask: order.referencePrice, source: 'alert' };
    if (usable(quote)) return { bid: quote.bid, ask: quote.ask, source: quoteSource(quote) };
    return undefined;
  }

  private async place(request: OrderRequest): Promise<OrderAck> {
    const order: OrderRequest = { ...request };
    const { brokerOrderId, fillId } = this.idsFor(order.clientOrderId);
    const reason = orderRequestProblem(order);
    if (reason) return { brokerOrderId, status: 'rejected', reason };
    if (order.timeInForce === 'day' && isPositive(order.expiresAt) && order.expiresAt <= Date.now()) {
      return { brokerOrderId, status: 'cancelled', reason: 'day order placed after its trading day ended' };
    }

    const market = this.market(order);
    if (order.type === 'market') {
      if (!market) return { brokerOrderId, status: 'rejected', reason: `no quote for ${order.ticker} and no price in the alert` };
      await this.ctx.reportFill(this.fill(order, brokerOrderId, fillId, { price: crossingPrice(order, market)!, source: market.source }));
      return { brokerOrderId, status: 'filled' };
    }

    const price = market ? crossingPrice(order, market) : undefined;
    if (price !== undefined) {
      await this.ctx.reportFill(this.fill(order, brokerOrderId, fillId, { price, source: market!.source }));
      return { brokerOrderId, status: 'filled' };
    }
    if (order.timeInForce === 'ioc' || order.timeInForce === 'fok') {
      return { brokerOrderId, status: 'cancelled', reason: `${order.timeInForce}: not marketable when placed, so cancelled at once` };
    }
    this.listen();
    const resting: PaperOrder = { request: order, brokerOrderId, fillId, state: 'working', restedAfter: this.quoteSeq };
    if (order.timeInForce === 'day' && isPositive(order.expiresAt)) {
      resting.expiry = setTimeout(() => void this.expire(resting), Math.min(order.expiresAt - Date.now(), 2 ** 31 - 1));
      resting.expiry.unref();
    }
    this.resting.set(order.clientOrderId, resting);
    return { brokerOrderId, status: 'working' };
  }

  /** A day order still resting when its trading day ends is cancelled. */
  private async expire(order: PaperOrder): Promise<void> {
    if (order.state !== 'working') return;
    order.state = 'cancelled';
    this.resting.delete(order.request.clientOrderId);
    try {
      await this.ctx.reportOrderUpdate({
        clientOrderId: order.request.clientOrderId,
        brokerOrderId: order.brokerOrderId,
        status: 'cancelled',
        reason: 'day order expired at the end of its trading day',
      });
    } catch (error) {
      this.ctx.logger.error(`reporting ${order.request.clientOrderId} expired failed: ${(error as Error).message}`);
    }
  }

  private idsFor(clientOrderId: string): { brokerOrderId: string; fillId: string } {
    let ids = this.ids.get(clientOrderId);
    if (!ids) {
      const n = ++this.counter;
      ids = { brokerOrderId: `paper-order-${n}`, fillId: `paper-${n}-${clientOrderId}` };
      this.ids.set(clientOrderId, ids);
    }
    return ids;
  }

  private fill(order: OrderRequest, brokerOrderId: string, fillId: string, priced: Priced): BrokerFill {
    return {
      fillId,
      clientOrderId: order.clientOrderId,
      brokerOrderId,
      ticker: order.ticker,
      side: order.side,
      quantity: order.quantity,
      price: priced.price,
      commission: Math.round(this.settings.commissionPerContract * order.quantity * 100) / 100,
      time: Date.now(),
      priceSource: priced.source,
    };
  }

  private listen(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.ctx.quotes.onQuote((quote) => this.onQuote(quote));
  }

  /** Runs inside the feed's publish: never throws, never blocks. */
  private onQuote(quote: Quote): void {
    const seq = ++this.quoteSeq;
    if (this.resting.size === 0 || !usable(quote)) return;
    this.queue = this.queue
      .then(() => this.fillCrossed(quote, seq))
      .catch((error: unknown) => this.ctx.logger.error(`processing a ${quote.ticker} quote failed: ${(error as Error).message}`));
  }

  private async fillCrossed(quote: Quote, seq: number): Promise<void> {
    for (const order of [...this.resting.values()]) {
      if (order.state !== 'working' || order.request.ticker !== quote.ticker || order.restedAfter >= seq) continue;
      const price = crossingPrice(order.request, quote);
      if (price === undefined) continue;
      await this.fillResting(order, { price, source: quoteSource(quote) });
    }
  }

  private async fillResting(order: PaperOrder, priced: Priced): Promise<void> {
    const { request, brokerOrderId, fillId } = order;
    order.state = 'filling';
    try {
      await this.ctx.reportFill(this.fill(request, brokerOrderId, fillId, priced));
    } catch (error) {
      // Not booked: the order keeps resting and the next crossing quote tries again (same fillId).
      order.state = 'working';
      this.ctx.logger.error(`reporting the fill of ${request.clientOrderId} failed, will retry: ${(error as Error).message}`);
      return;
    }
    order.state = 'filled';
    clearTimeout(order.expiry);
    this.resting.delete(request.clientOrderId);
    try {
      await this.ctx.reportOrderUpdate({ clientOrderId: request.clientOrderId, brokerOrderId, status: 'filled' });
    } catch (error) {
      this.ctx.logger.error(`reporting ${request.clientOrderId} filled failed: ${(error as Error).message}`);
    }
  }
}
