import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DEFAULT_USER, FakeExchange, type FakeUser } from './fake-exchange.js';
import { FakeRest, type RecordedRequest, type ScriptedAnswer } from './fake-rest.js';
import { FakeSockets, type SocketKind } from './fake-sockets.js';

export { DEFAULT_USER, type FakeUser } from './fake-exchange.js';
export type { RecordedRequest } from './fake-rest.js';

export interface FakeOptions {
  users?: FakeUser[];
  /** How often the server sends `h`. */
  heartbeatMs?: number;
  tokenLifetimeMs?: number;
  /** `live`: orders need a token from an approved device, else HTTP 401. */
  environment?: 'demo' | 'live';
}

/**
 * A fake Tradovate for tests, on a free local port: the REST endpoints the plugin uses and both
 * WebSockets, speaking the documented formats, and strict where the documentation is: renewals
 * without an mdAccessToken, commands that do not carry the clOrdId (unless `echoClOrdId`),
 * `failureReason: "Success"` on success, entity arrays in `props` events, risk rejections in
 * command reports, `PendingNew`/`Suspended` orders, shutdown events, device refusals on live
 * accounts, penalty tickets, 423 and 429 (REST and WebSocket). It matches orders against the
 * quotes a test sets, like an exchange would. Nothing here reaches the internet.
 */
export class FakeTradovate {
  readonly exchange: FakeExchange;
  readonly rest: FakeRest;
  readonly sockets: FakeSockets;
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor(
    private readonly server: Server,
    options: FakeOptions,
  ) {
    this.exchange = new FakeExchange(options.users ?? [structuredClone(DEFAULT_USER)], options.tokenLifetimeMs ?? 80 * 60_000, (...args) =>
      this.sockets.props(...args),
    );
    this.rest = new FakeRest(this.exchange, options.environment ?? 'demo');
    this.sockets = new FakeSockets(this.exchange, options.heartbeatMs ?? 2500);
  }

  static async start(options: FakeOptions = {}): Promise<FakeTradovate> {
    const server = createServer();
    const fake = new FakeTradovate(server, options);
    server.on('request', (req, res) => void fake.rest.handle(req, res));
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const kind = path === '/v1/websocket' ? 'user' : path === '/md/v1/websocket' ? 'md' : undefined;
      if (!kind) return socket.destroy();
      fake.wss.handleUpgrade(req, socket, head, (ws) => fake.sockets.accept(ws, kind));
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
    this.sockets.closeAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- what a test reads ----

  get requests(): RecordedRequest[] {
    return this.rest.requests;
  }
  get wsRequests() {
    return this.sockets.requests;
  }
  get authorizations() {
    return this.sockets.authorizations;
  }
  get connections() {
    return this.sockets.connections;
  }
  get orders() {
    return this.exchange.orders;
  }
  get fills() {
    return this.exchange.fills;
  }

  /** Requests to a path (case-insensitive, without `/v1/`). */
  calls(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path.toLowerCase());
  }

  contractId(symbol: string): number {
    return this.exchange.contractId(symbol);
  }

  // ---- what a test does ----

  /** Sets the top of book of a contract; resting orders it crosses fill, market-data subscribers get it. */
  quote(symbol: string, bid: number, ask: number): void {
    this.exchange.quote(symbol, bid, ask);
    this.sockets.quote(symbol, bid, ask);
  }

  /** Every token issued so far stops working (REST answers 401, authorize is refused). */
  expireTokens(): void {
    for (const token of this.exchange.tokens.values()) token.expiresAt = 0;
  }

  /** Cuts WebSocket connections without a goodbye, as a network drop would. */
  dropSockets(kind: SocketKind | 'all' = 'all'): void {
    this.sockets.drop(kind);
  }

  /** A documented `shutdown` event (`Maintenance`, `ConnectionQuotaReached`, `IPQuotaReached`), then the close. */
  shutdown(kind: SocketKind | 'all', reasonCode: string, reason?: string): void {
    this.sockets.shutdown(kind, reasonCode, reason);
  }

  /** The next request(s) to `path` get this answer instead (e.g. `{ status: 429 }`, `{ status: 423 }`). */
  answerNext(path: string, answer: ScriptedAnswer, times = 1): void {
    this.rest.answerNext(path, answer, times);
  }

  /** WebSocket requests are answered 429 for this long. */
  rateLimitSockets(ms: number): void {
    this.sockets.rateLimit(ms);
  }

  /** The next request to `path` gets a penalty ticket; only the same request with that ticket, after `seconds`, goes through. */
  penalize(path: string, seconds: number, captcha = false): void {
    this.rest.penalize(path, seconds, captcha);
  }

  /** The next order is accepted (it gets an id) and then rejected by the exchange with this text. */
  rejectNextOrder(text: string): void {
    this.exchange.rejectNextOrder(text);
  }

  /** The next order gets an id and then fails the risk check: a command report `RiskRejected` with the reason. */
  riskRejectNextOrder(rejectReason: string, text: string): void {
    this.exchange.riskRejectNextOrder(rejectReason, text);
  }

  /** The next placeorder is refused outright with `failureReason` / `failureText`. */
  refuseNextOrder(failureReason: string, failureText: string): void {
    this.rest.refuseNextOrder(failureReason, failureText);
  }

  set osoNullLinks(value: boolean) {
    this.rest.osoNullLinks = value;
  }
  set successReason(value: boolean) {
    this.rest.successReason = value;
  }
  set echoClOrdId(value: boolean) {
    this.exchange.echoClOrdId = value;
  }
  set splitFills(value: number) {
    this.exchange.splitFills = value;
  }
  set holdNew(value: boolean) {
    this.exchange.holdNew = value;
  }
  releaseHeld(): void {
    this.exchange.releaseHeld();
  }

  /** An order made in Tradovate's own app (the phone): a market order that fills at once. */
  tradeElsewhere(accountId: number, symbol: string, action: 'Buy' | 'Sell', qty: number, price: number): number {
    const order = this.exchange.createOrder({ accountId, symbol, action, qty, orderType: 'Market', isAutomated: false });
    order.ordStatus = 'Working';
    this.exchange.fill(order, price);
    return order.id;
  }
}
