/**
 * The fake Tradovate's books: users and their tokens, orders with their commands, command reports,
 * execution reports, versions, fills and positions, matched against the quotes a test sets like an
 * exchange would. Every change goes out as a `props` event through `emit`; what one action changes
 * in one entity type goes out as one event, its `entity` an array when there are several (the
 * documented form Tradovate's own C# client reads).
 */

export interface FakeUser {
  userId: number;
  name: string;
  password: string;
  sec: string;
  accounts: { id: number; name: string }[];
  /** Answer the login with this errorText instead of a token. */
  refuseLogin?: string;
  /** Device ids approved for live trading (Tradovate's "My Devices"). */
  approvedDevices?: string[];
  /** A partner (B2B) organization login: `user/syncrequest` needs `splitResponses` and `entityTypes`. */
  partner?: boolean;
}

export interface FakeOrder {
  id: number;
  accountId: number;
  contractId: number;
  symbol: string;
  action: 'Buy' | 'Sell';
  qty: number;
  orderType: 'Market' | 'Limit' | 'Stop';
  price?: number;
  stopPrice?: number;
  /** As sent (Day, FOK, GTC, GTD, IOC); IOC and FOK orders that do not fill at once are cancelled. */
  timeInForce?: string;
  ordStatus: string;
  parentId?: number;
  /** Bracket legs: activated when this order fills. */
  children: number[];
  /** OCO partners: cancelled when this order fills. */
  oco: number[];
  restedAfter: number;
  timestamp: string;
}

export interface FakeFill {
  id: number;
  orderId: number;
  contractId: number;
  timestamp: string;
  action: 'Buy' | 'Sell';
  qty: number;
  price: number;
  active: boolean;
}

interface FakeCommand {
  id: number;
  orderId: number;
  timestamp: string;
  clOrdId: string | null;
  commandType: 'New' | 'Cancel';
  commandStatus: string;
  isAutomated: boolean;
}

interface Token {
  userId: number;
  expiresAt: number;
  deviceId: string | null;
  revoked: boolean;
}

export type Emit = (accountId: number, entityType: string, entities: object[], eventType?: string) => void;

export const DEFAULT_USER: FakeUser = {
  userId: 7001,
  name: 'trader1',
  password: 'pa55-w0rd-secret',
  sec: 'api-secret-0123456789',
  accounts: [{ id: 501, name: 'DEMO501' }],
};

export class FakeExchange {
  readonly orders = new Map<number, FakeOrder>();
  readonly fills: FakeFill[] = [];
  readonly commands: FakeCommand[] = [];
  readonly commandReports: object[] = [];
  readonly executionReports: object[] = [];
  readonly contracts = new Map<string, number>();
  readonly positions = new Map<string, { id: number; accountId: number; contractId: number; netPos: number; netPrice: number | null }>();
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  readonly tokens = new Map<string, Token>();
  /** Copy the request's clOrdId onto the order's command (the docs do not say Tradovate does). */
  echoClOrdId = false;
  /** Fill a market order in this many fills of equal size (one event, an array of fills). */
  splitFills = 1;
  /** Keep new orders `PendingNew` (not yet accepted by the exchange) until `releaseHeld()`. */
  holdNew = false;
  private rejectNext: string[] = [];
  private riskRejectNext: { rejectReason: string; text: string }[] = [];
  private nextId = 1000;
  private quoteSeq = 0;

  constructor(
    readonly users: FakeUser[],
    private readonly tokenLifetimeMs: number,
    private readonly emit: Emit,
  ) {}

  id(): number {
    return ++this.nextId;
  }

  userOf(accountId: number): FakeUser | undefined {
    return this.users.find((u) => u.accounts.some((a) => a.id === accountId));
  }

  contractId(symbol: string): number {
    let id = this.contracts.get(symbol);
    if (id === undefined) this.contracts.set(symbol, (id = 3_000_000 + this.contracts.size + 1));
    return id;
  }

  symbolOf(contractId: number): string | undefined {
    return [...this.contracts].find(([, id]) => id === contractId)?.[0];
  }

  // ---- tokens ----

  /** A login or renewal: a renewal's answer has no mdAccessToken (AccessTokenResponse has none). */
  issue(user: FakeUser, deviceId: string | null, withMd: boolean) {
    const n = this.id();
    const expiresAt = Date.now() + this.tokenLifetimeMs;
    const accessToken = `access-${n}`;
    this.tokens.set(accessToken, { userId: user.userId, expiresAt, deviceId, revoked: false });
    const answer: Record<string, unknown> = {
      accessToken,
      expirationTime: new Date(expiresAt).toISOString(),
      userStatus: 'Active',
      userId: user.userId,
      name: user.name,
      hasLive: false,
    };
    if (withMd) {
      answer.mdAccessToken = `md-${n}`;
      this.tokens.set(`md-${n}`, { userId: user.userId, expiresAt, deviceId, revoked: false });
    }
    return answer;
  }

