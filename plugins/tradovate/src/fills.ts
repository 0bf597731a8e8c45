import type { BrokerFill } from '@tradeloop/contracts';
import type { BrokerKit } from './kit.js';
import type { OrderBook, Tracked } from './order-book.js';
import { CL_ORD_PREFIX, type Recognizer } from './recognition.js';
import type { Router } from './routing.js';
import type { PropsEvent, Session, TvCommandReport, TvFill } from './session.js';

/** Command statuses that refuse a command (a risk check, the execution). */
const REFUSED = new Set(['RiskRejected', 'ExecutionRejected']);

/**
 * Keeps the server's view of the account in step with Tradovate's user-data stream: each fill
 * reported once (ours with their clientOrderId, others' with the account, so they book as manual
 * trades), each order's fate applied, and our own orders recognised after every sync.
 */
export class FillSync {
  private readonly reported = new Set<string>();
  /** Placements waiting for Tradovate's answer: a fill of an unknown order may be one of theirs. */
  inFlight = 0;

  constructor(
    private readonly kit: BrokerKit,
    private readonly book: OrderBook,
    private readonly recognizer: Recognizer,
    private readonly router: Router,
  ) {}

  async onSynced(session: Session): Promise<void> {
    // Orders of ours from before a restart, still known to Tradovate.
    for (const order of session.state.orders.values()) this.recognizer.recognise(session, order);
    await this.recognizer.fromRecords(session);
    for (const tracked of this.book.byOrderId.values()) {
      const order = tracked.session === session && tracked.orderId !== undefined ? session.state.orders.get(tracked.orderId) : undefined;
      if (!order) continue;
      if (this.refusedNew(session, tracked.orderId!)) await this.book.reject(tracked);
      else await this.book.applyStatus(tracked, order.ordStatus);
    }
    await this.sweep(session);
  }

  async onProps(session: Session, event: PropsEvent): Promise<void> {
    switch (event.entityType) {
      case 'fill': {
        const fill = event.entity as TvFill;
        if (event.eventType !== 'Deleted' && fill.active !== false) await this.considerFill(session, fill, true);
        return;
      }
      case 'order':
      case 'orderVersion':
      case 'command': {
        const entity = event.entity as { orderId?: number; id?: number };
        const orderId = event.entityType === 'order' ? entity.id : entity.orderId;
        const order = typeof orderId === 'number' ? session.state.orders.get(orderId) : undefined;
        if (!order) return;
        const tracked = this.book.byOrderId.get(order.id) ?? this.recognizer.recognise(session, order);
        if (tracked) await this.book.applyStatus(tracked, order.ordStatus);
        // Fills that waited for their order to be recognised.
        await this.sweep(session);
        return;
      }
      case 'commandReport': {
        // A risk check says no here, with its reason: the order may not even say Rejected.
        const report = event.entity as TvCommandReport;
        const orderId = session.state.commands.get(report.commandId)?.orderId;
        if (orderId === undefined || !REFUSED.has(report.commandStatus ?? '')) return;
        const order = session.state.orders.get(orderId);
        const tracked = this.book.byOrderId.get(orderId) ?? (order ? this.recognizer.recognise(session, order) : undefined);
        if (tracked && this.refusedNew(session, orderId)) await this.book.reject(tracked);
        return;
      }
      case 'executionReport': {
        const report = event.entity as { orderId?: number; ordStatus?: string };
        const tracked = typeof report.orderId === 'number' ? this.book.byOrderId.get(report.orderId) : undefined;
        if (tracked && report.ordStatus === 'Rejected') await this.book.reject(tracked);
        return;
      }
      default:
        return;
    }
  }

  /** The order's own `New` command was refused: the order never reached the exchange. */
  private refusedNew(session: Session, orderId: number): boolean {
    const refused = session.state.refusedCommand(orderId);
    return refused !== undefined && refused.commandId === session.state.commandOf(orderId)?.id;
  }

  /** Reports every fill in the synced state that is due and not reported yet. */
  async sweep(session: Session): Promise<void> {
    for (const fill of [...session.state.fills.values()].sort((a, b) => a.id - b.id)) {
      if (fill.active !== false) await this.considerFill(session, fill, false);
    }
  }

  /**
   * A fill: of one of our orders (reported with its clientOrderId), or of an order made elsewhere
   * since this plugin started (reported with the account, so the server books it as a manual
   * trade). Older fills of others' orders are history and left alone.
   */
  private async considerFill(session: Session, fill: TvFill, live: boolean): Promise<void> {
    const fillId = `tradovate-${fill.id}`;
    if (this.reported.has(fillId)) return;
    const order = session.state.orders.get(fill.orderId);
    const tracked = this.book.byOrderId.get(fill.orderId) ?? (order ? this.recognizer.recognise(session, order) : undefined);
    if (!tracked) {
      // It may be the answer to a placement still on its way: decide once that has landed.
      if (this.inFlight > 0) return;
      const time = Date.parse(fill.timestamp) || Date.now();
      if (!live && time < session.startedAt) return;
    }
    const brokerFill = await this.toBrokerFill(session, fill, tracked);
    try {
      await this.kit.ctx.reportFill(brokerFill);
    } catch (error) {
      this.kit.logger.error(
        `reporting Tradovate fill ${fill.id} (${brokerFill.clientOrderId}) failed, will retry after the next sync: ${this.kit.safe(error)}`,
      );
      return;
    }
    this.reported.add(fillId);
    if (tracked) {
      tracked.filled += fill.qty;
      await this.book.completeIfFilled(tracked);
    }
  }

  async toBrokerFill(session: Session, fill: TvFill, tracked: Tracked | undefined): Promise<BrokerFill> {
    const order = session.state.orders.get(fill.orderId);
    const contract = await session.contractName(fill.contractId);
    const account = order ? session.state.accounts.get(order.accountId) : undefined;
    const clOrdId = session.state.clOrdIdOf(fill.orderId);
    const clientOrderId =
      tracked?.clientOrderId ??
      (clOrdId?.startsWith(CL_ORD_PREFIX) ? clOrdId.slice(CL_ORD_PREFIX.length) : `tradovate-order-${fill.orderId}`);
    const nameAccount = !tracked || tracked.nameAccount;
    return {
      fillId: `tradovate-${fill.id}`,
      clientOrderId,
      brokerOrderId: String(fill.orderId),
      ticker: tracked?.ticker ?? (contract ? this.router.canonical(contract) : String(fill.contractId)),
      side: fill.action === 'Buy' ? 'buy' : 'sell',
      quantity: fill.qty,
      price: fill.price,
      commission: Math.round(this.kit.settings.commissionPerContract * fill.qty * 100) / 100,
      time: Date.parse(fill.timestamp) || Date.now(),
      ...(nameAccount ? { brokerAccountId: tracked?.brokerAccountId ?? account?.name ?? String(order?.accountId ?? '') } : {}),
    };
  }
}
