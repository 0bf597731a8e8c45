import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventually, http } from './app.js';

/**
 * A market-data source for tests, speaking the `/ws` DATA protocol the ws-data-feed plugin reads
 * (the protocol another Tradeloop or a broker bridge speaks): it takes SUBSCRIBE and sends
 * `{"type":"DATA","data":{"ticker","prices":{"ask","bid"}}}`. A test sets each ticker's price; the
 * server under test quotes it as a real feed.
 */
export interface QuoteSource {
  url: string;
  /** Quotes a ticker now (bid and ask; ask defaults to one cent above the bid) and on every new subscription. */
  quote(ticker: string, bid: number, ask?: number): void;
  close(): Promise<void>;
}

export async function startQuoteSource(): Promise<QuoteSource> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, path: '/ws' });
  const prices = new Map<string, { bid: number; ask: number }>();
  const wanted = new Map<WebSocket, Set<string>>();
  const send = (socket: WebSocket, ticker: string) => {
    const price = prices.get(ticker);
    if (price && socket.readyState === socket.OPEN)
      socket.send(JSON.stringify({ type: 'DATA', data: { ticker, prices: { ask: price.ask, bid: price.bid } } }));
  };
  wss.on('connection', (socket) => {
    wanted.set(socket, new Set());
    socket.on('message', (raw) => {
      let message: { type?: string; tickers?: string[] };
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (message.type !== 'SUBSCRIBE') return;
      const tickers = new Set(message.tickers ?? []);
      wanted.set(socket, tickers);
      for (const ticker of tickers) send(socket, ticker);
    });
    socket.on('close', () => wanted.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    quote(ticker, bid, ask) {
      prices.set(ticker, { bid, ask: ask ?? Number((bid + 0.01).toFixed(10)) });
      for (const [socket, tickers] of wanted) if (tickers.has(ticker)) send(socket, ticker);
    },
    close: async () => {
      if (!server.listening) return;
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The ws-data-feed plugin's settings that make it quote `tickers` from this source. */
export const quoteSourceSettings = (source: QuoteSource, tickers: string[]) => ({ url: source.url, tickers, reconnectMinMs: 50 });

/** Waits until the server's quote cache shows the ticker at this bid. */
export async function quoted(base: string, ticker: string, bid: number): Promise<void> {
  await eventually(
    async () => ((await http(base, 'GET', '/api/market/quotes')).body as any[]).some((q) => q.ticker === ticker && q.bid === bid),
    10000,
    `${ticker} quoted at ${bid}`,
  );
}
