import type {
  BracketAck,
  BracketExits,
  BrokerAccount,
  BrokerAccountSnapshot,
  BrokerContext,
  BrokerFill,
  BrokerPlugin,
  OrderAck,
  OrderRequest,
  OrderSide,
  OrderType,
  PluginLogger,
} from '@tradeloop/contracts';
import { orderRequestProblem } from '@tradeloop/contracts';
import { frontMonth, isSupportedRoot, rootOfSymbol, supportedRoots } from './contracts.js';
import { redact, type SessionPool } from './pool.js';
import { TradovateError } from './rest.js';
import type { PropsEvent, Session, TvAccount, TvFill, TvOrder, TvPosition } from './session.js';
import type { TradovateSettings } from './settings.js';

/** Our orders carry `clOrdId = tl:<clientOrderId>`, so they are recognised after a restart. */
export const CL_ORD_PREFIX = 'tl:';

const ORDER_TYPES: Record<OrderType, string> = { market: 'Market', limit: 'Limit', stop: 'Stop' };

/** `order/placeorder`, `order/placeOSO` and `order/cancelorder` answer with one of these. */
interface PlaceResult {
  failureReason?: string | null;
  failureText?: string | null;
  orderId?: number | null;
  oso1Id?: number | null;
  oso2Id?: number | null;
  commandId?: number | null;
}

type TrackedState = 'placing' | 'working' | 'filled' | 'cancelled' | 'rejected';

/** One order this plugin placed (or recognised as its own after a restart). */
interface Tracked {
  clientOrderId: string;
  brokerAccountId: string;
  session: Session;
  /** Canonical ticker (`NQ1!`). */
  ticker: string;
  side: OrderSide;
  type: OrderType;
  /** Null when not known (an order recognised after a restart). */
  quantity: number | null;
  orderId?: number;
  state: TrackedState;
  /** Tradovate said Filled; `state` becomes filled once all its fills are reported. */
  brokerFilled: boolean;
  reason?: string;
  filled: number;
  /** placeOrder has answered: later changes go out through reportOrderUpdate. */
  acked: boolean;
  finalReported: boolean;
  /** Bracket legs and recognised orders: the server may not know them, so their fills name the account. */
  nameAccount: boolean;
  waiters: Set<() => void>;
  /** Bracket entries: legs whose Tradovate order id did not come back with placeOSO. */
  pendingLegs?: Tracked[];
  legKind?: 'tp' | 'sl';
}

interface Route {
  account: BrokerAccount;
  session: Session;
  tvAccount: TvAccount;
}

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;
const isFinal = (t: Tracked) => t.state === 'filled' || t.state === 'cancelled' || t.state === 'rejected';
const words = (...parts: (string | null | undefined)[]) =>
  parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => p.trim())
    .join(': ');

/** Why an order cannot be sent at all, or undefined if it is well-formed. */
export function invalidOrder(order: OrderRequest): string | undefined {
  const problem = orderRequestProblem(order);
  if (problem) return problem;
  if (!Number.isInteger(order.quantity)) return `quantity must be a whole number of contracts, got ${order.quantity}`;
  return undefined;
}

/**
 * Tradovate as a broker: orders through the REST API, their fate (working, fills, rejections,
 * cancellations) through the user-data WebSocket's `props` events, so fills made in Tradovate's
 * own apps are reported too. Idempotent per clientOrderId.
 */
