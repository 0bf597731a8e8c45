import type { BrokerAccountSnapshot } from '@tradeloop/contracts';
import { refusalOf, type CommandAnswer } from './answers.js';
import { rootOfSymbol } from './contracts.js';
import type { FillSync } from './fills.js';
import type { BrokerKit } from './kit.js';
import type { OrderBook } from './order-book.js';
import { CL_ORD_PREFIX } from './recognition.js';
import type { Router } from './routing.js';
import type { TvPosition } from './session.js';
import { isOpenStatus, needsCancel } from './statuses.js';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * An account as Tradovate holds it (positions, open orders, fills, cash), and flattening it. Open
 * means every order still able to fill: working, held until its parent fills (`Suspended`), not yet
 * accepted (`PendingNew`) or being changed or cancelled.
 */
export class AccountState {
  constructor(
    private readonly kit: BrokerKit,
    private readonly router: Router,
    private readonly book: OrderBook,
    private readonly fills: FillSync,
  ) {}

  /** Liquidates the account's positions (in the ticker's root, or all) and cancels its open orders there. */
  async flatten(brokerAccountId: string, ticker?: string): Promise<void> {
    const route = await this.router.route(brokerAccountId);
    if (!route.ok) throw new Error(route.problem);
    const { session, tvAccount } = route;
    const root = ticker ? this.kit.ctx.instrument(ticker).root.toUpperCase() : undefined;
    const inScope = async (contractId: number) => !root || rootOfSymbol((await session.contractName(contractId)) ?? '') === root;
    const positions = await session.call<TvPosition[] | null>('GET', 'position/list');
    const failures: string[] = [];
    for (const position of positions ?? []) {
      if (position.accountId !== tvAccount.id || !position.netPos || !(await inScope(position.contractId))) continue;
      const result = await session
        .call<CommandAnswer | null>('POST', 'order/liquidateposition', {
          body: { accountId: tvAccount.id, contractId: position.contractId, admin: false, isAutomated: true },
          order: true,
        })
        .catch((error: unknown) => ({ failureText: this.kit.safe(error) }) as CommandAnswer);
      const refusal = refusalOf(result, 'any-id');
      if (refusal !== undefined) failures.push(this.kit.redact(refusal));
    }
    for (const order of session.state.orders.values()) {
      if (order.accountId !== tvAccount.id || !needsCancel(order.ordStatus) || !(await inScope(order.contractId))) continue;
      const result = await session
        .call<CommandAnswer | null>('POST', 'order/cancelorder', { body: { orderId: order.id, isAutomated: true }, order: true })
        .catch((error: unknown) => ({ failureText: this.kit.safe(error) }) as CommandAnswer);
      const refusal = refusalOf(result, 'any-id');
      // An order that filled or ended meanwhile needs no cancel; anything else is worth saying.
      if (refusal !== undefined && !/TooLate/.test(refusal)) failures.push(`cancelling order ${order.id}: ${this.kit.redact(refusal)}`);
    }
    if (failures.length) throw new Error(`Tradovate could not flatten ${brokerAccountId}: ${failures.join('; ')}`);
  }

  async snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    const route = await this.router.route(brokerAccountId);
    if (!route.ok) throw new Error(route.problem);
    const { session, tvAccount } = route;
    const positions = (await session.call<TvPosition[] | null>('GET', 'position/list')) ?? [];
    const cash = await session
      .call<Record<string, number | string | null> | null>('POST', 'cashBalance/getCashBalanceSnapshot', {
        body: { accountId: tvAccount.id },
      })
      .catch((error: unknown) => {
        this.kit.logger.warn(`reading the cash balance of ${brokerAccountId} failed: ${this.kit.safe(error)}`);
        return null;
      });
    const named = async (contractId: number) => {
      const contract = (await session.contractName(contractId)) ?? String(contractId);
      return { contract, ticker: this.router.canonical(contract) };
    };
    const snapshot: BrokerAccountSnapshot = { brokerAccountId, positions: [], workingOrders: [], fills: [], cash: null };
    for (const p of positions) {
      if (p.accountId !== tvAccount.id || !p.netPos) continue;
      snapshot.positions.push({ ...(await named(p.contractId)), quantity: p.netPos, avgPrice: num(p.netPrice) });
    }
    for (const o of session.state.orders.values()) {
      if (o.accountId !== tvAccount.id || !isOpenStatus(o.ordStatus)) continue;
      const tracked = this.book.byOrderId.get(o.id);
      const clOrdId = session.state.clOrdIdOf(o.id);
      snapshot.workingOrders.push({
        brokerOrderId: String(o.id),
        clientOrderId: tracked?.clientOrderId ?? (clOrdId?.startsWith(CL_ORD_PREFIX) ? clOrdId.slice(CL_ORD_PREFIX.length) : null),
        side: o.action === 'Buy' ? 'buy' : 'sell',
        ...(await named(o.contractId)),
      });
    }
    for (const f of session.state.fills.values()) {
      const order = session.state.orders.get(f.orderId);
      if (order && order.accountId !== tvAccount.id) continue;
      snapshot.fills.push(await this.fills.toBrokerFill(session, f, this.book.byOrderId.get(f.orderId)));
    }
    if (cash && !cash.errorText) {
      snapshot.cash = {
        balance: num(cash.totalCashValue),
        realizedPnl: num(cash.realizedPnL),
        openPnl: num(cash.openPnL),
        netLiquidation: num(cash.netLiq),
      };
    }
    return snapshot;
  }
}
