import WebSocket from 'ws';

export interface SocketHandlers {
  /** The connection is open: send the first message (auth). */
  open(send: (message: unknown) => void): void;
  /** One parsed JSON message (Alpaca sends JSON in text frames, the trading stream in binary ones too). */
  message(message: unknown, send: (message: unknown) => void): void;
  /** The connection is gone; a new one follows after the backoff unless stopped. */
  closed(reason: string): void;
}

/**
 * One WebSocket that comes back: reconnects with exponential backoff and jitter until stopped.
 * The handshake (auth, listen, subscribe) is the handlers' business and is redone on every connection.
 */
export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private stopped = false;
  reconnects = 0;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
    private readonly backoff: { minMs: number; maxMs: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Marks the current connection healthy (authenticated): the next loss starts from the shortest wait. */
  healthy(): void {
    this.attempts = 0;
  }

  send(message: unknown): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Drops the connection (it reconnects): used after an answer that means this one is no good. */
  drop(): void {
    this.ws?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url, { maxPayload: 4 * 1024 * 1024, handshakeTimeout: 10_000 });
    this.ws = ws;
    const send = (message: unknown) => void (ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message)));
    ws.on('open', () => this.handlers.open(send));
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return; // not JSON: nothing Alpaca documents
      }
      this.handlers.message(parsed, send);
    });
    ws.on('error', () => undefined); // a close follows
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.closed(reason.length ? reason.toString().slice(0, 200) : `connection closed (${code})`);
      if (this.stopped) return;
      const wait = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** Math.min(this.attempts++, 16));
      this.reconnects++;
      this.timer = setTimeout(() => this.connect(), wait * (0.8 + Math.random() * 0.4));
    });
  }
}