export class TradovateBroker implements BrokerPlugin {
  private readonly byClient = new Map<string, Tracked>();
  private readonly byOrderId = new Map<number, Tracked>();
  private readonly acks = new Map<string, Promise<OrderAck>>();
  private readonly brackets = new Map<string, Promise<BracketAck>>();
  private readonly reportedFills = new Set<string>();
  private readonly attached = new WeakSet<Session>();
  private accountsLoad?: Promise<BrokerAccount[]>;
  /** Events are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Placements waiting for Tradovate's answer: a fill of an unknown order may be one of theirs. */
  private inFlight = 0;
  private unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settings: TradovateSettings,
    private readonly pool: SessionPool,
    private readonly logger: PluginLogger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe.push(this.ctx.onAccountsChanged(() => void this.accountsChanged()));
    await this.connectAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    await this.queue;
  }

  placeOrder(order: OrderRequest): Promise<OrderAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') {
      return Promise.resolve({ brokerOrderId: '', status: 'rejected', reason: 'the order has no clientOrderId' });
    }
    let ack = this.acks.get(id);
    if (!ack) {
      ack = this.place({ ...order }).catch((error: unknown) => this.rejected(`Tradovate plugin error: ${(error as Error).message}`));
      this.acks.set(id, ack);
    }
    return ack;
  }

  async placeBracket(order: OrderRequest, exits: BracketExits): Promise<BracketAck> {
    const id = order?.clientOrderId;
    if (typeof id !== 'string' || id === '') return { entry: this.rejected('the order has no clientOrderId') };
    let ack = this.brackets.get(id);
    if (!ack) {
      ack = this.placeWithExits({ ...order }, { ...exits }).catch((error: unknown) => ({
        entry: this.rejected(`Tradovate plugin error: ${(error as Error).message}`),
      }));
      this.brackets.set(id, ack);
      this.acks.set(
        id,
        ack.then((b) => b.entry),
      );
    }
    return ack;
  }

  async cancelOrder(clientOrderId: string): Promise<boolean> {
    await this.acks.get(clientOrderId)?.catch(() => undefined);
    const tracked = this.byClient.get(clientOrderId);
    if (!tracked?.orderId || isFinal(tracked)) return false;
    let result: PlaceResult | null;
    try {
      result = await tracked.session.call<PlaceResult | null>('POST', 'order/cancelorder', {
        body: { orderId: tracked.orderId, isAutomated: true },
      });
    } catch (error) {
      this.logger.warn(`cancelling ${clientOrderId} (Tradovate order ${tracked.orderId}) failed: ${this.safe(error)}`);
      return false;
    }
    if (result?.failureReason || result?.failureText) {
      this.logger.warn(`Tradovate refused to cancel ${clientOrderId}: ${words(result.failureText, result.failureReason)}`);
      return false;
    }
    await this.until(tracked, () => isFinal(tracked), this.settings.ackTimeoutMs);
    if (tracked.state === 'filled') return false;
    if (tracked.state !== 'cancelled') {
      // Accepted; Tradovate's confirmation is still on its way.
      tracked.state = 'cancelled';
      this.notify(tracked);
    }
    tracked.finalReported = true;
    return true;
  }

  /** Liquidates the account's positions (in the ticker's root, or all) and cancels working orders there. */
  async flatten(brokerAccountId: string, ticker?: string): Promise<void> {
    const route = await this.route(brokerAccountId);
    if (!route.ok) throw new Error(route.problem);
    const { session, tvAccount } = route;
    const root = ticker ? this.ctx.instrument(ticker).root.toUpperCase() : undefined;
    const inScope = async (contractId: number) => !root || rootOfSymbol((await session.contractName(contractId)) ?? '') === root;
    const positions = await session.call<TvPosition[] | null>('GET', 'position/list');
    const failures: string[] = [];
    for (const position of positions ?? []) {
      if (position.accountId !== tvAccount.id || !position.netPos || !(await inScope(position.contractId))) continue;
      const result = await session
        .call<PlaceResult | null>('POST', 'order/liquidateposition', {
          body: { accountId: tvAccount.id, contractId: position.contractId, admin: false },
        })
        .catch((error: unknown) => ({ failureText: this.safe(error) }) as PlaceResult);
      if (result?.failureReason || result?.failureText) failures.push(words(result.failureText, result.failureReason));
    }
    for (const order of session.state.orders.values()) {
      if (order.accountId !== tvAccount.id || order.ordStatus !== 'Working' || !(await inScope(order.contractId))) continue;
      await session.call('POST', 'order/cancelorder', { body: { orderId: order.id, isAutomated: true } }).catch(() => undefined);
    }
    if (failures.length) throw new Error(`Tradovate could not flatten ${brokerAccountId}: ${failures.join('; ')}`);
  }

  async snapshot(brokerAccountId: string): Promise<BrokerAccountSnapshot> {
    const route = await this.route(brokerAccountId);
    if (!route.ok) throw new Error(route.problem);
    const { session, tvAccount } = route;
    const positions = (await session.call<TvPosition[] | null>('GET', 'position/list')) ?? [];
    const cash = await session
      .call<Record<string, number | string | null> | null>('POST', 'cashBalance/getCashBalanceSnapshot', {
        body: { accountId: tvAccount.id },
      })
      .catch((error: unknown) => {
        this.logger.warn(`reading the cash balance of ${brokerAccountId} failed: ${this.safe(error)}`);
        return null;
      });
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const named = async (contractId: number) => {
      const contract = (await session.contractName(contractId)) ?? String(contractId);
      return { contract, ticker: this.canonical(contract) };
    };
    const snapshot: BrokerAccountSnapshot = { brokerAccountId, positions: [], workingOrders: [], fills: [], cash: null };
    for (const p of positions) {
      if (p.accountId !== tvAccount.id || !p.netPos) continue;
      snapshot.positions.push({ ...(await named(p.contractId)), quantity: p.netPos, avgPrice: num(p.netPrice) });
    }
    for (const o of session.state.orders.values()) {
      if (o.accountId !== tvAccount.id || o.ordStatus !== 'Working') continue;
      const clOrdId = session.state.clOrdIdOf(o.id);
      snapshot.workingOrders.push({
        brokerOrderId: String(o.id),
        clientOrderId: clOrdId?.startsWith(CL_ORD_PREFIX) ? clOrdId.slice(CL_ORD_PREFIX.length) : null,
        side: o.action === 'Buy' ? 'buy' : 'sell',
        ...(await named(o.contractId)),
      });
    }
    for (const f of session.state.fills.values()) {
      const order = session.state.orders.get(f.orderId);
      if (order && order.accountId !== tvAccount.id) continue;
      snapshot.fills.push(await this.toBrokerFill(session, f, this.byOrderId.get(f.orderId)));
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

  // ---- placing ----

  private async place(order: OrderRequest): Promise<OrderAck> {
    const reason = invalidOrder(order);
    if (reason) return this.rejected(reason);
    const prepared = await this.prepare(order);
    if (!prepared.ok) return this.rejected(prepared.problem);
    const tracked = this.track(order, prepared.route);
    const result = await this.submit(tracked, 'order/placeorder', prepared.body);
    if (result.failure !== undefined) return this.settleRejected(tracked, result.failure);
    return this.awaitAck(tracked);
  }

  private async placeWithExits(order: OrderRequest, exits: BracketExits): Promise<BracketAck> {
    const reason =
      invalidOrder(order) ??
      (exits.takeProfit === undefined && exits.stopLoss === undefined ? 'a bracket needs a takeProfit, a stopLoss or both' : undefined) ??
      (exits.takeProfit !== undefined && !isPositive(exits.takeProfit)
        ? `takeProfit must be a price above 0, got ${exits.takeProfit}`
        : undefined) ??
      (exits.stopLoss !== undefined && !isPositive(exits.stopLoss) ? `stopLoss must be a price above 0, got ${exits.stopLoss}` : undefined);
    if (reason) return { entry: this.rejected(reason) };
    const prepared = await this.prepare(order);
    if (!prepared.ok) return { entry: this.rejected(prepared.problem) };
    const entry = this.track(order, prepared.route);
    const exitSide: OrderSide = order.side === 'buy' ? 'sell' : 'buy';
    const action = exitSide === 'buy' ? 'Buy' : 'Sell';
    const legs: Tracked[] = [];
    const body: Record<string, unknown> = { ...prepared.body };
    const leg = (kind: 'tp' | 'sl') => {
      const t = this.track(
        { ...order, clientOrderId: `${order.clientOrderId}:${kind}`, side: exitSide, type: kind === 'tp' ? 'limit' : 'stop' },
        prepared.route,
      );
      t.acked = true;
      t.nameAccount = true;
      t.legKind = kind;
      legs.push(t);
      return t;
    };
    if (exits.takeProfit !== undefined) {
      leg('tp');
      body.bracket1 = { action, orderType: 'Limit', price: exits.takeProfit };
    }
    if (exits.stopLoss !== undefined) {
      leg('sl');
      body[legs.length === 1 ? 'bracket1' : 'bracket2'] = { action, orderType: 'Stop', stopPrice: exits.stopLoss };
    }
    entry.pendingLegs = [...legs];
    const result = await this.submit(entry, 'order/placeOSO', body, (answer) => {
      // Link the legs whose ids came back; some answers leave oso2Id null: those are found from their parentId.
      [answer.oso1Id, answer.oso2Id].forEach((orderId, i) => {
        if (typeof orderId === 'number' && legs[i]) this.link(legs[i]!, orderId);
      });
      entry.pendingLegs = legs.filter((l) => l.orderId === undefined);
    });
    if (result.failure !== undefined) {
      for (const l of legs) this.settleRejected(l, result.failure);
      return { entry: this.settleRejected(entry, result.failure) };
    }
    const ack = await this.awaitAck(entry);
    const idOf = (kind: 'tp' | 'sl') => legs.find((l) => l.legKind === kind)?.orderId;
    return {
      entry: ack,
      ...(idOf('tp') !== undefined ? { takeProfitOrderId: String(idOf('tp')) } : {}),
      ...(idOf('sl') !== undefined ? { stopLossOrderId: String(idOf('sl')) } : {}),
    };
  }

  private async prepare(
    order: OrderRequest,
  ): Promise<{ ok: true; route: Route; body: Record<string, unknown> } | { ok: false; problem: string }> {
    let symbol: string;
    try {
      symbol = this.contractFor(order.ticker);
    } catch (error) {
      return { ok: false, problem: (error as Error).message };
    }
    const route = await this.route(order.brokerAccountId);
    if (!route.ok) return route;
    const body: Record<string, unknown> = {
      accountSpec: route.tvAccount.name,
      accountId: route.tvAccount.id,
      clOrdId: `${CL_ORD_PREFIX}${order.clientOrderId}`,
      action: order.side === 'buy' ? 'Buy' : 'Sell',
      symbol,
      orderQty: order.quantity,
      orderType: ORDER_TYPES[order.type],
      ...(order.type === 'limit' ? { price: order.limitPrice } : {}),
      ...(order.type === 'stop' ? { stopPrice: order.stopPrice } : {}),
      timeInForce: this.settings.timeInForce,
      isAutomated: true,
    };
    return { ok: true, route, body };
  }

  private track(order: OrderRequest, route: Route): Tracked {
    const tracked: Tracked = {
      clientOrderId: order.clientOrderId,
      brokerAccountId: order.brokerAccountId,
      session: route.session,
      ticker: order.ticker,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      state: 'placing',
      brokerFilled: false,
      filled: 0,
      acked: false,
      finalReported: false,
      nameAccount: false,
      waiters: new Set(),
    };
    this.byClient.set(order.clientOrderId, tracked);
    return tracked;
  }

  /** Sends the order; `failure` is the reason in words when Tradovate did not take it. */
  private async submit(
    tracked: Tracked,
    path: string,
    body: Record<string, unknown>,
    onPlaced?: (answer: PlaceResult) => void,
  ): Promise<{ failure?: string }> {
    this.inFlight++;
    try {
      let answer: PlaceResult | null;
      try {
        answer = await tracked.session.call<PlaceResult | null>('POST', path, { body });
      } catch (error) {
        const err = error as TradovateError;
        if (err.kind === 'timeout') {
          // The order may have reached Tradovate: its command would carry our clOrdId.
          const orderId = await this.findByClOrdId(tracked, this.settings.ackTimeoutMs);
          if (orderId !== undefined) {
            this.link(tracked, orderId);
            return {};
          }
          return { failure: `${this.safe(error)}; it was not seen arriving either — check Tradovate before sending it again` };
        }
        return { failure: `Tradovate did not take the order: ${this.safe(error)}` };
      }
      if (!answer || typeof answer !== 'object' || answer.failureReason || answer.failureText || typeof answer.orderId !== 'number') {
        const said = typeof answer === 'string' ? answer : words(answer?.failureText, answer?.failureReason);
        return { failure: `Tradovate rejected the order: ${said || 'no reason given'}` };
      }
      this.link(tracked, answer.orderId);
      onPlaced?.(answer);
      return {};
    } finally {
      this.inFlight--;
      // Events that waited for this answer (a fill of an order not yet known) can be placed now.
      this.enqueue(() => this.sweep(tracked.session));
    }
  }

  private async findByClOrdId(tracked: Tracked, timeoutMs: number): Promise<number | undefined> {
    const clOrdId = `${CL_ORD_PREFIX}${tracked.clientOrderId}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const command of tracked.session.state.commands.values()) if (command.clOrdId === clOrdId) return command.orderId;
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private link(tracked: Tracked, orderId: number): void {
    tracked.orderId = orderId;
    this.byOrderId.set(orderId, tracked);
    // Events may have arrived before the answer: catch up from the synced state.
    this.enqueue(async () => {
      const order = tracked.session.state.orders.get(orderId);
      if (order) await this.applyStatus(tracked, order.ordStatus);
    });
  }

  /** Waits until Tradovate has said working (limit, stop), filled or rejected, or the wait is over. */
  private async awaitAck(tracked: Tracked): Promise<OrderAck> {
    await this.until(
      tracked,
      () => isFinal(tracked) || (tracked.state === 'working' && tracked.type !== 'market'),
      this.settings.ackTimeoutMs,
    );
    const brokerOrderId = tracked.orderId === undefined ? '' : String(tracked.orderId);
    tracked.acked = true;
    if (isFinal(tracked)) tracked.finalReported = true;
    switch (tracked.state) {
      case 'filled':
        return { brokerOrderId, status: 'filled' };
      case 'rejected':
        return { brokerOrderId, status: 'rejected', reason: tracked.reason ?? 'rejected by Tradovate' };
      case 'cancelled':
        return { brokerOrderId, status: 'cancelled', reason: tracked.reason ?? 'cancelled at Tradovate' };
      case 'placing':
      case 'working':
        return { brokerOrderId, status: 'working' };
    }
  }

  private settleRejected(tracked: Tracked, text: string): OrderAck {
    const reason = redact(text, this.pool.secrets());
    tracked.state = 'rejected';
    tracked.reason = reason;
    tracked.acked = true;
    tracked.finalReported = true;
    this.notify(tracked);
    return { brokerOrderId: tracked.orderId === undefined ? '' : String(tracked.orderId), status: 'rejected', reason };
  }

  private rejected(reason: string): OrderAck {
    return { brokerOrderId: '', status: 'rejected', reason: redact(reason, this.pool.secrets()) };
  }

  // ---- routing ----

  /** The account, its session and its Tradovate account (name and numeric id). */
  private async route(brokerAccountId: string): Promise<({ ok: true } & Route) | { ok: false; problem: string }> {
    let accounts = await this.loadAccounts();
    let account = accounts.find((a) => a.brokerAccountId === brokerAccountId);
    if (!account) {
      this.accountsLoad = undefined;
      accounts = await this.loadAccounts();
      account = accounts.find((a) => a.brokerAccountId === brokerAccountId);
    }
    if (!account) return { ok: false, problem: `no Tradovate account "${brokerAccountId}" is configured in Tradeloop` };
    const resolved = this.pool.resolve(account);
    if (!resolved.ok) return { ok: false, problem: resolved.problem };
    const { session } = resolved;
    this.attach(session);
    const problem = session.problem();
    if (problem) return { ok: false, problem };
    const spec =
      typeof account.settings.accountSpec === 'string' && account.settings.accountSpec
        ? account.settings.accountSpec
        : account.brokerAccountId;
    const wantedId = Number(account.settings.accountId ?? spec);
    const find = () => [...session.state.accounts.values()].find((a) => a.name === spec || a.id === wantedId);
    let tvAccount = find();
    if (!tvAccount) {
      try {
        const list = (await session.call<TvAccount[] | null>('GET', 'account/list')) ?? [];
        for (const a of list) session.state.accounts.set(a.id, a);
      } catch (error) {
        return { ok: false, problem: this.safe(error) };
      }
      tvAccount = find();
    }
    if (!tvAccount) {
      const names = [...session.state.accounts.values()].map((a) => a.name).join(', ') || 'none';
      return { ok: false, problem: `Tradovate user ${session.label} has no account "${spec}" (it has: ${names})` };
    }
    return { ok: true, account, session, tvAccount };
  }

  private contractFor(ticker: string): string {
    const instrument = this.ctx.instrument(ticker);
    if (instrument.kind !== 'future' || !isSupportedRoot(instrument.root)) {
      throw new Error(`${ticker} is not a futures contract the Tradovate plugin maps (it maps ${supportedRoots().join(', ')})`);
    }
    return frontMonth(instrument.root, new Date(), this.settings.rollDaysBeforeExpiry).symbol;
  }

  private canonical(contract: string): string {
    const root = rootOfSymbol(contract);
    return root ? `${root}1!` : contract;
  }

  private loadAccounts(): Promise<BrokerAccount[]> {
    this.accountsLoad ??= this.ctx.accounts().then(
      (accounts) => {
        this.pool.remember(accounts);
        return accounts;
      },
      (error: unknown) => {
        this.accountsLoad = undefined;
        throw error;
      },
    );
    return this.accountsLoad;
  }

  private async accountsChanged(): Promise<void> {
    this.accountsLoad = undefined;
    await this.connectAll();
  }

  /** Logs in and opens the user-data socket of every configured login; idle (and says so) when there is none. */
  private async connectAll(): Promise<void> {
    if (this.stopped) return;
    let accounts: BrokerAccount[];
    try {
      accounts = await this.loadAccounts();
    } catch (error) {
      this.logger.error(`reading the Tradovate accounts failed: ${this.safe(error)}`);
      return;
    }
    if (!accounts.length) {
      this.logger.info('idle: no Tradovate account is configured (POST /api/accounts with "broker": "tradovate")');
      return;
    }
    for (const account of accounts) {
      const resolved = this.pool.resolve(account);
      if (resolved.ok) this.attach(resolved.session);
      else this.logger.warn(`account "${account.name}" cannot trade at Tradovate: ${resolved.problem}`);
    }
    this.pool.prune(accounts);
  }

  private attach(session: Session): void {
    if (this.stopped || this.attached.has(session)) return;
    this.attached.add(session);
    session.listen({
      onSynced: (s) => this.enqueue(() => this.onSynced(s)),
      onProps: (s, event) => this.enqueue(() => this.onProps(s, event)),
    });
    session.startUserSync();
  }

  // ---- events ----

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(task)
      .catch((error: unknown) => this.logger.error(`handling a Tradovate event failed: ${this.safe(error)}`));
  }

  private async onSynced(session: Session): Promise<void> {
    // Orders of ours from before a restart, still known to Tradovate.
    for (const order of session.state.orders.values()) this.recognise(session, order);
    for (const tracked of this.byOrderId.values()) {
      const order = tracked.session === session && tracked.orderId !== undefined ? session.state.orders.get(tracked.orderId) : undefined;
      if (order) await this.applyStatus(tracked, order.ordStatus);
    }
    await this.sweep(session);
  }

  private async onProps(session: Session, event: PropsEvent): Promise<void> {
    switch (event.entityType) {
      case 'fill': {
        const fill = event.entity as TvFill;
        if (event.eventType !== 'Deleted' && fill?.active !== false) await this.considerFill(session, fill, true);
        return;
      }
      case 'order':
      case 'orderVersion':
      case 'command': {
        const orderId = (event.entity as { orderId?: number; id?: number }).orderId ?? (event.entity as { id?: number }).id;
        const order = typeof orderId === 'number' ? session.state.orders.get(orderId) : undefined;
        if (!order) return;
        const tracked = this.byOrderId.get(order.id) ?? this.recognise(session, order);
        if (tracked) await this.applyStatus(tracked, order.ordStatus);
        // Fills that waited for their order to be recognised.
        await this.sweep(session);
        return;
      }
      case 'executionReport': {
        const report = event.entity as { orderId?: number; ordStatus?: string };
        const tracked = typeof report.orderId === 'number' ? this.byOrderId.get(report.orderId) : undefined;
        if (tracked && report.ordStatus === 'Rejected') await this.applyStatus(tracked, 'Rejected');
        return;
      }
      default:
        return;
    }
  }

  /** An order Tradovate knows that is ours: a bracket leg found by its parent, or a `tl:` order from before a restart. */
  private recognise(session: Session, order: TvOrder): Tracked | undefined {
    const known = this.byOrderId.get(order.id);
    if (known) return known;
    const parent = typeof order.parentId === 'number' ? this.byOrderId.get(order.parentId) : undefined;
    if (parent?.pendingLegs?.length) {
      const type = session.state.versionOf(order.id)?.orderType;
      const leg =
        parent.pendingLegs.length === 1
          ? parent.pendingLegs[0]
          : parent.pendingLegs.find((l) => (type === 'Limit' && l.legKind === 'tp') || (type === 'Stop' && l.legKind === 'sl'));
      if (!leg) return undefined;
      parent.pendingLegs = parent.pendingLegs.filter((l) => l !== leg);
      leg.orderId = order.id;
      this.byOrderId.set(order.id, leg);
      return leg;
    }
    const clOrdId = session.state.clOrdIdOf(order.id);
    if (!clOrdId?.startsWith(CL_ORD_PREFIX)) return undefined;
    const clientOrderId = clOrdId.slice(CL_ORD_PREFIX.length);
    const placing = this.byClient.get(clientOrderId);
    if (placing) {
      // Our placement whose events came before Tradovate's answer to it.
      if (placing.orderId !== undefined && placing.orderId !== order.id) return undefined;
      placing.orderId = order.id;
      this.byOrderId.set(order.id, placing);
      return placing;
    }
    const account = session.state.accounts.get(order.accountId);
    const contract = session.state.contracts.get(order.contractId)?.name;
    const tracked: Tracked = {
      clientOrderId,
      brokerAccountId: account?.name ?? String(order.accountId),
      session,
      ticker: contract ? this.canonical(contract) : String(order.contractId),
      side: order.action === 'Buy' ? 'buy' : 'sell',
      type: 'market',
      quantity: session.state.versionOf(order.id)?.orderQty ?? null,
      orderId: order.id,
      state: 'working',
      brokerFilled: false,
      filled: 0,
      acked: true,
      finalReported: false,
      nameAccount: true,
      waiters: new Set(),
    };
    this.byClient.set(clientOrderId, tracked);
    this.byOrderId.set(order.id, tracked);
    return tracked;
  }

  private async applyStatus(tracked: Tracked, ordStatus: string): Promise<void> {
    switch (ordStatus) {
      case 'Working':
        if (tracked.state === 'placing') {
          tracked.state = 'working';
          this.notify(tracked);
        }
        return;
      case 'Filled':
        tracked.brokerFilled = true;
        await this.completeIfFilled(tracked);
        return;
      case 'Canceled':
      case 'Expired':
        if (isFinal(tracked)) return;
        tracked.state = 'cancelled';
        tracked.reason = ordStatus === 'Expired' ? 'expired at Tradovate' : 'cancelled at Tradovate';
        await this.reportFinal(tracked);
        return;
      case 'Rejected':
        if (isFinal(tracked)) return;
        tracked.state = 'rejected';
        tracked.reason = redact(
          `Tradovate rejected the order: ${(tracked.orderId !== undefined && tracked.session.state.rejectionOf(tracked.orderId)) || 'no reason given'}`,
          this.pool.secrets(),
        );
        await this.reportFinal(tracked);
        return;
      default:
        return;
    }
  }

  private async completeIfFilled(tracked: Tracked): Promise<void> {
    if (!tracked.brokerFilled || tracked.state === 'filled') return;
    if (tracked.quantity === null ? tracked.filled <= 0 : tracked.filled < tracked.quantity) return;
    tracked.state = 'filled';
    await this.reportFinal(tracked);
  }

  private async reportFinal(tracked: Tracked): Promise<void> {
    this.notify(tracked);
    if (!tracked.acked || tracked.finalReported || tracked.orderId === undefined) return;
    tracked.finalReported = true;
    const status = tracked.state === 'filled' ? 'filled' : tracked.state === 'rejected' ? 'rejected' : 'cancelled';
    try {
      await this.ctx.reportOrderUpdate({
        clientOrderId: tracked.clientOrderId,
        brokerOrderId: String(tracked.orderId),
        status,
        ...(tracked.reason && status !== 'filled' ? { reason: tracked.reason } : {}),
      });
    } catch (error) {
      tracked.finalReported = false;
      this.logger.error(`reporting ${tracked.clientOrderId} ${status} failed: ${this.safe(error)}`);
    }
  }

  /** Reports every fill in the synced state that is due and not reported yet. */
  private async sweep(session: Session): Promise<void> {
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
    if (this.reportedFills.has(fillId)) return;
    const order = session.state.orders.get(fill.orderId);
    const tracked = this.byOrderId.get(fill.orderId) ?? (order ? this.recognise(session, order) : undefined);
    if (!tracked) {
      // It may be the answer to a placement still on its way: decide once that has landed.
      if (this.inFlight > 0) return;
      const time = Date.parse(fill.timestamp) || Date.now();
      if (!live && time < session.startedAt) return;
    }
    const brokerFill = await this.toBrokerFill(session, fill, tracked);
    try {
      await this.ctx.reportFill(brokerFill);
    } catch (error) {
      this.logger.error(
        `reporting Tradovate fill ${fill.id} (${brokerFill.clientOrderId}) failed, will retry after the next sync: ${this.safe(error)}`,
      );
      return;
    }
    this.reportedFills.add(fillId);
    if (tracked) {
      tracked.filled += fill.qty;
      await this.completeIfFilled(tracked);
    }
  }

  private async toBrokerFill(session: Session, fill: TvFill, tracked: Tracked | undefined): Promise<BrokerFill> {
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
      ticker: tracked?.ticker ?? (contract ? this.canonical(contract) : String(fill.contractId)),
      side: fill.action === 'Buy' ? 'buy' : 'sell',
      quantity: fill.qty,
      price: fill.price,
      commission: Math.round(this.settings.commissionPerContract * fill.qty * 100) / 100,
      time: Date.parse(fill.timestamp) || Date.now(),
      ...(nameAccount ? { brokerAccountId: tracked?.brokerAccountId ?? account?.name ?? String(order?.accountId ?? '') } : {}),
    };
  }

  // ---- waiting ----

  private notify(tracked: Tracked): void {
    for (const waiter of [...tracked.waiters]) waiter();
  }

  private until(tracked: Tracked, done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        tracked.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      tracked.waiters.add(check);
    });
  }

  private safe(error: unknown): string {
    return redact(error instanceof Error ? error.message : String(error), this.pool.secrets());
  }
}
