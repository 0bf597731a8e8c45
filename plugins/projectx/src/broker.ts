import {
  orderRequestProblem,
  redact,
  type BrokerAccount,
  type BrokerAccountSnapshot,
  type BrokerContext,
  type Instrument,
  type OrderAck,
  type OrderRequest,
  type PluginLogger,
} from '@tradeloop/contracts';
import type { SessionPool } from './pool.js';
import { Reconciler } from './reconcile.js';
import { ProjectXError } from './rest.js';
import type { Session } from './session.js';
import type { ProjectXSettings } from './settings.js';
import { OrderTracker, type Tracked } from './tracking.js';
import { ORDER_TYPE, SIDE, unwrap, type Answer, type PxOrder, type PxTrade } from './wire.js';

/** Changes to a working order (`Order/modify`). */
export interface OrderChanges {
  quantity?: number;
  limitPrice?: number;
  stopPrice?: number;
  /** Trailing stops: the distance in points. */
  trailPrice?: number;
}

/** The account an order names, with its session and ProjectX id, or the reason it cannot trade. */
type Target = { ok: true; account: BrokerAccount; session: Session; accountId: number } | { ok: false; reason: string };

/**
 * ProjectX orders: `Order/place` with the client order id as `customTag`, `Order/cancel`,
 * `Order/modify`, `Position/closeContract`; fills from the user hub (`GatewayUserTrade`). Every
 * refusal is a `rejected` ack in ProjectX's words, never a throw.
 */