  valid(token: string | null | undefined): Token | undefined {
    const t = token ? this.tokens.get(token) : undefined;
    return t && !t.revoked && t.expiresAt > Date.now() ? t : undefined;
  }

  // ---- what a test arranges ----

  rejectNextOrder(text: string): void {
    this.rejectNext.push(text);
  }

  riskRejectNextOrder(rejectReason: string, text: string): void {
    this.riskRejectNext.push({ rejectReason, text });
  }

  /** Sets the top of book of a contract; resting orders it crosses fill. */
  quote(symbol: string, bid: number, ask: number): void {
    const seq = ++this.quoteSeq;
    this.quotes.set(symbol, { bid, ask });
    for (const order of [...this.orders.values()]) {
      if (order.symbol !== symbol || order.ordStatus !== 'Working' || order.restedAfter >= seq) continue;
      const price = this.crossing(order, { bid, ask });
      if (price !== undefined) this.fill(order, price);
    }
  }

  releaseHeld(): void {
    this.holdNew = false;
    for (const order of [...this.orders.values()])
      if (order.ordStatus === 'PendingNew' && order.parentId === undefined) this.activate(order);
  }

  // ---- orders ----

  createOrder(fields: {
    accountId: number;
    symbol: string;
    action: 'Buy' | 'Sell';
    qty: number;
    orderType: 'Market' | 'Limit' | 'Stop';
    price?: number;
    stopPrice?: number;
    timeInForce?: string;
    clOrdId?: string;
    parentId?: number;
    ordStatus?: string;
    isAutomated?: boolean;
  }): FakeOrder {
    const timestamp = new Date().toISOString();
    const { clOrdId, isAutomated, ...rest } = fields;
    const order: FakeOrder = {
      id: this.id(),
      contractId: this.contractId(fields.symbol),
      children: [],
      oco: [],
      restedAfter: this.quoteSeq,
      timestamp,
      ...rest,
      ordStatus: fields.ordStatus ?? 'PendingNew',
    };
    this.orders.set(order.id, order);
    const command: FakeCommand = {
      id: this.id(),
      orderId: order.id,
      timestamp,
      clOrdId: this.echoClOrdId ? (clOrdId ?? null) : null,
      commandType: 'New',
      commandStatus: 'OnHold',
      isAutomated: isAutomated === true,
    };
    this.commands.push(command);
    this.emit(order.accountId, 'command', [command], 'Created');
    this.emit(order.accountId, 'order', [this.orderEntity(order)], 'Created');
    this.emit(order.accountId, 'orderVersion', [this.versionEntity(order)], 'Created');
    return order;
  }

  /** Decides a new order's fate: refused by the risk check, rejected by the exchange, filled, or working. */
  activate(order: FakeOrder): void {
    const command = this.commands.find((c) => c.orderId === order.id && c.commandType === 'New');
    const risk = this.riskRejectNext.shift();
    if (risk && command) {
      command.commandStatus = 'RiskRejected';
      const report = {
        id: this.id(),
        commandId: command.id,
        timestamp: new Date().toISOString(),
        commandStatus: 'RiskRejected',
        ...risk,
        ordStatus: 'Rejected',
      };
      this.commandReports.push(report);
      this.emit(order.accountId, 'command', [command]);
      this.emit(order.accountId, 'commandReport', [report], 'Created');
      this.setStatus([order], 'Rejected');
      return;
    }
    if (command) {
      command.commandStatus = 'RiskPassed';
      const report = {
        id: this.id(),
        commandId: command.id,
        timestamp: new Date().toISOString(),
        commandStatus: 'RiskPassed',
        rejectReason: 'Success',
      };
      this.commandReports.push(report);
      this.emit(order.accountId, 'commandReport', [report], 'Created');
    }
    if (this.holdNew) return;
    const rejection = this.rejectNext.shift();
    const quote = this.quotes.get(order.symbol);
    const price = quote ? this.crossing(order, quote) : undefined;
    const exchangeSays = rejection ?? (order.orderType === 'Market' && price === undefined ? 'No market data' : undefined);
    if (exchangeSays !== undefined) {
      const report = {
        id: this.id(),
        commandId: command?.id,
        orderId: order.id,
        ordStatus: 'Rejected',
        execType: 'Rejected',
        rejectReason: rejection !== undefined ? 'OtherExecutionRelated' : 'NoQuote',
        text: exchangeSays,
      };
      this.executionReports.push(report);
      this.emit(order.accountId, 'executionReport', [report], 'Created');
      this.setStatus([order], 'Rejected');
      return;
    }
    order.restedAfter = this.quoteSeq;
    this.setStatus([order], 'Working');
    if (price !== undefined) this.fill(order, price);
    else if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') this.cancel([order]);
  }

