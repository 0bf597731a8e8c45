import type { WebSocket } from 'ws';
import type { FakeExchange } from './fake-exchange.js';

export type SocketKind = 'user' | 'md';

export interface Connection {
  socket: WebSocket;
  kind: SocketKind;
  authorized: boolean;
  userId?: number;
  token?: string;
  quoteSymbols: Set<string>;
  heartbeat: NodeJS.Timeout;
}

/** The plural names `user/syncrequest` answers with, by the entity type names `entityTypes` takes. */
const PLURAL: Record<string, string> = {
  account: 'accounts',
  order: 'orders',
  orderVersion: 'orderVersions',
  command: 'commands',
  commandReport: 'commandReports',
  executionReport: 'executionReports',
  fill: 'fills',
  position: 'positions',
  contract: 'contracts',
  cashBalance: 'cashBalances',
};

/**
 * The fake's two WebSockets in Tradovate's framing (`o`, `h`, `a[...]`, `c[code,"reason"]`;
 * `authorize`; `<endpoint>\n<id>\n<query>\n<body>` requests; `{s, i, d}` answers; `props`, `md`
 * and `shutdown` events). Market data authorizes with either token, as Tradovate's own tutorial
 * does with the access token. A partner login's `user/syncrequest` without `splitResponses` loses
 * its connection at once, and one without `entityTypes` gets nothing (the documented default); with
 * both, the answer comes in several parts with the same request id. During a rate-limit window
 * every request is answered 429.
 */
export class FakeSockets {
  readonly connections = new Set<Connection>();
  /** Every WebSocket request the fake received: `{kind, endpoint, body}`. */
  readonly requests: { kind: SocketKind; endpoint: string; body: unknown; at: number }[] = [];
  /** The tokens each kind of socket authorized with. */
  readonly authorizations: { kind: SocketKind; token: string; accepted: boolean }[] = [];
  private limitedUntil = 0;

  constructor(
    private readonly exchange: FakeExchange,
    private readonly heartbeatMs: number,
  ) {}

  accept(socket: WebSocket, kind: SocketKind): void {
    const connection: Connection = {
      socket,
      kind,
      authorized: false,
      quoteSymbols: new Set(),
      heartbeat: setInterval(() => socket.readyState === socket.OPEN && socket.send('h'), this.heartbeatMs),
    };
    this.connections.add(connection);
    socket.on('close', () => {
      clearInterval(connection.heartbeat);
      this.connections.delete(connection);
    });
    socket.on('message', (data) => this.onFrame(connection, data.toString()));
    socket.send('o');
  }

  /** Every request for this long is answered 429 (the documented WebSocket form of the rate limit). */
  rateLimit(ms: number): void {
    this.limitedUntil = Date.now() + ms;
  }

  /** Announces a shutdown on the matching connections, then closes them; a connection quota also revokes their tokens. */
  shutdown(kind: SocketKind | 'all', reasonCode: string, reason?: string): void {
    for (const c of [...this.connections]) {
      if (kind !== 'all' && c.kind !== kind) continue;
      send(c.socket, [{ e: 'shutdown', d: { reasonCode, ...(reason ? { reason } : {}) } }]);
      if (reasonCode === 'ConnectionQuotaReached' && c.token) {
        const token = this.exchange.tokens.get(c.token);
        if (token) token.revoked = true;
      }
      if (c.socket.readyState === c.socket.OPEN) c.socket.send(`c[1000,"${reasonCode}"]`);
      c.socket.close(1000, reasonCode);
    }
  }

  /** Cuts connections without a goodbye, as a network drop would. */
  drop(kind: SocketKind | 'all'): void {
    for (const c of [...this.connections]) {
      if (kind !== 'all' && c.kind !== kind) continue;
      clearInterval(c.heartbeat);
      c.socket.terminate();
      this.connections.delete(c);
    }
  }

  closeAll(): void {
    for (const c of this.connections) {
      clearInterval(c.heartbeat);
      c.socket.terminate();
    }
    this.connections.clear();
  }

