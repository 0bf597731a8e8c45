import type { OrderSide, RecordedOrder } from '@tradeloop/contracts';
import { rootOfSymbol } from './contracts.js';
import type { BrokerKit } from './kit.js';
import { isFinal, type OrderBook, type Tracked } from './order-book.js';
import type { Router } from './routing.js';
import type { Session, TvOrder } from './session.js';

/** Our orders carry `clOrdId = tl:<clientOrderId>`, so they are recognised after a restart when Tradovate keeps it. */
export const CL_ORD_PREFIX = 'tl:';

/** Clocks differ: an order at Tradovate may carry a time a little before the server recorded it. */
export const CLOCK_SKEW_MS = 5000;

const ORDER_TYPES = { market: 'Market', limit: 'Limit', stop: 'Stop' } as const;

/** An order at Tradovate, as far as recognising it by its fields needs. */
export interface Candidate {
  orderId: number;
  accountId: number;
  root: string | undefined;
  side: OrderSide;
  quantity: number | undefined;
  orderType: string | undefined;
  price: number | null | undefined;
  stopPrice: number | null | undefined;
  /** Epoch ms of the order's creation at Tradovate. */
  time: number;
  clOrdId: string | null | undefined;
  /** The command's `isAutomated`: false means a person placed it. */
  automated: boolean | null | undefined;
}

/** A recorded order, with the Tradovate account and contract root it must have. */
export interface Target {
  record: RecordedOrder;
  accountId: number;
  root: string;
}

/** Whether an order at Tradovate is the one the server recorded: same account, contract, side, size, type and prices, sent after it was recorded by a program. */
export function fits(target: Target, c: Candidate): boolean {
  const r = target.record;
  if (c.accountId !== target.accountId || c.root !== target.root) return false;
  if (c.side !== r.side || c.quantity !== r.quantity || c.orderType !== ORDER_TYPES[r.type]) return false;
  if (r.type === 'limit' && c.price !== r.limitPrice) return false;
  if (r.type === 'stop' && c.stopPrice !== r.stopPrice) return false;
  if (c.clOrdId && c.clOrdId !== `${CL_ORD_PREFIX}${r.clientOrderId}`) return false;
  if (c.automated === false) return false;
  return c.time >= r.createdAt - CLOCK_SKEW_MS;
}

/** Pairs recorded orders with orders at Tradovate by their fields, oldest with oldest, each order once. */
export function matchByFields(targets: Target[], candidates: Candidate[]): Map<string, number> {
  const matched = new Map<string, number>();
  const taken = new Set<number>();
  const byTime = [...candidates].sort((a, b) => a.time - b.time || a.orderId - b.orderId);
  for (const target of [...targets].sort((a, b) => a.record.createdAt - b.record.createdAt)) {
    const hit = byTime.find((c) => !taken.has(c.orderId) && fits(target, c));
    if (!hit) continue;
    taken.add(hit.orderId);
    matched.set(target.record.clientOrderId, hit.orderId);
  }
  return matched;
}

/**
 * Finds this plugin's own orders among those Tradovate knows: bracket legs by their parent, orders
 * whose command kept our clOrdId, and — because Tradovate need not copy the clOrdId onto the
 * command — the orders the server recorded: by the order id the place answer gave, else by fields.
 */
export class Recognizer {
  constructor(
    private readonly kit: BrokerKit,
    private readonly book: OrderBook,
    private readonly router: Router,
  ) {}

  /** An order Tradovate knows that is ours by its parent or its clOrdId. */
  recognise(session: Session, order: TvOrder): Tracked | undefined {
    const known = this.book.byOrderId.get(order.id);
    if (known) return known;
    const parent = typeof order.parentId === 'number' ? this.book.byOrderId.get(order.parentId) : undefined;
    if (parent?.pendingLegs?.length) {
      const type = session.state.versionOf(order.id)?.orderType;
      const leg =
        parent.pendingLegs.length === 1
          ? parent.pendingLegs[0]
          : parent.pendingLegs.find((l) => (type === 'Limit' && l.legKind === 'tp') || (type === 'Stop' && l.legKind === 'sl'));
      if (!leg) return undefined;
      parent.pendingLegs = parent.pendingLegs.filter((l) => l !== leg);
      leg.orderId = order.id;
      this.book.byOrderId.set(order.id, leg);
      return leg;
    }
    const clOrdId = session.state.clOrdIdOf(order.id);
    if (!clOrdId?.startsWith(CL_ORD_PREFIX)) return undefined;
    const clientOrderId = clOrdId.slice(CL_ORD_PREFIX.length);
    const placing = this.book.byClient.get(clientOrderId);
    if (placing) {
      // Our placement whose events came before Tradovate's answer to it.
      if (placing.orderId !== undefined && placing.orderId !== order.id) return undefined;
      placing.orderId = order.id;
      this.book.byOrderId.set(order.id, placing);
      return placing;
    }
    return this.adopt(session, order, clientOrderId);
  }

