import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORDER_TYPE, SIDE, STATUS, type PxAccount, type PxContract } from '../wire.js';
import { FakeExchange, fakeContracts, type FakeOrder } from './fake-exchange.js';
import { FakeHubs, type HubClient } from './fake-hub.js';
import { route } from './fake-routes.js';
import type { FakeUser } from './fake-user.js';

export type { FakeUser } from './fake-user.js';

export const DEFAULT_USER: FakeUser = {
  userName: 'trader@example.com',
  apiKey: 'px-key-5d2c9a71e8f04b36',
  accounts: [
    { id: 101, name: 'PRAC-V2-101', balance: 50_000, canTrade: true, isVisible: true },
    { id: 102, name: 'contract-account', balance: 50_000, canTrade: true, isVisible: true },
  ],
};

export interface FakeOptions {
  users?: FakeUser[];
  /** How long a token lives (ProjectX: 24 h). */
  tokenLifetimeMs?: number;
  /** Hub pings (SignalR's keep-alive). */
  keepAliveMs?: number;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A local ProjectX gateway for tests: the REST API (`/api/...`, JSON POSTs answered with
 * success/errorCode/errorMessage, 401 without a valid bearer token, 429 when told), and the user and
 * market hubs over SignalR's JSON protocol. Orders match against quotes set with `quote()`.
 * `url` serves as both the API and the real-time base.
 */
export class FakeProjectX {
  readonly exchange: FakeExchange;
  readonly hubs: FakeHubs;
  readonly contracts: PxContract[] = fakeContracts();
  /** Every REST request, in order (the token is left out). */
  readonly requests: { path: string; body: Record<string, unknown> }[] = [];
  readonly users: FakeUser[];
  tokenLifetimeMs: number;
  private readonly tokens = new Map<string, { user: FakeUser; expiresAt: number }>();
  private tokenSeq = 0;
  private rateLimited: { count: number; retryAfter: string | null } = { count: 0, retryAfter: null };
  private refusals: { path: string; errorCode: number; errorMessage: string }[] = [];
  /** Sends no answer to the next Order/place (after placing it): a lost answer. */
  swallowNextPlace = false;

  private constructor(
    private readonly server: Server,
    options: FakeOptions,
  ) {
    this.users = options.users ?? [structuredClone(DEFAULT_USER)];
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? 24 * 3_600_000;
    this.hubs = new FakeHubs(
      (token) => this.userOf(token) !== undefined,
      (client, target, args) => this.invoke(client, target, args),
      options.keepAliveMs ?? 1000,
    );
    this.exchange = new FakeExchange({
      order: (o) => this.hubs.emit('user', `SubscribeOrders:${o.accountId}`, 'GatewayUserOrder', [{ ...o, extreme: undefined }]),
      trade: (t) => this.hubs.emit('user', `SubscribeTrades:${t.accountId}`, 'GatewayUserTrade', [t]),
      position: (p) => this.hubs.emit('user', `SubscribePositions:${p.accountId}`, 'GatewayUserPosition', [p]),
    });
  }

