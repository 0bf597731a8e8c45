import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeBook, OPEN, type FakeAccount, type FakeAsset, type FakeOrder } from './fake-book.js';

export type { FakeAccount, FakeAsset } from './fake-book.js';

export const DEFAULT_ACCOUNT: FakeAccount = {
  keyId: 'PKTEST1234',
  secretKey: 'fake-secret-key-9f8e7d',
  accountNumber: 'PA3TEST0001',
  cash: 100_000,
};

export const asset = (symbol: string, fields: Partial<FakeAsset> = {}): FakeAsset => ({
  symbol,
  tradable: true,
  fractionable: true,
  min_order_size: '0.000000001',
  min_trade_increment: '0.000000001',
  price_increment: '0.01',
  ...fields,
});

export interface FakeRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  keyId: string | undefined;
}

const TIFS = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
const TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const decimals = (text: string) => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);
const onGrid = (value: string, step: string) => {
  const scale = 10 ** Math.max(decimals(value), decimals(step));
  return Math.round(Number(value) * scale) % Math.round(Number(step) * scale) === 0;
};

/**
 * A fake of Alpaca's trading REST API (`/v2/...`), its trade-updates stream (`/stream`) and its
 * market-data stream (`/v2/iex`), on one local port, in the documented shapes: decimal strings,
 * errors as `{code, message}` with 401/403/404/422, binary frames on the trading stream.
 */
