import type { BrokerContext, BrokerFill, OrderAck, OrderRequest, OrderUpdate, PluginLogger } from '@tradeloop/contracts';
import { tickerOfName } from './contracts.js';
import type { Session } from './session.js';
import type { ProjectXSettings } from './settings.js';
import { SIDE, STATUS, type PxOrder, type PxTrade } from './wire.js';

/** An order of ours at ProjectX, from the ack to its final status. */
export interface Tracked {
  request: OrderRequest;
  session: Session;
  accountId: number;
  contractId: string;
  orderId?: number;
  ack?: OrderAck;
  /** The placing in flight: a repeat of the same clientOrderId waits for it. */
  placing?: Promise<OrderAck>;
  filled: number;
  final?: OrderAck['status'];
}

/** Where a Tradeloop account sits at ProjectX. */
export interface AccountLink {
  brokerAccountId: string;
  session: Session;
  accountId: number;
}

/**
 * Our orders and what ProjectX reports about them: fills (GatewayUserTrade, Trade/search) become
 * BrokerFills, final statuses (GatewayUserOrder) become OrderUpdates, each exactly once. Events are
 * handled one at a time in arrival order; a trade of an order whose placing has not answered yet
 * waits for that answer, so a fast fill is never taken for a trade made elsewhere.
 */
export class OrderTracker {
  readonly byClient = new Map<string, Tracked>();
  private readonly byOrderId = new Map<string, Tracked>();
  private readonly reported = new Set<string>();
  private readonly placingOn = new Map<string, number>();
  private parked: { session: Session; trade: PxTrade }[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** ProjectX account id → the Tradeloop account (per login). */
  readonly links = new Map<string, AccountLink>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: ProjectXSettings,
    private readonly logger: PluginLogger,
  ) {}

  private static key(session: Session, id: number): string {
    return `${session.login.apiUrl}|${id}`;
  }

  /** Runs event handling one at a time; errors are logged, never thrown at the hub. */
  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(task)
      .catch((error: unknown) => this.logger.error(`handling a ProjectX event failed: ${(error as Error).message}`));
  }

  idle(): Promise<void> {
    return this.queue;
  }

  link(link: AccountLink): void {
    this.links.set(OrderTracker.key(link.session, link.accountId), link);
  }

  beginPlacing(session: Session, accountId: number): void {
    const key = OrderTracker.key(session, accountId);
    this.placingOn.set(key, (this.placingOn.get(key) ?? 0) + 1);
  }

  /** A placing answered (or failed): trades parked for it are looked at again. */
  endPlacing(session: Session, accountId: number): void {
    const key = OrderTracker.key(session, accountId);
    this.placingOn.set(key, Math.max(0, (this.placingOn.get(key) ?? 1) - 1));
    const parked = this.parked.filter((p) => p.session === session && p.trade.accountId === accountId);
    if (parked.length === 0) return;
    this.parked = this.parked.filter((p) => !parked.includes(p));
    for (const { trade } of parked) this.enqueue(() => this.onTrade(session, trade));
  }

  register(tracked: Tracked, orderId: number): void {
    tracked.orderId = orderId;
    this.byOrderId.set(OrderTracker.key(tracked.session, orderId), tracked);
  }

  find(session: Session, orderId: number): Tracked | undefined {
    return this.byOrderId.get(OrderTracker.key(session, orderId));
  }

  /** A GatewayUserTrade or a trade from Trade/search. */
  async onTrade(session: Session, trade: PxTrade): Promise<void> {
    if (!trade || typeof trade.id !== 'number' || typeof trade.orderId !== 'number' || trade.voided) return;
    const fillId = `projectx-${trade.id}`;
    if (this.reported.has(fillId)) return;
    const tracked = this.find(session, trade.orderId);
    if (!tracked && (this.placingOn.get(OrderTracker.key(session, trade.accountId)) ?? 0) > 0) {
      this.parked.push({ session, trade });
      return;
    }
    const fill = await this.toFill(session, trade, tracked, fillId);
    if (!fill) return;
    await this.ctx.reportFill(fill);
    this.reported.add(fillId);
    if (!tracked) return;
    tracked.filled += trade.size;
    if (tracked.filled >= tracked.request.quantity - 1e-9) await this.settle(tracked, 'filled');
  }

  /** A GatewayUserOrder: final statuses of our orders become updates (fills come as trades). */
  async onOrder(session: Session, order: PxOrder): Promise<void> {
    if (!order || typeof order.id !== 'number') return;
    const tracked = this.find(session, order.id) ?? (order.customTag ? this.byClient.get(order.customTag) : undefined);
    if (!tracked || tracked.session !== session) return;
    if (tracked.orderId === undefined) this.register(tracked, order.id);
    if (order.status === STATUS.cancelled) await this.settle(tracked, 'cancelled', 'cancelled at ProjectX');
    else if (order.status === STATUS.expired) await this.settle(tracked, 'cancelled', 'expired at ProjectX');
    else if (order.status === STATUS.rejected) await this.settle(tracked, 'rejected', 'ProjectX rejected the order after accepting it');
  }

  /** Marks an order final and reports it, once. */
  async settle(tracked: Tracked, status: OrderUpdate['status'], reason?: string): Promise<void> {
    if (tracked.final) return;
    tracked.final = status;
    if (tracked.orderId === undefined) return;
    await this.ctx.reportOrderUpdate({
      clientOrderId: tracked.request.clientOrderId,
      brokerOrderId: String(tracked.orderId),
      status,
      ...(reason ? { reason } : {}),
    });
  }

  private async toFill(session: Session, trade: PxTrade, tracked: Tracked | undefined, fillId: string): Promise<BrokerFill | undefined> {
    const size = Number(trade.size);
    const price = Number(trade.price);
    if (!(size > 0) || !(price > 0) || !Number.isFinite(size) || !Number.isFinite(price)) {
      this.logger.warn(`ProjectX trade ${trade.id} has no usable size or price: not booked`);
      return undefined;
    }
    const fees = Number(trade.fees);
    const commission = Number.isFinite(fees) && fees > 0 ? fees : this.settings.commissionPerContract * size;
    const base = {
      fillId,
      brokerOrderId: String(trade.orderId),
      side: trade.side === SIDE.sell ? ('sell' as const) : ('buy' as const),
      quantity: size,
      price,
      commission: Math.round(commission * 100) / 100,
      time: Date.parse(trade.creationTimestamp) || Date.now(),
    };
    if (tracked) return { ...base, clientOrderId: tracked.request.clientOrderId, ticker: tracked.request.ticker };
    // An order made elsewhere (ProjectX's own platform): booked as a manual trade on its account.
    const link = this.links.get(OrderTracker.key(session, trade.accountId));
    if (!link) return undefined;
    const contract =
      session.contracts.known(trade.contractId) ?? (await session.contracts.byContractId(trade.contractId).catch(() => undefined));
    const ticker = session.contracts.tickerOf(trade.contractId) ?? (contract ? tickerOfName(contract.name) : undefined);
    if (!ticker) {
      this.logger.warn(
        `ProjectX trade ${trade.id} is in contract ${trade.contractId.slice(0, 60)}, which ProjectX could not name: not booked`,
      );
      return undefined;
    }
    return { ...base, clientOrderId: `projectx-order-${trade.orderId}`, ticker, brokerAccountId: link.brokerAccountId };
  }
}
