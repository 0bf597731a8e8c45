import type { ServerMessage } from '@tradeloop/contracts';
import WebSocket from 'ws';
import { authHeaders } from './app.js';

export interface WsClient {
  socket: WebSocket;
  /** Every message received so far, parsed. */
  messages: ServerMessage[];
  send(message: unknown): void;
  /** The first message so far (or yet to come) of `type` matching `match`, waiting up to `timeoutMs`. */
  next<T extends ServerMessage['type']>(
    type: T,
    match?: (message: Extract<ServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: T }>>;
  close(): Promise<void>;
}

/**
 * A real WebSocket client on a test server's `/ws`, signed in like `http()` unless `token` says
 * otherwise (null: anonymous). Rejects with the HTTP status when the upgrade is refused.
 */
export function connectWs(base: string, options: { token?: string | null; headers?: Record<string, string> } = {}): Promise<WsClient> {
  const url = base.replace(/^http/, 'ws') + '/ws' + (options.token ? `?token=${encodeURIComponent(options.token)}` : '');
  const headers = options.token === undefined ? { ...authHeaders(base), ...options.headers } : { ...options.headers };
  const socket = new WebSocket(url, { headers });
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  /** What each wait does once the socket closes: its timer cleared and the wait refused. */
  const onClose = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as ServerMessage);
    waiters.forEach((wake) => wake());
  });
  // A wait that lost a race (answer or error, whichever came first) would otherwise keep its timer,
  // and the test process, alive for up to its timeout after the last suite.
  socket.on('close', () => onClose.forEach((end) => end()));
  const client: WsClient = {
    socket,
    messages,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (type, match = () => true, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const done = () => {
          waiters.delete(check);
          onClose.delete(closed);
          clearTimeout(timer);
        };
        const check = () => {
          for (; seen < messages.length; seen++) {
            const message = messages[seen];
            if (message.type === type && match(message as never)) {
              done();
              resolve(message as never);
              return;
            }
          }
        };
        const closed = () => {
          done();
          reject(new Error(`the socket closed before a ${type} message`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${type} message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        onClose.add(closed);
        check();
        // Already closed (and nothing held matched): no close is coming to end this wait.
        if (waiters.has(check) && socket.readyState === WebSocket.CLOSED) closed();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        // No close handshake: a test may have paused this socket, and it would never complete.
        socket.terminate();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (request, response) => {
      // With a listener here ws leaves the refused request and its socket open (kept alive until
      // the server's timeout, which held the test process open after its last suite): end it.
      request.destroy();
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }));
    });
    socket.once('error', reject);
  });
}
