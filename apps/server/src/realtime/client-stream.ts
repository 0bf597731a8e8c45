import type { Channel, ServerMessage } from '@tradeloop/contracts';

/** The part of a WebSocket a stream needs; `ws` sockets have it. */
export interface Outlet {
  readonly bufferedAmount: number;
  send(data: string): void;
}

export interface StreamLimits {
  /** Unsent bytes above which the client counts as backed up. */
  backpressureBytes: number;
  /** Unconflatable messages allowed to wait before the client is given up on. */
  maxQueuedMessages: number;
}

/**
 * What may be replaced by a newer message of the same key while a client is backed up: only the
 * latest quote per ticker, P&L per strategy or account, position, order state, strategy and feed
 * status matter. Fills, trades and log lines each count, so they wait in line.
 */
export function conflationKey(message: ServerMessage): string | null {
  switch (message.type) {
    case 'DATA':
      return `DATA|${message.data.ticker}`;
    case 'PNL':
      return `PNL|${message.data.scope}|${message.data.id}`;
    case 'POSITION':
      return `POSITION|${message.data.accountId}|${message.data.strategyId}|${message.data.ticker}`;
    case 'ORDER':
      return `ORDER|${message.data.id}`;
    case 'STRATEGY':
      return `STRATEGY|${message.data.id}`;
    case 'FEED':
      return `FEED|${message.data.name}`;
    case 'BROKER':
      return `BROKER|${message.data.name}|${message.data.account ?? ''}`;
    case 'ACCOUNT_RULES':
      return `ACCOUNT_RULES|${message.data.accountId}`;
    case 'FILL':
    case 'TRADE':
    case 'LOG':
    case 'ERROR':
    case 'SUBSCRIBED':
      return null;
  }
}

const tickerOf = (message: ServerMessage): string | undefined =>
  'ticker' in message.data && typeof message.data.ticker === 'string' ? message.data.ticker : undefined;

/**
 * One client's view of the stream: its subscription, and what waits for it while its socket is
 * backed up. Sending never blocks and memory stays bounded: conflatable messages keep one slot per
 * key; if the rest pile up past the limit the client is dropped rather than the server slowed.
 */
export class ClientStream {
  /** null: every channel. */
  channels: ReadonlySet<Channel> | null = null;
  /** null: every ticker. */
  tickers: ReadonlySet<string> | null = null;
  /** Waiting messages in arrival order; a conflated key keeps its first slot and its latest text. */
  private readonly waiting = new Map<string, string>();
  private queued = 0;
  private sequence = 0;

  constructor(
    private readonly outlet: Outlet,
    private readonly limits: StreamLimits,
    private readonly onOverflow: () => void,
  ) {}

  wants(message: ServerMessage): boolean {
    if (message.type === 'ERROR' || message.type === 'SUBSCRIBED') return true;
    if (this.channels && !this.channels.has(message.type)) return false;
    if (this.tickers) {
      const ticker = tickerOf(message);
      if (ticker !== undefined && !this.tickers.has(ticker)) return false;
    }
    return true;
  }

  /** Sends now, or keeps for later when the socket is backed up. `text` is the message serialized once for every client. */
  offer(message: ServerMessage, text: string): void {
    if (!this.wants(message)) return;
    if (this.waiting.size === 0 && this.outlet.bufferedAmount <= this.limits.backpressureBytes) {
      this.outlet.send(text);
      return;
    }
    const key = conflationKey(message);
    if (key === null) {
      this.waiting.set(`#${++this.sequence}`, text);
      if (++this.queued > this.limits.maxQueuedMessages) this.onOverflow();
    } else {
      this.waiting.set(key, text);
    }
  }

  /** Sends what waits, as far as the socket takes it. True when nothing is left. */
  drain(): boolean {
    for (const [key, text] of this.waiting) {
      if (this.outlet.bufferedAmount > this.limits.backpressureBytes) return false;
      this.waiting.delete(key);
      if (key.startsWith('#')) this.queued--;
      this.outlet.send(text);
    }
    return true;
  }

  get backlog(): number {
    return this.waiting.size;
  }
}
