import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake Tradovate for tests, on a free local port: the REST endpoints the plugin uses and both
 * WebSockets, speaking the documented formats (`o`, `h`, `a[...]`, `c` frames, `authorize`,
 * `<endpoint>\n<id>\n<query>\n<body>` requests, `{s, i, d}` answers, `props` and `md` events). It
 * matches orders against the quotes a test sets, like an exchange would, and can be told to
 * misbehave: expire tokens, drop sockets, refuse or reject orders, answer 429 or a penalty ticket.
 * Nothing here reaches the internet.
 */

export interface FakeUser {
  userId: number;
  name: string;
  password: string;
  sec: string;
  accounts: { id: number; name: string }[];
  /** Answer the login with this errorText instead of a token. */
  refuseLogin?: string;
}

export interface FakeOptions {
  users?: FakeUser[];
  /** How often the server sends `h`. */
  heartbeatMs?: number;
  tokenLifetimeMs?: number;
}

interface FakeOrder {
  id: number;
  accountId: number;
  contractId: number;
  symbol: string;
  action: 'Buy' | 'Sell';
  qty: number;
  orderType: 'Market' | 'Limit' | 'Stop';
  price?: number;
  stopPrice?: number;
  ordStatus: string;
  clOrdId?: string;
  parentId?: number;
  /** Bracket legs: activated when this order fills. */
  children: number[];
  /** OCO partners: cancelled when this order fills. */
  oco: number[];
  restedAfter: number;
}

interface Connection {
  socket: WebSocket;
  kind: 'user' | 'md';
  authorized: boolean;
  userId?: number;
  quoteSymbols: Set<string>;
  heartbeat: NodeJS.Timeout;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  token: string | null;
  at: number;
}

export const DEFAULT_USER: FakeUser = {
  userId: 7001,
  name: 'trader1',
  password: 'pa55-w0rd-secret',
  sec: 'api-secret-0123456789',
  accounts: [{ id: 501, name: 'DEMO501' }],
};

export class FakeTradovate {
  readonly requests: RecordedRequest[] = [];
  /** Every WebSocket request the fake received: `{kind, endpoint, body}`. */
  readonly wsRequests: { kind: 'user' | 'md'; endpoint: string; body: unknown }[] = [];
  readonly orders = new Map<number, FakeOrder>();
  readonly fills: {
    id: number;
    orderId: number;
    contractId: number;
    timestamp: string;
    action: 'Buy' | 'Sell';
    qty: number;
    price: number;
    active: boolean;
  }[] = [];
  readonly connections = new Set<Connection>();
  /** The tokens each kind of socket authorized with. */
  readonly authorizations: { kind: 'user' | 'md'; token: string }[] = [];
  /** Set true to answer placeOSO with `oso2Id: null`, as one client library reports Tradovate doing. */
  osoNullLinks = false;

  private readonly users: FakeUser[];
  private readonly tokens = new Map<string, { userId: number; expiresAt: number }>();
  private readonly quotes = new Map<string, { bid: number; ask: number }>();
  private readonly contracts = new Map<string, number>();
  private readonly positions = new Map<
    string,
    { id: number; accountId: number; contractId: number; netPos: number; netPrice: number | null }
  >();
  private readonly commands: { id: number; orderId: number; clOrdId: string | null; commandType: string }[] = [];
  private readonly scripted = new Map<string, { status: number; body?: unknown; headers?: Record<string, string> }[]>();
  private readonly penalties = new Map<string, { ticket: string; seconds: number; captcha: boolean; issuedAt: number }>();
  private rejectNext: string[] = [];
  private refuseNext: { failureReason: string; failureText: string }[] = [];
  private nextId = 1000;
  private quoteSeq = 0;
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor(
    private readonly server: Server,
    private readonly options: Required<Omit<FakeOptions, 'users'>>,
    users: FakeUser[],
  ) {
    this.users = users;
  }

