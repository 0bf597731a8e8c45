import {
  errorText,
  type BrokerAccount,
  type BrokerAccountSnapshot,
  type BrokerContext,
  type PluginLogger,
  type RecordedOrder,
} from '@tradeloop/contracts';
import { tickerOfName } from './contracts.js';
import type { Session } from './session.js';
import type { ProjectXSettings } from './settings.js';
import type { OrderTracker, Tracked } from './tracking.js';
import { POSITION_TYPE, SIDE, STATUS, type Answer, type PxAccount, type PxOrder, type PxPosition, type PxTrade } from './wire.js';

const OPEN = new Set<number>([STATUS.open, STATUS.pending]);
/** Most orders, trades or positions taken from one answer. */
const MAX_ROWS = 5000;
const rows = <T>(list: unknown): T[] => (Array.isArray(list) ? (list.slice(0, MAX_ROWS) as T[]) : []);

/**
 * What happened at ProjectX while Tradeloop was not looking. At start, per account: today's orders
 * (`Order/search`) are matched to the server's records by `customTag` (else by order id), so an
 * order the server sends again is answered from ProjectX's state and never placed twice; the fills
 * of those orders (`Trade/search`) are reported again (the ledger books each fill id once), and
 * orders cancelled, expired or rejected meanwhile are reported so.
 */
