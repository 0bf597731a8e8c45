import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** SignalR's record separator: every JSON hub-protocol message ends with it. */
const RS = '\u001e';
/** Hub-protocol message types (JSON): invocation, completion, ping, close. */
const INVOCATION = 1;
const COMPLETION = 3;
const PING = 6;
const CLOSE = 7;

export interface HubClient {
  hub: 'user' | 'market';
  socket: WebSocket;
  token: string;
  handshaken: boolean;
  /** What it subscribed to: `SubscribeOrders:123`, `SubscribeContractQuotes:CON.F.US.ENQ.Z26`. */
  subscriptions: Set<string>;
}

/**
 * The server side of ASP.NET Core SignalR's JSON hub protocol over WebSockets, as far as ProjectX's
 * hubs use it: the `{"protocol":"json","version":1}` handshake answered with `{}`, invocations
 * (answered with a completion), server-to-client invocations for events, pings both ways, and a
 * close message. Connections come without negotiation (`skipNegotiation`), the token in
 * `access_token` or as a bearer header.
 */
export class FakeHubs {
  readonly clients = new Set<HubClient>();
  /** Every invocation received, in order. */
  readonly invocations: { hub: string; target: string; args: unknown[] }[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly authorize: (token: string) => boolean,
    private readonly onInvoke: (client: HubClient, target: string, args: unknown[]) => string | null,
    keepAliveMs: number,
  ) {
    this.pinger = setInterval(() => {
      for (const c of this.clients) if (c.handshaken) this.write(c, { type: PING });
    }, keepAliveMs);
    this.pinger.unref();
  }

  /** Handles an HTTP upgrade to `/hubs/user` or `/hubs/market`; false when it is not one. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://fake');
    const hub = url.pathname === '/hubs/user' ? 'user' : url.pathname === '/hubs/market' ? 'market' : null;
    if (!hub) return false;
    const header = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = [header, url.searchParams.get('access_token')].find((t): t is string => !!t && this.authorize(t));
    if (!token) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const client: HubClient = { hub, socket: ws, token, handshaken: false, subscriptions: new Set() };
      this.clients.add(client);
      ws.on('close', () => this.clients.delete(client));
      ws.on('message', (data) => this.receive(client, String(data)));
    });
    return true;
  }

  private receive(client: HubClient, text: string): void {
    for (const raw of text.split(RS)) {
      if (raw === '') continue;
      let message: { protocol?: string; version?: number; type?: number; invocationId?: string; target?: string; arguments?: unknown[] };
      try {
        message = JSON.parse(raw) as typeof message;
      } catch {
        client.socket.close(1002, 'not JSON');
        return;
      }
      if (!client.handshaken) {
        if (message.protocol !== 'json' || message.version !== 1) {
          client.socket.send(
            JSON.stringify({ error: `protocol ${String(message.protocol)} v${String(message.version)} is not supported` }) + RS,
          );
          client.socket.close();
          return;
        }
        client.handshaken = true;
        client.socket.send('{}' + RS);
        continue;
      }
      if (message.type === INVOCATION && typeof message.target === 'string') {
        const args = Array.isArray(message.arguments) ? message.arguments : [];
        this.invocations.push({ hub: client.hub, target: message.target, args });
        const error = this.onInvoke(client, message.target, args);
        if (message.invocationId !== undefined)
          this.write(
            client,
            error
              ? { type: COMPLETION, invocationId: message.invocationId, error }
              : { type: COMPLETION, invocationId: message.invocationId, result: null },
          );
      } else if (message.type === CLOSE) client.socket.close();
    }
  }

  private write(client: HubClient, message: unknown): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(message) + RS);
  }

  /** Sends an event to every client of the hub subscribed to `subscription`. */
  emit(hub: 'user' | 'market', subscription: string, target: string, args: unknown[]): void {
    for (const c of this.clients)
      if (c.hub === hub && c.handshaken && c.subscriptions.has(subscription)) this.write(c, { type: INVOCATION, target, arguments: args });
  }

  /** Drops every connection without a close message (a network failure): clients reconnect by themselves. */
  drop(hub?: 'user' | 'market'): void {
    for (const c of [...this.clients]) if (!hub || c.hub === hub) c.socket.terminate();
  }

  connected(hub: 'user' | 'market'): number {
    return [...this.clients].filter((c) => c.hub === hub && c.handshaken).length;
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const c of this.clients) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