  /** After a sync: the server's open orders this plugin does not track yet, found at Tradovate by id, then by fields. */
  async fromRecords(session: Session): Promise<void> {
    const load = this.kit.ctx.openOrders;
    if (!load) return;
    let records: RecordedOrder[];
    try {
      records = (await load()).filter((r) => !this.book.byClient.has(r.clientOrderId));
    } catch (error) {
      this.kit.logger.warn(`reading the server's open orders failed: ${this.kit.safe(error)}`);
      return;
    }
    const byFields: RecordedOrder[] = [];
    for (const record of records) {
      const id = Number(record.brokerOrderId);
      const order = record.brokerOrderId && Number.isInteger(id) ? session.state.orders.get(id) : undefined;
      if (order && !this.book.byOrderId.has(order.id)) await this.take(session, order, record);
      else if (!record.brokerOrderId) byFields.push(record);
    }
    if (!byFields.length) return;
    const targets: Target[] = [];
    for (const record of byFields) {
      const route = await this.router.route(record.brokerAccountId);
      if (!route.ok || route.session !== session) continue;
      targets.push({ record, accountId: route.tvAccount.id, root: this.kit.ctx.instrument(record.ticker).root.toUpperCase() });
    }
    const open = [...session.state.orders.values()].filter((o) => !this.book.byOrderId.has(o.id));
    const matches = matchByFields(targets, await this.candidates(session, open));
    for (const target of targets) {
      const orderId = matches.get(target.record.clientOrderId);
      const order = orderId === undefined ? undefined : session.state.orders.get(orderId);
      if (!order) continue;
      this.kit.logger.info(
        `recognised Tradovate order ${order.id} as ${target.record.clientOrderId} by its account, contract, side, size and type`,
      );
      await this.take(session, order, target.record);
    }
  }

  /** A placement whose answer never came: did it reach Tradovate? By clOrdId, else by fields when exactly one order fits. */
  async findPlaced(tracked: Tracked, accountId: number, timeoutMs: number): Promise<number | undefined> {
    const { session } = tracked;
    const clOrdId = `${CL_ORD_PREFIX}${tracked.clientOrderId}`;
    const target: Target = {
      record: {
        clientOrderId: tracked.clientOrderId,
        brokerAccountId: tracked.brokerAccountId,
        brokerOrderId: null,
        ticker: tracked.ticker,
        side: tracked.side,
        quantity: tracked.quantity ?? 0,
        type: tracked.type,
        limitPrice: tracked.limitPrice ?? null,
        stopPrice: tracked.stopPrice ?? null,
        createdAt: tracked.sentAt ?? Date.now(),
      },
      accountId,
      root: this.kit.ctx.instrument(tracked.ticker).root.toUpperCase(),
    };
    const look = async () => {
      for (const command of session.state.commands.values()) if (command.clOrdId === clOrdId) return command.orderId;
      const open = [...session.state.orders.values()].filter((o) => !this.book.byOrderId.has(o.id));
      const fitting = (await this.candidates(session, open)).filter((c) => fits(target, c));
      const rivals = [...this.book.byClient.values()].filter(
        (t) =>
          t !== tracked &&
          t.orderId === undefined &&
          !isFinal(t) &&
          t.session === session &&
          t.ticker === tracked.ticker &&
          t.side === tracked.side,
      );
      return fitting.length === 1 && !rivals.length ? fitting[0]!.orderId : undefined;
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await look();
      if (found !== undefined || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async take(session: Session, order: TvOrder, record: RecordedOrder): Promise<void> {
    const tracked = this.adopt(session, order, record.clientOrderId, record);
    await this.book.applyStatus(tracked, order.ordStatus);
  }

  private adopt(session: Session, order: TvOrder, clientOrderId: string, record?: RecordedOrder): Tracked {
    const account = session.state.accounts.get(order.accountId);
    const contract = session.state.contracts.get(order.contractId)?.name;
    return this.book.adopt({
      clientOrderId,
      brokerAccountId: record?.brokerAccountId ?? account?.name ?? String(order.accountId),
      session,
      ticker: record?.ticker ?? (contract ? this.router.canonical(contract) : String(order.contractId)),
      side: order.action === 'Buy' ? 'buy' : 'sell',
      type: record?.type ?? 'market',
      quantity: record?.quantity ?? session.state.versionOf(order.id)?.orderQty ?? null,
      limitPrice: record?.limitPrice ?? null,
      stopPrice: record?.stopPrice ?? null,
      orderId: order.id,
    });
  }

  private async candidates(session: Session, orders: TvOrder[]): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const order of orders) {
      const version = session.state.versionOf(order.id);
      const command = session.state.commandOf(order.id);
      const contract = session.state.contracts.get(order.contractId)?.name ?? (await session.contractName(order.contractId));
      out.push({
        orderId: order.id,
        accountId: order.accountId,
        root: contract ? rootOfSymbol(contract) : undefined,
        side: order.action === 'Buy' ? 'buy' : 'sell',
        quantity: version?.orderQty,
        orderType: version?.orderType,
        price: version?.price,
        stopPrice: version?.stopPrice,
        time: Date.parse(order.timestamp ?? command?.timestamp ?? '') || 0,
        clOrdId: command?.clOrdId,
        automated: command?.isAutomated,
      });
    }
    return out;
  }
}