  /** Cancels orders (and the held legs of a cancelled entry), announcing each status change in one event. */
  cancel(orders: FakeOrder[]): void {
    const legs = orders.flatMap((o) => o.children.map((id) => this.orders.get(id)!)).filter((l) => l.ordStatus === 'Suspended');
    this.setStatus([...orders, ...legs], 'Canceled');
  }

  setStatus(orders: FakeOrder[], ordStatus: string): void {
    if (!orders.length) return;
    for (const order of orders) order.ordStatus = ordStatus;
    const byAccount = new Map<number, FakeOrder[]>();
    for (const order of orders) byAccount.set(order.accountId, [...(byAccount.get(order.accountId) ?? []), order]);
    for (const [accountId, list] of byAccount)
      this.emit(
        accountId,
        'order',
        list.map((o) => this.orderEntity(o)),
      );
  }

  crossing(order: FakeOrder, quote: { bid: number; ask: number }): number | undefined {
    const buy = order.action === 'Buy';
    switch (order.orderType) {
      case 'Market':
        return buy ? quote.ask : quote.bid;
      case 'Limit':
        return buy ? (quote.ask <= order.price! ? quote.ask : undefined) : quote.bid >= order.price! ? quote.bid : undefined;
      case 'Stop':
        return buy ? (quote.ask >= order.stopPrice! ? quote.ask : undefined) : quote.bid <= order.stopPrice! ? quote.bid : undefined;
    }
  }

  fill(order: FakeOrder, price: number): void {
    const parts = order.orderType === 'Market' && this.splitFills > 1 && order.qty % this.splitFills === 0 ? this.splitFills : 1;
    const fills: FakeFill[] = [];
    for (let i = 0; i < parts; i++) {
      fills.push({
        id: this.id(),
        orderId: order.id,
        contractId: order.contractId,
        timestamp: new Date().toISOString(),
        action: order.action,
        qty: order.qty / parts,
        price,
        active: true,
      });
    }
    this.fills.push(...fills);
    this.emit(order.accountId, 'fill', fills, 'Created');
    const key = `${order.accountId}:${order.contractId}`;
    const position = this.positions.get(key) ?? {
      id: this.id(),
      accountId: order.accountId,
      contractId: order.contractId,
      netPos: 0,
      netPrice: null,
    };
    position.netPos += order.action === 'Buy' ? order.qty : -order.qty;
    position.netPrice = position.netPos === 0 ? null : price;
    this.positions.set(key, position);
    this.emit(order.accountId, 'position', [position]);
    this.setStatus([order], 'Filled');
    this.setStatus(
      order.oco.map((id) => this.orders.get(id)!).filter((o) => o.ordStatus === 'Working' || o.ordStatus === 'Suspended'),
      'Canceled',
    );
    const children = order.children.map((id) => this.orders.get(id)!).filter((c) => c.ordStatus === 'Suspended');
    for (const child of children) child.restedAfter = this.quoteSeq;
    this.setStatus(children, 'Working');
  }

  // ---- entities as the API shows them ----

  orderEntity(o: FakeOrder) {
    return {
      id: o.id,
      accountId: o.accountId,
      contractId: o.contractId,
      timestamp: o.timestamp,
      action: o.action,
      ordStatus: o.ordStatus,
      parentId: o.parentId ?? null,
      admin: false,
    };
  }

  versionEntity(o: FakeOrder) {
    return { id: o.id, orderId: o.id, orderQty: o.qty, orderType: o.orderType, price: o.price ?? null, stopPrice: o.stopPrice ?? null };
  }

  /** Everything `user/syncrequest` answers for a user's accounts, by entity type in the plural. */
  snapshot(user: FakeUser) {
    const accountIds = new Set(user.accounts.map((a) => a.id));
    const orders = [...this.orders.values()].filter((o) => accountIds.has(o.accountId));
    const orderIds = new Set(orders.map((o) => o.id));
    const commands = this.commands.filter((c) => orderIds.has(c.orderId));
    const commandIds = new Set(commands.map((c) => c.id));
    return {
      users: [{ id: user.userId, name: user.name }],
      accounts: user.accounts.map((a) => ({ ...a, userId: user.userId, active: true })),
      orders: orders.map((o) => this.orderEntity(o)),
      orderVersions: orders.map((o) => this.versionEntity(o)),
      commands,
      commandReports: this.commandReports.filter((r) => commandIds.has((r as { commandId: number }).commandId)),
      executionReports: this.executionReports.filter((r) => orderIds.has((r as { orderId: number }).orderId)),
      fills: this.fills.filter((f) => orderIds.has(f.orderId)),
      positions: [...this.positions.values()].filter((p) => accountIds.has(p.accountId)),
      contracts: [...this.contracts].map(([name, id]) => ({ id, name })),
      cashBalances: [],
    };
  }
}