  static async start(options: FakeOptions = {}): Promise<FakeProjectX> {
    const server = createServer();
    const fake = new FakeProjectX(server, options);
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (!fake.hubs.upgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  calls(path: string) {
    return this.requests.filter((r) => r.path === path);
  }

  /** The next `count` REST requests are answered 429 (with `Retry-After: retryAfter` when given). */
  rateLimit(count: number, retryAfter: string | null = '1'): void {
    this.rateLimited = { count, retryAfter };
  }

  /** The next request to `path` is answered success:false with this code and message. */
  refuseNext(path: string, errorCode: number, errorMessage: string): void {
    this.refusals.push({ path, errorCode, errorMessage });
  }

  /** Every token stops working (as after 24 h): REST answers 401, hubs refuse to connect. */
  expireTokens(): void {
    this.tokens.clear();
  }

  contract(name: string): PxContract {
    const found = this.contracts.find((c) => c.name === name);
    if (!found) throw new Error(`the fake lists no contract ${name}`);
    return found;
  }

  /** Sets the quote of a contract (by name, `NQZ6`): resting orders match, market-hub subscribers hear it. */
  quote(name: string, bid: number, ask: number): void {
    const { id, name: symbol } = this.contract(name);
    this.exchange.quote(id, bid, ask);
    this.hubs.emit('market', `SubscribeContractQuotes:${id}`, 'GatewayQuote', [
      id,
      {
        symbol,
        symbolName: symbol,
        lastPrice: ask,
        bestBid: bid,
        bestAsk: ask,
        change: 0,
        volume: 1,
        lastUpdated: new Date().toISOString(),
      },
    ]);
  }

  /** A trade made on ProjectX's own platform (not through the API with a tag). */
  tradeElsewhere(accountId: number, name: string, side: 'buy' | 'sell', size: number, price: number): void {
    const order: FakeOrder = {
      id: this.exchange.newOrderId(),
      accountId,
      contractId: this.contract(name).id,
      creationTimestamp: new Date().toISOString(),
      status: STATUS.open,
      type: ORDER_TYPE.market,
      side: SIDE[side],
      size,
      customTag: null,
    };
    this.exchange.orders.set(order.id, order);
    this.exchange.fill(order, price, size);
  }

  private userOf(token: string): FakeUser | undefined {
    const entry = this.tokens.get(token);
    return entry && entry.expiresAt > Date.now() ? entry.user : undefined;
  }

  private issue(user: FakeUser): string {
    const exp = Math.floor((Date.now() + this.tokenLifetimeMs) / 1000);
    const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: user.userName, exp, n: ++this.tokenSeq })}.fake`;
    this.tokens.set(token, { user, expiresAt: Date.now() + this.tokenLifetimeMs });
    return token;
  }

  private invoke(client: HubClient, target: string, args: unknown[]): string | null {
    const user = this.userOf(client.token);
    if (!user) return 'Unauthorized';
    const [arg] = args;
    if (client.hub === 'user') {
      if (target === 'SubscribeAccounts') client.subscriptions.add('SubscribeAccounts');
      else if (/^Subscribe(Orders|Positions|Trades)$/.test(target)) {
        if (!user.accounts.some((a) => a.id === arg)) return `account ${String(arg)} is not this user's`;
        client.subscriptions.add(`${target}:${String(arg)}`);
      } else if (/^Unsubscribe/.test(target)) client.subscriptions.delete(`${target.replace('Unsubscribe', 'Subscribe')}:${String(arg)}`);
      else return `unknown method ${target}`;
      return null;
    }
    if (/^Subscribe(ContractQuotes|ContractTrades|ContractMarketDepth)$/.test(target)) {
      if (!this.contracts.some((c) => c.id === arg)) return `unknown contract ${String(arg)}`;
      client.subscriptions.add(`${target}:${String(arg)}`);
      // The gateway answers a quote subscription with the current quote.
      const quote = this.exchange.quotes.get(String(arg));
      if (quote && target === 'SubscribeContractQuotes')
        setImmediate(() =>
          this.hubs.emit('market', `SubscribeContractQuotes:${String(arg)}`, 'GatewayQuote', [
            arg,
            { bestBid: quote.bid, bestAsk: quote.ask },
          ]),
        );
      return null;
    }
    if (/^Unsubscribe/.test(target)) {
      client.subscriptions.delete(`${target.replace('Unsubscribe', 'Subscribe')}:${String(arg)}`);
      return null;
    }
    return `unknown method ${target}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return this.send(res, 400, { success: false, errorCode: 1, errorMessage: 'body is not JSON' });
    }
    this.requests.push({ path, body });
    if (this.rateLimited.count > 0) {
      this.rateLimited.count--;
      res.writeHead(429, this.rateLimited.retryAfter ? { 'retry-after': this.rateLimited.retryAfter } : {});
      return void res.end();
    }
    const refusal = this.refusals.findIndex((r) => r.path === path);
    if (refusal >= 0) {
      const [r] = this.refusals.splice(refusal, 1);
      return this.send(res, 200, { success: false, errorCode: r!.errorCode, errorMessage: r!.errorMessage });
    }
    if (path === '/api/Auth/loginKey') {
      const user = this.users.find((u) => u.userName === body['userName'] && u.apiKey === body['apiKey']);
      if (!user) return this.send(res, 200, { token: null, success: false, errorCode: 3, errorMessage: 'Invalid credentials' });
      return this.send(res, 200, { token: this.issue(user), success: true, errorCode: 0, errorMessage: null });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = token ? this.userOf(token) : undefined;
    if (!user) return this.send(res, 401, null);
    const answer = route(this, user, path, body, token!);
    if (answer === 'swallow') return void res.destroy();
    if (!answer) return this.send(res, 404, null);
    if ('success' in answer) return this.send(res, 200, answer);
    this.send(res, 200, { success: true, errorCode: 0, errorMessage: null, ...answer });
  }

  /** For the routes: a new token for a validated session. */
  renewToken(user: FakeUser, old: string): string {
    this.tokens.delete(old);
    return this.issue(user);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (body === null) {
      res.writeHead(status);
      return void res.end();
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    await this.hubs.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