  /** Sends a `props` event to the user-data sockets of the account's user: one entity, or an array of several. */
  props(accountId: number, entityType: string, entities: object[], eventType = 'Updated'): void {
    const user = this.exchange.userOf(accountId);
    const entity = entities.length === 1 ? entities[0] : entities;
    for (const c of this.connections) {
      if (c.kind === 'user' && c.authorized && c.userId === user?.userId)
        send(c.socket, [{ e: 'props', d: { entityType, eventType, entity } }]);
    }
  }

  /** Sends a quote to the market-data sockets subscribed to its contract. */
  quote(symbol: string, bid: number, ask: number): void {
    const event = {
      e: 'md',
      d: {
        quotes: [
          {
            timestamp: new Date().toISOString(),
            contractId: this.exchange.contractId(symbol),
            entries: { Bid: { price: bid, size: 10 }, Offer: { price: ask, size: 12 }, Trade: { price: bid, size: 1 } },
          },
        ],
      },
    };
    for (const c of this.connections) if (c.kind === 'md' && c.authorized && c.quoteSymbols.has(symbol)) send(c.socket, [event]);
  }

  private onFrame(c: Connection, frame: string): void {
    if (frame === '[]') return; // the client's heartbeat
    const [endpoint = '', id = '', , ...rest] = frame.split('\n');
    const requestId = Number(id);
    const raw = rest.join('\n');
    if (endpoint === 'authorize') {
      const token = this.exchange.valid(raw);
      this.authorizations.push({ kind: c.kind, token: raw, accepted: !!token });
      if (token) {
        c.authorized = true;
        c.userId = token.userId;
        c.token = raw;
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
    this.requests.push({ kind: c.kind, endpoint, body, at: Date.now() });
    if (Date.now() < this.limitedUntil) {
      send(c.socket, [{ s: 429, i: requestId }]);
      return;
    }
    if (!c.authorized) {
      send(c.socket, [{ s: 401, i: requestId, d: 'Not authorized' }]);
      return;
    }
    switch (endpoint.toLowerCase()) {
      case 'user/syncrequest':
        this.sync(c, requestId, body);
        return;
      case 'md/subscribequote': {
        const symbol = String(body.symbol ?? '');
        c.quoteSymbols.add(symbol);
        send(c.socket, [{ s: 200, i: requestId, d: { mode: 'subscribed' } }]);
        const quote = this.exchange.quotes.get(symbol);
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

  private sync(c: Connection, requestId: number, body: Record<string, unknown>): void {
    const user = this.exchange.users.find((u) => u.userId === c.userId)!;
    const snapshot = this.exchange.snapshot(user) as Record<string, unknown[]>;
    if (!user.partner) {
      const users = body.users as number[] | undefined;
      if (!Array.isArray(users) || !users.includes(user.userId)) {
        send(c.socket, [{ s: 400, i: requestId, d: 'users must name the authorized user' }]);
        return;
      }
      send(c.socket, [{ s: 200, i: requestId, d: snapshot }]);
      return;
    }
    if (body.splitResponses !== true) {
      // The docs: a B2B vendor's request without it gets the connection terminated, without obvious logging.
      c.socket.terminate();
      return;
    }
    const wanted = Array.isArray(body.entityTypes) ? (body.entityTypes as string[]) : [];
    const parts = wanted.map((type) => PLURAL[type]).filter((key): key is string => !!key && (snapshot[key]?.length ?? 0) > 0);
    if (!parts.length) {
      send(c.socket, [{ s: 200, i: requestId, d: {} }]);
      return;
    }
    for (const key of parts) send(c.socket, [{ s: 200, i: requestId, d: { [key]: snapshot[key] } }]);
  }
}

export function send(socket: WebSocket, items: unknown[]): void {
  if (socket.readyState === socket.OPEN) socket.send(`a${JSON.stringify(items)}`);
}
