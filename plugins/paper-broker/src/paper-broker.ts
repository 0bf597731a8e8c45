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
}

/** Reads the plugin settings, falling back to the defaults (with a warning) on nonsense. */
export function readSettings(config: Record<string, unknown>, logger?: PluginLogger): PaperBrokerSettings {
  const raw = config.commissionPerContract;
  if (raw == null) return { commissionPerContract: 0 };
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return { commissionPerContract: raw };
  logger?.warn(`commissionPerContract must be a number of dollars ≥ 0, got ${JSON.stringify(raw)}: charging no commission`);
  return { commissionPerContract: 0 };
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
}

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** A quote both of whose sides are usable prices. */
const usable = (quote: Quote | undefined): quote is Quote => !!quote && isPositive(quote.bid) && isPositive(quote.ask);

/** The price a limit or stop order fills at against this quote, or undefined if the quote does not reach it. */
export function crossingPrice(order: OrderRequest, quote: Quote): number | undefined {
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
 * Simulated executions against the live quotes: market orders at the ask (buys) or bid (sells),
 * limit and stop orders immediately when marketable, else resting until a quote crosses them.
 * Everything lives in memory: resting orders do not survive a restart.
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
    await this.queue;
  }

  placeOrder(order: OrderRequest): Promise<OrderAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') {
      return Promise.resolve({ brokerOrderId: '', status: 'rejected', reason: 'the order has no clientOrderId' });
    }
    const first = this.acks.get(id);
    if (first) return first;
    const ack = this.place(order);
    this.acks.set(id, ack);
    // An immediate fill whose report failed was never booked: forget the ack so a redelivery tries again.
    ack.catch(() => {
      if (this.acks.get(id) === ack) this.acks.delete(id);
    });
    return ack;
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    const order = this.resting.get(clientOrderId);
    if (!order || order.state !== 'working') return false;
    order.state = 'cancelled';
    this.resting.delete(clientOrderId);
    return true;
  }

  private async place(request: OrderRequest): Promise<OrderAck> {
    const order: OrderRequest = { ...request };
    const { brokerOrderId, fillId } = this.idsFor(order.clientOrderId);
    const reason = orderRequestProblem(order);
    if (reason) return { brokerOrderId, status: 'rejected', reason };

    const quote = this.ctx.quotes.latest(order.ticker);
    if (order.type === 'market') {
      let price = usable(quote) ? crossingPrice(order, quote) : undefined;
      if (price === undefined && isPositive(order.referencePrice)) price = order.referencePrice;
      if (price === undefined)
        return { brokerOrderId, status: 'rejected', reason: `no quote for ${order.ticker} and no price in the alert` };
      await this.ctx.reportFill(this.fill(order, brokerOrderId, fillId, price));
      return { brokerOrderId, status: 'filled' };
    }

    const price = usable(quote) ? crossingPrice(order, quote) : undefined;
    if (price !== undefined) {
      await this.ctx.reportFill(this.fill(order, brokerOrderId, fillId, price));
      return { brokerOrderId, status: 'filled' };
    }
    this.listen();
    this.resting.set(order.clientOrderId, { request: order, brokerOrderId, fillId, state: 'working', restedAfter: this.quoteSeq });
    return { brokerOrderId, status: 'working' };
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

  private fill(order: OrderRequest, brokerOrderId: string, fillId: string, price: number): BrokerFill {
    return {
      fillId,
      clientOrderId: order.clientOrderId,
      brokerOrderId,
      ticker: order.ticker,
      side: order.side,
      quantity: order.quantity,
      price,
      commission: Math.round(this.settings.commissionPerContract * order.quantity * 100) / 100,
      time: Date.now(),
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
      await this.fillResting(order, price);
    }
  }

  private async fillResting(order: PaperOrder, price: number): Promise<void> {
    const { request, brokerOrderId, fillId } = order;
    order.state = 'filling';
    try {
      await this.ctx.reportFill(this.fill(request, brokerOrderId, fillId, price));
    } catch (error) {
      // Not booked: the order keeps resting and the next crossing quote tries again (same fillId).
      order.state = 'working';
      this.ctx.logger.error(`reporting the fill of ${request.clientOrderId} failed, will retry: ${(error as Error).message}`);
      return;
    }
    order.state = 'filled';
    this.resting.delete(request.clientOrderId);
    try {
      await this.ctx.reportOrderUpdate({ clientOrderId: request.clientOrderId, brokerOrderId, status: 'filled' });
    } catch (error) {
      this.ctx.logger.error(`reporting ${request.clientOrderId} filled failed: ${(error as Error).message}`);
    }
  }
}