export class Reconciler {
  /** customTag → the order at ProjectX, per login (today's orders seen at start). */
  private readonly tagged = new Map<string, PxOrder>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: ProjectXSettings,
    private readonly tracker: OrderTracker,
    private readonly logger: PluginLogger,
  ) {}

  private since(): string {
    return new Date(Date.now() - Math.max(this.settings.reconcileDays, 0.01) * 86_400_000).toISOString();
  }

  atBroker(session: Session, clientOrderId: string): PxOrder | undefined {
    return this.tagged.get(`${session.login.apiUrl}|${clientOrderId}`);
  }

  /** Today's order of the account with this tag, asked of ProjectX now (after a placing that got no answer). */
  async findByTag(session: Session, accountId: number, tag: string): Promise<PxOrder | undefined> {
    const orders = await this.orders(session, accountId);
    return orders.find((o) => o.customTag === tag);
  }

  private async orders(session: Session, accountId: number): Promise<PxOrder[]> {
    const answer = await session.call<Answer & { orders?: PxOrder[] }>(
      '/api/Order/search',
      { accountId, startTimestamp: this.since(), endTimestamp: null },
      'the order search',
    );
    return rows<PxOrder>(answer.orders);
  }

  private async trades(session: Session, accountId: number): Promise<PxTrade[]> {
    const answer = await session.call<Answer & { trades?: PxTrade[] }>(
      '/api/Trade/search',
      { accountId, startTimestamp: this.since(), endTimestamp: null },
      'the trade search',
    );
    return rows<PxTrade>(answer.trades);
  }

  async reconcile(account: BrokerAccount, session: Session, accountId: number): Promise<void> {
    const records = ((await this.ctx.openOrders?.()) ?? []).filter((r) => r.brokerAccountId === account.brokerAccountId);
    const orders = await this.orders(session, accountId);
    for (const order of orders) if (order.customTag) this.tagged.set(`${session.login.apiUrl}|${order.customTag}`, order);
    const restored: { tracked: Tracked; order: PxOrder }[] = [];
    for (const record of records) {
      if (this.tracker.byClient.has(record.clientOrderId)) continue;
      const order =
        orders.find((o) => o.customTag === record.clientOrderId) ??
        (record.brokerOrderId ? orders.find((o) => String(o.id) === record.brokerOrderId) : undefined);
      if (!order) continue;
      const tracked: Tracked = { request: requestOf(record), session, accountId, contractId: order.contractId, filled: 0 };
      this.tracker.byClient.set(record.clientOrderId, tracked);
      this.tracker.register(tracked, order.id);
      tracked.ack = { brokerOrderId: String(order.id), status: 'working' };
      restored.push({ tracked, order });
    }
    if (restored.length === 0) return;
    const trades = await this.trades(session, accountId);
    await new Promise<void>((resolve) =>
      this.tracker.enqueue(async () => {
        for (const { tracked, order } of restored) {
          for (const trade of trades) if (trade.orderId === order.id) await this.tracker.onTrade(session, trade);
          if (!tracked.final) await this.tracker.onOrder(session, order);
        }
        resolve();
      }),
    );
    const working = restored.filter((r) => !r.tracked.final).length;
    this.logger.info(
      `ProjectX account "${account.name}": restored ${working} working order${working === 1 ? '' : 's'}` +
        ` and settled ${restored.length - working} that finished while Tradeloop was away`,
    );
  }

  /**
   * After the user hub (re)subscribed an account: trades and order changes it may have missed while
   * it was not subscribed (a reconnection, or a fill faster than the first subscription) are looked
   * up and handled like events; every fill is reported once. Trades made elsewhere count from `since`.
   */
  async catchUp(session: Session, accountId: number, since: number): Promise<void> {
    let orders: PxOrder[];
    let trades: PxTrade[];
    try {
      [orders, trades] = await Promise.all([this.orders(session, accountId), this.trades(session, accountId)]);
    } catch (error) {
      this.logger.warn(`ProjectX: looking up what the user hub missed failed: ${errorText(error)}`);
      return;
    }
    for (const trade of trades)
      if (this.tracker.find(session, trade.orderId) || Date.parse(trade.creationTimestamp) >= since)
        await this.tracker.onTrade(session, trade);
    for (const order of orders) if (this.tracker.find(session, order.id)) await this.tracker.onOrder(session, order);
  }

  async snapshot(account: BrokerAccount, session: Session, accountId: number): Promise<BrokerAccountSnapshot> {
    const [positionsAnswer, openAnswer, trades, accounts] = await Promise.all([
      session.call<Answer & { positions?: PxPosition[] }>('/api/Position/searchOpen', { accountId }, 'the position search'),
      session.call<Answer & { orders?: PxOrder[] }>('/api/Order/searchOpen', { accountId }, 'the open order search'),
      this.trades(session, accountId),
      session.accounts(true),
    ]);
    const tickerOf = async (contractId: string) => {
      const known = session.contracts.tickerOf(contractId);
      if (known) return known;
      const contract = await session.contracts.byContractId(contractId).catch(() => undefined);
      return (contract && tickerOfName(contract.name)) ?? contractId;
    };
    const positions = [];
    for (const p of rows<PxPosition>(positionsAnswer.positions))
      positions.push({
        ticker: await tickerOf(p.contractId),
        contract: p.contractId,
        quantity: p.type === POSITION_TYPE.short ? -p.size : p.size,
        avgPrice: Number.isFinite(p.averagePrice) ? p.averagePrice : null,
      });
    const workingOrders = [];
    for (const o of rows<PxOrder>(openAnswer.orders).filter((o) => OPEN.has(o.status)))
      workingOrders.push({
        brokerOrderId: String(o.id),
        clientOrderId: o.customTag ?? null,
        ticker: await tickerOf(o.contractId),
        contract: o.contractId,
        side: o.side === SIDE.sell ? ('sell' as const) : ('buy' as const),
      });
    const fills = [];
    for (const t of trades.filter((t) => !t.voided)) {
      const tracked = this.tracker.find(session, t.orderId);
      fills.push({
        fillId: `projectx-${t.id}`,
        clientOrderId: tracked?.request.clientOrderId ?? `projectx-order-${t.orderId}`,
        brokerOrderId: String(t.orderId),
        ticker: tracked?.request.ticker ?? (await tickerOf(t.contractId)),
        side: t.side === SIDE.sell ? ('sell' as const) : ('buy' as const),
        quantity: t.size,
        price: t.price,
        commission: Math.round((t.fees > 0 ? t.fees : this.settings.commissionPerContract * t.size) * 100) / 100,
        time: Date.parse(t.creationTimestamp) || Date.now(),
        ...(tracked ? {} : { brokerAccountId: account.brokerAccountId }),
      });
    }
    const balance = accounts.find((a: PxAccount) => a.id === accountId)?.balance;
    return {
      brokerAccountId: account.brokerAccountId,
      positions,
      workingOrders,
      fills,
      cash: { balance: typeof balance === 'number' ? balance : null, realizedPnl: null, openPnl: null, netLiquidation: null },
    };
  }
}

const requestOf = (record: RecordedOrder) => ({
  clientOrderId: record.clientOrderId,
  brokerAccountId: record.brokerAccountId,
  ticker: record.ticker,
  side: record.side,
  quantity: record.quantity,
  type: record.type,
  ...(record.limitPrice !== null ? { limitPrice: record.limitPrice } : {}),
  ...(record.stopPrice !== null ? { stopPrice: record.stopPrice } : {}),
});