export class FakeAlpaca {
  readonly requests: FakeRequest[] = [];
  readonly book: FakeBook;
  private readonly tradeSockets = new Map<WebSocket, string>();
  private readonly dataSockets = new Map<WebSocket, { authed: boolean; quotes: Set<string> }>();
  private refusals: { status: number; code: number; message: string }[] = [];
  /** Orders placed while set are answered `accepted` and then rejected on the stream. */
  rejectOnStream = false;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly accounts: FakeAccount[],
    readonly assets: Map<string, FakeAsset>,
  ) {
    this.book = new FakeBook(accounts, (account, update) => this.emit(account, update));
  }

  static async start(options: { accounts?: FakeAccount[]; assets?: FakeAsset[] } = {}): Promise<FakeAlpaca> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const assets = new Map((options.assets ?? [asset('AAPL')]).map((a) => [a.symbol, a]));
    const fake = new FakeAlpaca(server, wss, structuredClone(options.accounts ?? [DEFAULT_ACCOUNT]), assets);
    server.on('request', (req, res) => void fake.handle(req, res));
    wss.on('connection', (ws, req) => fake.connection(ws, req.url ?? ''));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  private get base() {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get restUrl() {
    return `http://${this.base}`;
  }
  get streamUrl() {
    return `ws://${this.base}/stream`;
  }
  /** The market-data base; the feed name follows (`/iex`). */
  get dataUrl() {
    return `ws://${this.base}/v2`;
  }

  calls(method: string, path: string): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(path));
  }

  quote(symbol: string, bid: number, ask: number): void {
    this.book.quote(symbol, bid, ask);
    const message = JSON.stringify([
      { T: 'q', S: symbol, bx: 'V', bp: bid, bs: 1, ax: 'V', ap: ask, as: 1, c: ['R'], z: 'C', t: new Date().toISOString() },
    ]);
    for (const [ws, state] of this.dataSockets) if (state.authed && state.quotes.has(symbol)) ws.send(message);
  }

  /** The next order placement is refused with this HTTP status and Alpaca error. */
  refuseNext(status: number, code: number, message: string): void {
    this.refusals.push({ status, code, message });
  }

  /** A fill of an order placed in Alpaca's own app (no Tradeloop client id). */
  tradeElsewhere(accountNumber: string, symbol: string, side: 'buy' | 'sell', qty: number, price: number): void {
    const order = this.book.newOrder(accountNumber, {
      client_order_id: `app-${Date.now()}`,
      symbol,
      qty: String(qty),
      order_type: 'market',
      type: 'market',
      side,
      time_in_force: 'day',
      limit_price: null,
      stop_price: null,
      extended_hours: false,
    });
    order.status = 'new';
    this.book.fill(order, qty, price);
  }

  /** Closes every trade-updates connection (the plugin must come back and catch up). */
  dropTradeStreams(): void {
    for (const ws of this.tradeSockets.keys()) ws.terminate();
  }

  /** Closes every market-data connection. */
  dropDataStreams(): void {
    for (const ws of this.dataSockets.keys()) ws.terminate();
  }

  /** Symbols some market-data connection is subscribed to. */
  dataSubscriptions(): string[] {
    return [...this.dataSockets.values()].flatMap((s) => [...s.quotes]);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private emit(account: string, update: Record<string, unknown>): void {
    // Alpaca's paper trading stream sends its JSON in binary frames.
    const frame = Buffer.from(JSON.stringify({ stream: 'trade_updates', data: update }));
    for (const [ws, owner] of this.tradeSockets) if (owner === account) ws.send(frame, { binary: true });
  }

  private connection(ws: WebSocket, url: string): void {
    if (url === '/stream') {
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { action?: string; key?: string; secret?: string; data?: { streams?: string[] } };
        if (m.action === 'auth') {
          const account = this.accounts.find((a) => a.keyId === m.key && a.secretKey === m.secret);
          const answer = { stream: 'authorization', data: { status: account ? 'authorized' : 'unauthorized', action: 'authenticate' } };
          ws.send(Buffer.from(JSON.stringify(answer)), { binary: true });
          if (account) (this.tradeSockets.set(ws, ''), ws.once('close', () => this.tradeSockets.delete(ws)));
          if (account) (ws as WebSocket & { account?: string }).account = account.accountNumber;
          else ws.close();
        } else if (m.action === 'listen') {
          const account = (ws as WebSocket & { account?: string }).account;
          if (!account) return void ws.close();
          const streams = (m.data?.streams ?? []).filter((s) => s === 'trade_updates');
          if (streams.length) this.tradeSockets.set(ws, account);
          ws.send(Buffer.from(JSON.stringify({ stream: 'listening', data: { streams } })), { binary: true });
        }
      });
    } else if (url === '/v2/iex' || url === '/v2/sip') {
      const state = { authed: false, quotes: new Set<string>() };
      this.dataSockets.set(ws, state);
      ws.once('close', () => this.dataSockets.delete(ws));
      ws.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { action?: string; key?: string; secret?: string; quotes?: string[] };
        if (m.action === 'auth') {
          state.authed = this.accounts.some((a) => a.keyId === m.key && a.secretKey === m.secret);
          ws.send(JSON.stringify([state.authed ? { T: 'success', msg: 'authenticated' } : { T: 'error', code: 402, msg: 'auth failed' }]));
        } else if (!state.authed) ws.send(JSON.stringify([{ T: 'error', code: 401, msg: 'not authenticated' }]));
        else if (m.action === 'subscribe' || m.action === 'unsubscribe') {
          for (const s of m.quotes ?? []) m.action === 'subscribe' ? state.quotes.add(s) : state.quotes.delete(s);
          ws.send(JSON.stringify([{ T: 'subscription', trades: [], quotes: [...state.quotes], bars: [] }]));
        }
      });
    } else ws.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const keyId = req.headers['apca-api-key-id'] as string | undefined;
    this.requests.push({ method: req.method ?? '', path: `${path}${url.search}`, body, keyId });
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, payload === undefined ? {} : { 'content-type': 'application/json' });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const error = (status: number, code: number, message: string) => send(status, { code, message });
    const account = this.accounts.find((a) => a.keyId === keyId && a.secretKey === req.headers['apca-api-secret-key']);
    if (!account) return error(401, 40110000, 'request is not authorized');
    const mine = (o: FakeOrder) => o.account === account.accountNumber;
    const method = req.method;
    if (method === 'GET' && path === '/v2/account') {
      const positions = this.book.positionsOf(account.accountNumber);
      const equity = account.cash + positions.reduce((sum, p) => sum + Number(p.market_value), 0);
      return send(200, {
        id: `id-${account.accountNumber}`,
        account_number: account.accountNumber,
        status: 'ACTIVE',
        currency: 'USD',
        cash: String(account.cash),
        equity: String(Math.round(equity * 100) / 100),
        buying_power: String(Math.max(0, account.cash)),
        last_equity: String(account.cash),
      });
    }
    if (method === 'GET' && path === '/v2/positions') return send(200, this.book.positionsOf(account.accountNumber));
    if (method === 'GET' && path.startsWith('/v2/assets/')) {
      const found = this.assets.get(path.slice('/v2/assets/'.length));
      return found
        ? send(200, { id: `asset-${found.symbol}`, class: 'us_equity', exchange: 'NASDAQ', status: 'active', ...found })
        : error(404, 40410000, 'asset not found');
    }
    if (method === 'GET' && path === '/v2/orders') {
      const open = url.searchParams.get('status') === 'open';
      return send(
        200,
        this.book.orders.filter((o) => mine(o) && (!open || OPEN.has(o.status))).map((o) => this.book.view(o)),
      );
    }
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const found = this.book.orders.find((o) => mine(o) && o.client_order_id === url.searchParams.get('client_order_id'));
      return found ? send(200, this.book.view(found)) : error(404, 40410000, 'order not found');
    }
    if (method === 'GET' && path === '/v2/account/activities/FILL') {
      const after = Date.parse(url.searchParams.get('after') ?? '1970-01-01T00:00:00Z');
      const fills = this.book.fills.filter((f) => f.account === account.accountNumber && Date.parse(f.transaction_time) > after);
      return send(
        200,
        fills.map(({ account: _a, ...f }) => f),
      );
    }
    if (method === 'POST' && path === '/v2/orders') return this.place(account, body ?? {}, send, error);
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    const order = byId ? this.book.orders.find((o) => mine(o) && o.id === byId[1]) : undefined;
    if (byId && !order) return error(404, 40410000, 'order not found');
    if (method === 'GET' && order) return send(200, this.book.view(order));
    if (method === 'DELETE' && order) {
      if (!OPEN.has(order.status)) return error(422, 42210000, `order is not cancelable (status ${order.status})`);
      setImmediate(() => this.book.end(order, 'canceled'));
      return send(204);
    }
    return error(404, 40400000, `not found: ${method} ${path}`);
  }

  private place(
    account: FakeAccount,
    b: Record<string, unknown>,
    send: (s: number, p?: unknown) => void,
    error: (s: number, c: number, m: string) => void,
  ): void {
    const refusal = this.refusals.shift();
    if (refusal) return error(refusal.status, refusal.code, refusal.message);
    const symbol = String(b.symbol ?? '');
    const found = this.assets.get(symbol);
    if (!found) return error(422, 40010001, `asset "${symbol}" not found`);
    const qty = String(b.qty ?? '');
    if (!(Number(qty) > 0)) return error(422, 40010001, 'qty must be > 0');
    const type = String(b.type ?? '');
    const tif = String(b.time_in_force ?? '');
    if (!TYPES.has(type)) return error(422, 40010001, `invalid order type ${type}`);
    if (!TIFS.has(tif)) return error(422, 40010001, `invalid time_in_force ${tif}`);
    if (!Number.isInteger(Number(qty))) {
      if (!found.fractionable) return error(422, 40010001, `requested asset ${symbol} is not fractionable`);
      if (type !== 'market' || tif !== 'day') return error(422, 40010001, 'fractional orders must be market orders with time_in_force=day');
    }
    if ((type === 'limit' || type === 'stop_limit') && b.limit_price === undefined) return error(422, 40010001, 'limit_price is required');
    if ((type === 'stop' || type === 'stop_limit') && b.stop_price === undefined) return error(422, 40010001, 'stop_price is required');
    for (const field of ['limit_price', 'stop_price'] as const) {
      const price = b[field];
      if (price !== undefined && !onGrid(String(price), found.price_increment)) {
        return error(422, 40010001, `invalid ${field} ${String(price)}. sub-penny increment does not fulfill minimum pricing criteria`);
      }
    }
    if (b.extended_hours === true && (type !== 'limit' || tif !== 'day'))
      return error(422, 40010001, 'extended hours order must be DAY limit orders');
    const clientId = String(b.client_order_id ?? `auto-${Date.now()}-${Math.random()}`);
    if (clientId.length > 128) return error(422, 40010001, 'client_order_id must be no more than 128 characters');
    if (this.book.orders.some((o) => o.account === account.accountNumber && o.client_order_id === clientId)) {
      return error(422, 40010001, 'client_order_id must be unique');
    }
    const quote = this.book.quotes.get(symbol);
    const price = Number(b.limit_price ?? b.stop_price ?? (quote ? quote.ask : 0));
    if (b.side === 'buy' && Number(qty) * price > account.cash) return error(403, 40310000, 'insufficient buying power');
    const order = this.book.newOrder(account.accountNumber, {
      client_order_id: clientId,
      symbol,
      qty,
      order_type: type,
      type,
      side: b.side === 'sell' ? 'sell' : 'buy',
      time_in_force: tif,
      limit_price: b.limit_price === undefined ? null : String(b.limit_price),
      stop_price: b.stop_price === undefined ? null : String(b.stop_price),
      extended_hours: b.extended_hours === true,
    });
    if (this.rejectOnStream) setImmediate(() => this.book.end(order, 'rejected'));
    send(200, this.book.view(order));
  }
}