  static async start(options: FakeOptions = {}): Promise<FakeTradovate> {
    const server = createServer();
    const fake = new FakeTradovate(
      server,
      { heartbeatMs: options.heartbeatMs ?? 2500, tokenLifetimeMs: options.tokenLifetimeMs ?? 80 * 60_000 },
      options.users ?? [structuredClone(DEFAULT_USER)],
    );
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const kind = path === '/v1/websocket' ? 'user' : path === '/md/v1/websocket' ? 'md' : undefined;
      if (!kind) return socket.destroy();
      fake.wss.handleUpgrade(req, socket, head, (ws) => fake.accept(ws, kind));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  private get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/websocket`;
  }
  get mdUrl(): string {
    return `ws://127.0.0.1:${this.port}/md/v1/websocket`;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      clearInterval(connection.heartbeat);
      connection.socket.terminate();
    }
    this.connections.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- what a test does ----

  /** Requests to a path (case-insensitive, without `/v1/`). */
  calls(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path.toLowerCase());
  }

  contractId(symbol: string): number {
    let id = this.contracts.get(symbol);
    if (id === undefined) this.contracts.set(symbol, (id = 3_000_000 + this.contracts.size + 1));
    return id;
  }

  /** Sets the top of book of a contract; resting orders it crosses fill, market-data subscribers get it. */
  quote(symbol: string, bid: number, ask: number): void {
    const seq = ++this.quoteSeq;
    this.quotes.set(symbol, { bid, ask });
    for (const order of [...this.orders.values()]) {
      if (order.symbol !== symbol || order.ordStatus !== 'Working' || order.restedAfter >= seq) continue;
      const price = this.crossing(order, { bid, ask });
      if (price !== undefined) this.fill(order, price);
    }
    const contractId = this.contractId(symbol);
    const event = {
      e: 'md',
      d: {
        quotes: [
          {
            timestamp: new Date().toISOString(),
            contractId,
            entries: { Bid: { price: bid, size: 10 }, Offer: { price: ask, size: 12 }, Trade: { price: bid, size: 1 } },
          },
        ],
      },
    };
    for (const c of this.connections) if (c.kind === 'md' && c.authorized && c.quoteSymbols.has(symbol)) send(c.socket, [event]);
  }

  /** Every token issued so far stops working (REST answers 401, authorize is refused). */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  /** Cuts WebSocket connections without a goodbye, as a network drop would. */
  dropSockets(kind: 'user' | 'md' | 'all' = 'all'): void {
    for (const c of [...this.connections]) {
      if (kind !== 'all' && c.kind !== kind) continue;
      clearInterval(c.heartbeat);
      c.socket.terminate();
      this.connections.delete(c);
    }
  }

  /** The next request(s) to `path` get this answer instead (e.g. `{ status: 429 }`). */
  answerNext(path: string, answer: { status: number; body?: unknown; headers?: Record<string, string> }, times = 1): void {
    const list = this.scripted.get(path.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) list.push(answer);
    this.scripted.set(path.toLowerCase(), list);
  }

  /** The next request to `path` gets a penalty ticket; only the same request with that ticket, after `seconds`, goes through. */
  penalize(path: string, seconds: number, captcha = false): void {
    this.penalties.set(path.toLowerCase(), { ticket: `ticket-${++this.nextId}`, seconds, captcha, issuedAt: 0 });
  }

  /** The next order is accepted (it gets an id) and then rejected by the exchange with this text. */
  rejectNextOrder(text: string): void {
    this.rejectNext.push(text);
  }

  /** The next placeorder is refused outright with `failureReason` / `failureText`. */
  refuseNextOrder(failureReason: string, failureText: string): void {
    this.refuseNext.push({ failureReason, failureText });
  }

  /** An order made in Tradovate's own app (the phone): a market order that fills at once. */
  tradeElsewhere(accountId: number, symbol: string, action: 'Buy' | 'Sell', qty: number, price: number): number {
    const order = this.createOrder({ accountId, symbol, action, qty, orderType: 'Market' });
    this.fill(order, price);
    return order.id;
  }

  // ---- WebSockets ----

  private accept(socket: WebSocket, kind: 'user' | 'md'): void {
    const connection: Connection = {
      socket,
      kind,
      authorized: false,
      quoteSymbols: new Set(),
      heartbeat: setInterval(() => socket.readyState === socket.OPEN && socket.send('h'), this.options.heartbeatMs),
    };
    this.connections.add(connection);
    socket.on('close', () => {
      clearInterval(connection.heartbeat);
      this.connections.delete(connection);
    });
    socket.on('message', (data) => this.onFrame(connection, data.toString()));
    socket.send('o');
  }

  private onFrame(c: Connection, frame: string): void {
    if (frame === '[]') return; // the client's heartbeat
    const [endpoint = '', id = '', , ...rest] = frame.split('\n');
    const requestId = Number(id);
    const raw = rest.join('\n');
    if (endpoint === 'authorize') {
      this.authorizations.push({ kind: c.kind, token: raw });
      const token = this.tokens.get(raw);
      if (token && token.expiresAt > Date.now()) {
        c.authorized = true;
        c.userId = token.userId;
        send(c.socket, [{ s: 200, i: requestId }]);
      } else send(c.socket, [{ s: 401, i: requestId, d: 'Access is denied' }]);
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(c.socket, [{ s: 400, i: requestId, d: 'Bad request body' }]);
      return;
    }
    this.wsRequests.push({ kind: c.kind, endpoint, body });
    if (!c.authorized) {
      send(c.socket, [{ s: 401, i: requestId, d: 'Not authorized' }]);
      return;
    }
    switch (endpoint.toLowerCase()) {
      case 'user/syncrequest': {
        const users = body.users as number[] | undefined;
        if (!Array.isArray(users) || !users.includes(c.userId!)) {
          send(c.socket, [{ s: 400, i: requestId, d: 'users must name the authorized user' }]);
          return;
        }
        send(c.socket, [{ s: 200, i: requestId, d: this.snapshot(c.userId!) }]);
        return;
      }
      case 'md/subscribequote': {
        const symbol = String(body.symbol ?? '');
        c.quoteSymbols.add(symbol);
        send(c.socket, [{ s: 200, i: requestId, d: { mode: 'subscribed' } }]);
        const quote = this.quotes.get(symbol);
        if (quote) this.quote(symbol, quote.bid, quote.ask);
        return;
      }
      case 'md/unsubscribequote':
        c.quoteSymbols.delete(String(body.symbol ?? ''));
        send(c.socket, [{ s: 200, i: requestId, d: {} }]);
        return;
      default:
        send(c.socket, [{ s: 404, i: requestId, d: `"Not found: ${endpoint}"` }]);
    }
  }

  private userOf(accountId: number): FakeUser | undefined {
    return this.users.find((u) => u.accounts.some((a) => a.id === accountId));
  }

  private snapshot(userId: number) {
    const user = this.users.find((u) => u.userId === userId)!;
    const accountIds = new Set(user.accounts.map((a) => a.id));
    const orders = [...this.orders.values()].filter((o) => accountIds.has(o.accountId));
    const orderIds = new Set(orders.map((o) => o.id));
    return {
      users: [{ id: user.userId, name: user.name }],
      accounts: user.accounts.map((a) => ({ ...a, userId, active: true })),
      orders: orders.map((o) => this.orderEntity(o)),
      orderVersions: orders.map((o) => this.versionEntity(o)),
      commands: this.commands.filter((c) => orderIds.has(c.orderId)),
      fills: this.fills.filter((f) => orderIds.has(f.orderId)),
      positions: [...this.positions.values()].filter((p) => accountIds.has(p.accountId)),
      contracts: [...this.contracts].map(([name, id]) => ({ id, name })),
      cashBalances: [],
      executionReports: [],
    };
  }

  private props(accountId: number, entityType: string, eventType: string, entity: unknown): void {
    const user = this.userOf(accountId);
    for (const c of this.connections) {
      if (c.kind === 'user' && c.authorized && c.userId === user?.userId)
        send(c.socket, [{ e: 'props', d: { entityType, eventType, entity } }]);
    }
  }

  // ---- the exchange ----

  private orderEntity(o: FakeOrder) {
    return {
      id: o.id,
      accountId: o.accountId,
      contractId: o.contractId,
      timestamp: new Date().toISOString(),
      action: o.action,
      ordStatus: o.ordStatus,
      parentId: o.parentId ?? null,
      admin: false,
    };
  }

  private versionEntity(o: FakeOrder) {
    return { id: o.id, orderId: o.id, orderQty: o.qty, orderType: o.orderType, price: o.price ?? null, stopPrice: o.stopPrice ?? null };
  }

  private setStatus(order: FakeOrder, ordStatus: string): void {
    order.ordStatus = ordStatus;
    this.props(order.accountId, 'order', 'Updated', this.orderEntity(order));
  }

  private createOrder(fields: {
    accountId: number;
    symbol: string;
    action: 'Buy' | 'Sell';
    qty: number;
    orderType: 'Market' | 'Limit' | 'Stop';
    price?: number;
    stopPrice?: number;
    clOrdId?: string;
    parentId?: number;
    ordStatus?: string;
  }): FakeOrder {
    const order: FakeOrder = {
      id: ++this.nextId,
      contractId: this.contractId(fields.symbol),
      children: [],
      oco: [],
      restedAfter: this.quoteSeq,
      ...fields,
      ordStatus: fields.ordStatus ?? 'PendingNew',
    };
    this.orders.set(order.id, order);
    const command = { id: ++this.nextId, orderId: order.id, clOrdId: fields.clOrdId ?? null, commandType: 'New' };
    this.commands.push(command);
    this.props(order.accountId, 'command', 'Created', command);
    this.props(order.accountId, 'order', 'Created', this.orderEntity(order));
    this.props(order.accountId, 'orderVersion', 'Created', this.versionEntity(order));
    return order;
  }

  /** Decides a new order's fate at once: rejected, filled, or working. */
  private activate(order: FakeOrder): void {
    const rejection = this.rejectNext.shift();
    if (rejection !== undefined) {
      const report = {
        id: ++this.nextId,
        orderId: order.id,
        ordStatus: 'Rejected',
        execType: 'Rejected',
        rejectReason: 'ExchangeRejected',
        text: rejection,
      };
      this.props(order.accountId, 'executionReport', 'Created', report);
      this.setStatus(order, 'Rejected');
      return;
    }
    const quote = this.quotes.get(order.symbol);
    const price = quote ? this.crossing(order, quote) : undefined;
    if (order.orderType === 'Market' && price === undefined) {
      const report = {
        id: ++this.nextId,
        orderId: order.id,
        ordStatus: 'Rejected',
        execType: 'Rejected',
        rejectReason: 'NoMarket',
        text: 'No market data',
      };
      this.props(order.accountId, 'executionReport', 'Created', report);
      this.setStatus(order, 'Rejected');
      return;
    }
    order.restedAfter = this.quoteSeq;
    this.setStatus(order, 'Working');
    if (price !== undefined) this.fill(order, price);
  }

  private crossing(order: FakeOrder, quote: { bid: number; ask: number }): number | undefined {
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

  private fill(order: FakeOrder, price: number): void {
    const fill = {
      id: ++this.nextId,
      orderId: order.id,
      contractId: order.contractId,
      timestamp: new Date().toISOString(),
      action: order.action,
      qty: order.qty,
      price,
      active: true,
    };
    this.fills.push(fill);
    this.props(order.accountId, 'fill', 'Created', fill);
    const key = `${order.accountId}:${order.contractId}`;
    const position = this.positions.get(key) ?? {
      id: ++this.nextId,
      accountId: order.accountId,
      contractId: order.contractId,
      netPos: 0,
      netPrice: null,
    };
    position.netPos += order.action === 'Buy' ? order.qty : -order.qty;
    position.netPrice = position.netPos === 0 ? null : price;
    this.positions.set(key, position);
    this.props(order.accountId, 'position', 'Updated', position);
    this.setStatus(order, 'Filled');
    for (const id of order.oco) {
      const other = this.orders.get(id);
      if (other && (other.ordStatus === 'Working' || other.ordStatus === 'Suspended')) this.setStatus(other, 'Canceled');
    }
    for (const id of order.children) {
      const child = this.orders.get(id);
      if (child?.ordStatus === 'Suspended') {
        child.restedAfter = this.quoteSeq;
        this.setStatus(child, 'Working');
      }
    }
  }

  // ---- REST ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1\//, '').toLowerCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    let body: Record<string, unknown> | null = null;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      return reply(res, 400, 'Bad JSON');
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? null;
    this.requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), body, token, at: Date.now() });

    const scripted = this.scripted.get(path)?.shift();
    if (scripted) return reply(res, scripted.status, scripted.body, scripted.headers);

    const penalty = this.penalties.get(path);
    if (penalty) {
      const early = Date.now() - penalty.issuedAt < penalty.seconds * 1000;
      if (body?.['p-ticket'] !== penalty.ticket || early || penalty.captcha) {
        penalty.issuedAt = Date.now();
        return reply(res, 200, {
          'p-ticket': penalty.ticket,
          'p-time': penalty.seconds,
          ...(penalty.captcha ? { 'p-captcha': true } : {}),
        });
      }
      this.penalties.delete(path);
    }

    if (path === 'auth/accesstokenrequest') return reply(res, 200, this.login(body ?? {}));
    const session = token ? this.tokens.get(token) : undefined;
    if (!session || session.expiresAt <= Date.now()) return reply(res, 401, '');
    const user = this.users.find((u) => u.userId === session.userId)!;
    const owns = (accountId: unknown) => user.accounts.some((a) => a.id === accountId);

    switch (path) {
      case 'auth/renewaccesstoken':
        return reply(res, 200, this.issue(user));
      case 'account/list':
        return reply(
          res,
          200,
          user.accounts.map((a) => ({ ...a, userId: user.userId, active: true })),
        );
      case 'contract/find': {
        const name = url.searchParams.get('name') ?? '';
        return reply(res, 200, /^[A-Z0-9]{2,4}[FGHJKMNQUVXZ]\d$/.test(name) ? { id: this.contractId(name), name } : null);
      }
      case 'contract/item': {
        const id = Number(url.searchParams.get('id'));
        const name = [...this.contracts].find(([, cid]) => cid === id)?.[0];
        return reply(res, 200, name ? { id, name } : null);
      }
      case 'position/list':
        return reply(
          res,
          200,
          [...this.positions.values()].filter((p) => owns(p.accountId)),
        );
      case 'cashbalance/getcashbalancesnapshot':
        if (!owns(body?.accountId)) return reply(res, 200, { errorText: 'Access is denied' });
        return reply(res, 200, { totalCashValue: 50_000, netLiq: 50_125, openPnL: 125, realizedPnL: 0, weekRealizedPnL: 0 });
      case 'order/placeorder':
      case 'order/placeoso': {
        if (!body || !owns(body.accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Access is denied' });
        const refusal = this.refuseNext.shift();
        if (refusal) return reply(res, 200, refusal);
        const order = this.createOrder({
          accountId: body.accountId as number,
          symbol: String(body.symbol),
          action: body.action as 'Buy' | 'Sell',
          qty: Number(body.orderQty),
          orderType: body.orderType as 'Market' | 'Limit' | 'Stop',
          price: body.price as number | undefined,
          stopPrice: body.stopPrice as number | undefined,
          clOrdId: body.clOrdId as string | undefined,
        });
        const legs: FakeOrder[] = [];
        for (const key of ['bracket1', 'bracket2']) {
          const bracket = body[key] as Record<string, unknown> | undefined;
          if (!bracket || path !== 'order/placeoso') continue;
          legs.push(
            this.createOrder({
              accountId: order.accountId,
              symbol: order.symbol,
              action: bracket.action as 'Buy' | 'Sell',
              qty: order.qty,
              orderType: bracket.orderType as 'Limit' | 'Stop',
              price: bracket.price as number | undefined,
              stopPrice: bracket.stopPrice as number | undefined,
              parentId: order.id,
              ordStatus: 'Suspended',
            }),
          );
        }
        order.children = legs.map((l) => l.id);
        for (const leg of legs) leg.oco = legs.filter((l) => l !== leg).map((l) => l.id);
        this.activate(order);
        if (path === 'order/placeorder') return reply(res, 200, { orderId: order.id });
        return reply(res, 200, {
          orderId: order.id,
          oso1Id: legs[0]?.id ?? null,
          oso2Id: this.osoNullLinks ? null : (legs[1]?.id ?? null),
        });
      }
      case 'order/cancelorder': {
        const order = this.orders.get(Number(body?.orderId));
        if (!order || !owns(order.accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Order not found' });
        if (order.ordStatus !== 'Working' && order.ordStatus !== 'Suspended') {
          return reply(res, 200, { failureReason: 'TooLate', failureText: `Order is ${order.ordStatus}` });
        }
        this.setStatus(order, 'Canceled');
        return reply(res, 200, { commandId: ++this.nextId });
      }
      case 'order/liquidateposition': {
        const accountId = Number(body?.accountId);
        const contractId = Number(body?.contractId);
        if (!owns(accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Access is denied' });
        for (const order of this.orders.values()) {
          if (order.accountId === accountId && order.contractId === contractId && order.ordStatus === 'Working')
            this.setStatus(order, 'Canceled');
        }
        const position = this.positions.get(`${accountId}:${contractId}`);
        if (!position?.netPos) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'No position' });
        const symbol = [...this.contracts].find(([, id]) => id === contractId)![0];
        const order = this.createOrder({
          accountId,
          symbol,
          action: position.netPos > 0 ? 'Sell' : 'Buy',
          qty: Math.abs(position.netPos),
          orderType: 'Market',
        });
        this.activate(order);
        return reply(res, 200, { orderId: order.id });
      }
      default:
        return reply(res, 404, `"Not found: ${path}"`);
    }
  }

  private login(body: Record<string, unknown>) {
    const user = this.users.find((u) => u.name === body.name);
    if (!user || user.password !== body.password || user.sec !== body.sec || typeof body.cid !== 'number') {
      return { errorText: 'Incorrect username or password. Please try again, noting that passwords are case-sensitive.' };
    }
    if (user.refuseLogin) return { errorText: user.refuseLogin };
    return this.issue(user);
  }

  private issue(user: FakeUser) {
    const n = ++this.nextId;
    const expiresAt = Date.now() + this.options.tokenLifetimeMs;
    const accessToken = `access-${n}`;
    const mdAccessToken = `md-${n}`;
    this.tokens.set(accessToken, { userId: user.userId, expiresAt });
    this.tokens.set(mdAccessToken, { userId: user.userId, expiresAt });
    return {
      accessToken,
      mdAccessToken,
      expirationTime: new Date(expiresAt).toISOString(),
      userStatus: 'Active',
      userId: user.userId,
      name: user.name,
      hasLive: false,
    };
  }
}

function send(socket: WebSocket, items: unknown[]): void {
  if (socket.readyState === socket.OPEN) socket.send(`a${JSON.stringify(items)}`);
}

function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined || body === '' ? '' : JSON.stringify(body));
}