export class ProjectXBroker {
  readonly tracker: OrderTracker;
  private readonly reconciler: Reconciler;
  private unsubscribe?: () => void;
  /** Trades made elsewhere before this are not booked by a catch-up (the reconcile at start owns those). */
  private startedAt = Date.now();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: ProjectXSettings,
    private readonly pool: SessionPool,
    private readonly logger: PluginLogger,
  ) {
    this.tracker = new OrderTracker(ctx, settings, logger);
    this.reconciler = new Reconciler(ctx, settings, this.tracker, logger);
  }

  private redact(text: string): string {
    return redact(text, this.pool.secrets());
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    this.unsubscribe = this.ctx.onAccountsChanged(() => void this.attachAll());
    await this.attachAll();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.tracker.idle();
  }

  /** Logs in every account, subscribes its orders and trades on the user hub, and reconciles it. Never throws. */
  private async attachAll(): Promise<void> {
    const accounts = await this.ctx.accounts();
    this.pool.prune(accounts);
    if (accounts.length === 0) {
      this.logger.info('no ProjectX account is configured: idle until one is added');
      return;
    }
    for (const account of accounts) {
      try {
        const target = await this.target(account);
        if (!target.ok) {
          this.logger.warn(target.reason);
          continue;
        }
        const { session, accountId } = target;
        this.tracker.link({ brokerAccountId: account.brokerAccountId, session, accountId });
        // What happened while Tradeloop was away first; then the hub, whose subscription looks up any gap in between.
        await this.reconciler.reconcile(account, session, accountId);
        await session.watch(
          accountId,
          {
            GatewayUserTrade: (payload) => this.tracker.enqueue(() => this.tracker.onTrade(session, unwrap<PxTrade>(payload)!)),
            GatewayUserOrder: (payload) => this.tracker.enqueue(() => this.tracker.onOrder(session, unwrap<PxOrder>(payload)!)),
            // Positions and balances are read when needed (snapshot); the events are taken and let go.
            GatewayUserPosition: () => undefined,
            GatewayUserAccount: () => undefined,
          },
          () => this.tracker.enqueue(() => this.reconciler.catchUp(session, accountId, this.startedAt)),
        );
      } catch (error) {
        this.logger.error(`ProjectX account "${account.name}" could not be started: ${this.redact((error as Error).message)}`);
      }
    }
  }

  private async target(account: BrokerAccount): Promise<Target> {
    const resolved = this.pool.resolve(account);
    if (!resolved.ok) return { ok: false, reason: resolved.problem };
    const accountId = await resolved.session.accountId(account.brokerAccountId);
    return { ok: true, account, session: resolved.session, accountId };
  }

  private async targetOf(brokerAccountId: string): Promise<Target> {
    const accounts = await this.ctx.accounts();
    const account = accounts.find((a) => a.brokerAccountId === brokerAccountId);
    if (!account) return { ok: false, reason: `no ProjectX account "${brokerAccountId}" is configured in Tradeloop` };
    try {
      return await this.target(account);
    } catch (error) {
      return { ok: false, reason: this.redact((error as Error).message) };
    }
  }

  async placeOrder(order: OrderRequest): Promise<OrderAck> {
    return this.place(order, null);
  }

  /** A trailing stop at `trailPrice` points from the market (ProjectX type 5). Idempotent per clientOrderId like placeOrder. */
  async placeTrailingStop(order: Omit<OrderRequest, 'type'>, trailPrice: number): Promise<OrderAck> {
    return this.place({ ...order, type: 'stop', stopPrice: trailPrice }, trailPrice);
  }

  private async place(order: OrderRequest, trailPrice: number | null): Promise<OrderAck> {
    const known = this.tracker.byClient.get(order.clientOrderId);
    if (known) return known.ack ?? (await known.placing!);
    const problem =
      orderRequestProblem(order) ??
      (Number.isInteger(order.quantity) ? undefined : `quantity must be whole contracts, got ${order.quantity}`) ??
      (trailPrice !== null && !(trailPrice > 0 && Number.isFinite(trailPrice))
        ? `trailPrice must be above 0, got ${trailPrice}`
        : undefined);
    if (problem) return this.answerOnce(order, { brokerOrderId: '', status: 'rejected', reason: problem });
    const tracked = { request: order, filled: 0 } as Tracked;
    this.tracker.byClient.set(order.clientOrderId, tracked);
    tracked.placing = this.send(tracked, trailPrice).then((ack) => {
      tracked.ack = ack;
      return ack;
    });
    return tracked.placing;
  }

  private answerOnce(order: OrderRequest, ack: OrderAck): OrderAck {
    this.tracker.byClient.set(order.clientOrderId, { request: order, filled: 0, ack, final: ack.status } as Tracked);
    return ack;
  }

  private async send(tracked: Tracked, trailPrice: number | null): Promise<OrderAck> {
    const order = tracked.request;
    const rejected = (reason: string): OrderAck => {
      tracked.final = 'rejected';
      return {
        brokerOrderId: tracked.orderId !== undefined ? String(tracked.orderId) : '',
        status: 'rejected',
        reason: this.redact(reason),
      };
    };
    const target = await this.targetOf(order.brokerAccountId).catch((e: unknown) => ({ ok: false as const, reason: (e as Error).message }));
    if (!target.ok) return rejected(`ProjectX cannot take the order: ${target.reason}`);
    Object.assign(tracked, { session: target.session, accountId: target.accountId });
    let contractId: string;
    try {
      contractId = (await target.session.contracts.front(order.ticker)).id;
    } catch (error) {
      return rejected(`ProjectX cannot take the order: ${(error as Error).message}`);
    }
    tracked.contractId = contractId;
    // After a restart: the order may be at ProjectX already (found by its customTag at start).
    const existing = this.reconciler.atBroker(target.session, order.clientOrderId);
    if (existing) return this.adopt(tracked, existing);
    const body = {
      accountId: target.accountId,
      contractId,
      type: trailPrice !== null ? ORDER_TYPE.trailingStop : ORDER_TYPE[order.type],
      side: SIDE[order.side],
      size: order.quantity,
      limitPrice: order.type === 'limit' ? order.limitPrice : null,
      stopPrice: order.type === 'stop' && trailPrice === null ? order.stopPrice : null,
      trailPrice,
      customTag: order.clientOrderId,
      linkedOrderId: null,
    };
    this.tracker.beginPlacing(target.session, target.accountId);
    try {
      const answer = await target.session.call<Answer & { orderId?: number }>('/api/Order/place', body, `the order ${order.clientOrderId}`);
      if (typeof answer.orderId !== 'number') return rejected('ProjectX accepted the order without an order id');
      this.tracker.register(tracked, answer.orderId);
      return this.ackOf(tracked);
    } catch (error) {
      const failure = error as ProjectXError;
      if (failure.kind === 'network') {
        // No answer: the order may have reached ProjectX. Look for it by its tag before saying it did not.
        const found = await this.reconciler.findByTag(target.session, target.accountId, order.clientOrderId).catch(() => undefined);
        if (found) return this.adopt(tracked, found);
      }
      return rejected(failure.kind === 'refused' ? `ProjectX rejected the order: ${failure.message}` : failure.message);
    } finally {
      this.tracker.endPlacing(target.session, target.accountId);
    }
  }

  private ackOf(tracked: Tracked): OrderAck {
    const brokerOrderId = String(tracked.orderId);
    if (tracked.final === 'filled') return { brokerOrderId, status: 'filled' };
    if (tracked.final) return { brokerOrderId, status: tracked.final };
    return { brokerOrderId, status: 'working' };
  }

  private adopt(tracked: Tracked, order: PxOrder): OrderAck {
    this.tracker.register(tracked, order.id);
    this.tracker.enqueue(() => this.tracker.onOrder(tracked.session, order));
    this.logger.info(`order ${tracked.request.clientOrderId} is already at ProjectX as ${order.id}: not placed again`);
    return this.ackOf(tracked);
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    const tracked = this.tracker.byClient.get(clientOrderId);
    if (!tracked) return false;
    if (tracked.placing) await tracked.placing.catch(() => undefined);
    if (tracked.final || tracked.orderId === undefined) return false;
    try {
      await tracked.session.call(
        '/api/Order/cancel',
        { accountId: tracked.accountId, orderId: tracked.orderId },
        `the cancel of ${clientOrderId}`,
      );
    } catch (error) {
      this.logger.warn(`ProjectX did not cancel ${clientOrderId}: ${this.redact((error as Error).message)}`);
      return false;
    }
    await this.tracker.idle();
    if (tracked.final === 'filled') return false; // filled while the cancel was on its way
    tracked.final = 'cancelled';
    return true;
  }

  /** Changes a working order's size or prices (`Order/modify`); false when ProjectX refused or there is nothing working. */
  async modifyOrder(clientOrderId: string, changes: OrderChanges): Promise<boolean> {
    const tracked = this.tracker.byClient.get(clientOrderId);
    if (!tracked || tracked.final || tracked.orderId === undefined) return false;
    const body = {
      accountId: tracked.accountId,
      orderId: tracked.orderId,
      size: changes.quantity ?? null,
      limitPrice: changes.limitPrice ?? null,
      stopPrice: changes.stopPrice ?? null,
      trailPrice: changes.trailPrice ?? null,
    };
    try {
      await tracked.session.call('/api/Order/modify', body, `the change of ${clientOrderId}`);
    } catch (error) {
      this.logger.warn(`ProjectX did not change ${clientOrderId}: ${this.redact((error as Error).message)}`);
      return false;
    }
    if (changes.quantity !== undefined) tracked.request = { ...tracked.request, quantity: changes.quantity };
    return true;
  }

  /** Closes the account's positions (`Position/closeContract`), in one ticker or all, after cancelling working orders there. */
  async flatten(brokerAccountId: string, ticker?: string): Promise<void> {
    const target = await this.targetOf(brokerAccountId);
    if (!target.ok) throw new Error(target.reason);
    const contractId = ticker ? (await target.session.contracts.front(ticker)).id : undefined;
    for (const tracked of this.tracker.byClient.values())
      if (tracked.accountId === target.accountId && !tracked.final && (!contractId || tracked.contractId === contractId))
        await this.cancelOrder(tracked.request.clientOrderId);
    const snapshot = await this.reconciler.snapshot(target.account, target.session, target.accountId);
    for (const position of snapshot.positions)
      if (!contractId || position.contract === contractId)
        await target.session.call(
          '/api/Position/closeContract',
          { accountId: target.accountId, contractId: position.contract },
          'the flatten',
        );
  }

  /** Tick size and value of a ticker's front month, from ProjectX's contract (for roots outside the catalog). */
  async instrument(ticker: string): Promise<Instrument | undefined> {
    for (const account of await this.ctx.accounts()) {
      const resolved = this.pool.resolve(account);
      if (resolved.ok) return resolved.session.contracts.instrument(ticker).catch(() => undefined);
    }
    return undefined;
  }

  async snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    const target = await this.targetOf(brokerAccountId);
    if (!target.ok) throw new Error(target.reason);
    return this.reconciler.snapshot(target.account, target.session, target.accountId);
  }
}
