import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import type { ServerMessage, ServerMessageMap, ServerMessageType } from '@tradeloop/contracts';
import { Subject, type Observable, filter, map } from 'rxjs';
import { SessionService } from '../auth/session.service';

/** Close code the server uses when the session behind a socket ends. */
const SESSION_ENDED = 4401;
const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/**
 * The admin's one WebSocket to `/ws` (signed in by the session cookie). It reconnects with
 * backoff; `connected` drives the banner, and `reconnected$` tells pages to reload what they
 * may have missed while it was down.
 */
@Injectable({ providedIn: 'root' })
export class LiveService {
  private readonly session = inject(SessionService);
  private socket?: WebSocket;
  private retryMs = MIN_RETRY_MS;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private everConnected = false;
  private wanted = false;
  private readonly incoming = new Subject<ServerMessage>();
  private readonly reconnected = new Subject<void>();
  /** The tickers a page keeps quoted (null: none). */
  private watched: readonly string[] | null = null;

  /** Null until the first attempt; then whether the socket is open. */
  readonly connected = signal<boolean | null>(null);
  readonly messages$: Observable<ServerMessage> = this.incoming.asObservable();
  readonly reconnected$: Observable<void> = this.reconnected.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  /** Messages of one type. */
  on<K extends ServerMessageType>(type: K): Observable<ServerMessageMap[K]> {
    return this.incoming.pipe(
      filter((m): m is Extract<ServerMessage, { type: K }> => m.type === type),
      map((m) => m.data as ServerMessageMap[K]),
    );
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.connect();
  }

  /**
   * Keeps these tickers quoted by their feeds while a page shows them, and has the server send
   * their latest quotes at once (`WATCH`). The socket still gets everything: the other pages share
   * it. `null` lets go, and the feeds may stop quoting what nobody else watches. Sent again after a
   * reconnect. The answer is a `SUBSCRIBED` whose `watching` names the tickers as the server spells
   * them (`nq` → `NQ1!`), in the order given.
   */
  watch(tickers: readonly string[] | null): void {
    const next = tickers && tickers.length ? [...tickers] : null;
    if (JSON.stringify(next) === JSON.stringify(this.watched)) return;
    this.watched = next;
    this.sendWatch();
  }

  stop(): void {
    this.wanted = false;
    this.watched = null;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = undefined;
    this.connected.set(null);
    this.everConnected = false;
  }

  private sendWatch(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify({ type: 'WATCH', tickers: this.watched ?? [] }));
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = MIN_RETRY_MS;
      this.connected.set(true);
      if (this.watched) this.sendWatch();
      if (this.everConnected) this.reconnected.next();
      this.everConnected = true;
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      try {
        this.incoming.next(JSON.parse(event.data) as ServerMessage);
      } catch {
        // The server only sends JSON; anything else is not ours to act on.
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.connected.set(false);
      if (event.code === SESSION_ENDED) {
        this.stop();
        this.session.signedOut();
        return;
      }
      if (!this.wanted) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    };
  }
}
