export interface WatchLimits {
  /** Tickers in one WATCH or SUBSCRIBE. */
  maxTickersPerWatch: number;
  /** Distinct tickers one token keeps quoted over all its connections. */
  maxTickersPerToken: number;
  /**
   * How long a ticker let go stays quoted (the market's grace period): it counts against the token
   * that let it go until then, so swapping watches cannot keep more tickers quoted than allowed.
   */
  graceMs: number;
}

interface ClientTickers {
  token: string;
  watch: Set<string>;
  subscribe: Set<string>;
}

/** What a change did to the tickers a client keeps quoted. */
export interface WatchChange {
  added: string[];
  removed: string[];
}

/**
 * The tickers each `/ws` client keeps quoted (its WATCH and the tickers of its SUBSCRIBE), with
 * the limits per message and per token checked before anything changes. Everything here is
 * synchronous, so a burst of messages from many sockets is checked one message at a time: the
 * limits hold under concurrency.
 */
export class ClientWatches {
  private readonly clients = new Map<string, ClientTickers>();
  /** Per token: how many of its clients keep each ticker. */
  private readonly tokens = new Map<string, Map<string, number>>();
  /** Per ticker: the clients keeping it. */
  private readonly byTicker = new Map<string, Set<string>>();
  /** Per token: tickers it let go, and until when they still count against it. */
  private readonly released = new Map<string, Map<string, number>>();

  constructor(
    private readonly limits: WatchLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** What is wrong with setting the client's `kind` to these tickers, or null. Nothing changes. */
  problem(clientId: string, token: string, kind: 'watch' | 'subscribe', tickers: readonly string[]): string | null {
    const { maxTickersPerWatch, maxTickersPerToken } = this.limits;
    if (tickers.length > maxTickersPerWatch) return `tickers: at most ${maxTickersPerWatch} in one message, got ${tickers.length}`;
    const next = this.union(this.clients.get(clientId), kind, tickers);
    const held = this.tokens.get(token) ?? new Map<string, number>();
    const released = this.releasedBy(token);
    // Held now, and let go lately; what this change lets go counts on while it stays quoted.
    let total = held.size + released.size;
    for (const ticker of next) if (!held.has(ticker) && !released.has(ticker)) total++;
    if (this.limits.graceMs <= 0) {
      for (const ticker of this.union(this.clients.get(clientId))) if (!next.has(ticker) && held.get(ticker) === 1) total--;
    }
    if (total > maxTickersPerToken) {
      const graceSeconds = Math.ceil(this.limits.graceMs / 1000);
      return `tickers: this token would keep ${total} tickers quoted over its connections (with those let go in the last ${graceSeconds} s, which stay quoted that long); at most ${maxTickersPerToken}`;
    }
    return null;
  }

  /** Sets the client's WATCH or SUBSCRIBE tickers (check `problem` first); returns what its union gained and lost. */
  set(clientId: string, token: string, kind: 'watch' | 'subscribe', tickers: readonly string[]): WatchChange {
    let client = this.clients.get(clientId);
    if (!client) this.clients.set(clientId, (client = { token, watch: new Set(), subscribe: new Set() }));
    const before = this.union(client);
    client[kind] = new Set(tickers);
    const after = this.union(client);
    const change: WatchChange = { added: [...after].filter((t) => !before.has(t)), removed: [...before].filter((t) => !after.has(t)) };
    this.apply(clientId, token, change);
    return change;
  }

  /** The client went away: the tickers it kept. */
  drop(clientId: string): string[] {
    const client = this.clients.get(clientId);
    if (!client) return [];
    this.clients.delete(clientId);
    const removed = [...this.union(client)];
    this.apply(clientId, client.token, { added: [], removed });
    return removed;
  }

  /** The clients keeping a ticker. */
  keeping(ticker: string): ReadonlySet<string> | undefined {
    return this.byTicker.get(ticker);
  }

  /** Distinct tickers kept by any client. */
  get tickers(): number {
    return this.byTicker.size;
  }

  /** Distinct tickers one token keeps. */
  tokenTickers(token: string): number {
    return this.tokens.get(token)?.size ?? 0;
  }

  private union(client: ClientTickers | undefined, kind?: 'watch' | 'subscribe', replaced?: readonly string[]): Set<string> {
    const watch = kind === 'watch' ? replaced! : [...(client?.watch ?? [])];
    const subscribe = kind === 'subscribe' ? replaced! : [...(client?.subscribe ?? [])];
    return new Set([...watch, ...subscribe]);
  }

  /** The token's tickers let go lately, the expired ones dropped. */
  private releasedBy(token: string): Map<string, number> {
    const released = this.released.get(token);
    if (!released) return new Map();
    const now = this.clock();
    for (const [ticker, until] of released) if (until <= now) released.delete(ticker);
    if (released.size === 0) this.released.delete(token);
    return released;
  }

  private apply(clientId: string, token: string, { added, removed }: WatchChange): void {
    let held = this.tokens.get(token);
    if (!held) this.tokens.set(token, (held = new Map()));
    const released = this.released.get(token);
    for (const ticker of added) {
      released?.delete(ticker);
      held.set(ticker, (held.get(ticker) ?? 0) + 1);
      let keepers = this.byTicker.get(ticker);
      if (!keepers) this.byTicker.set(ticker, (keepers = new Set()));
      keepers.add(clientId);
    }
    for (const ticker of removed) {
      const count = (held.get(ticker) ?? 1) - 1;
      if (count > 0) held.set(ticker, count);
      else {
        held.delete(ticker);
        if (this.limits.graceMs > 0) {
          let lately = this.released.get(token);
          if (!lately) this.released.set(token, (lately = new Map()));
          lately.set(ticker, this.clock() + this.limits.graceMs);
        }
      }
      const keepers = this.byTicker.get(ticker);
      keepers?.delete(clientId);
      if (keepers?.size === 0) this.byTicker.delete(ticker);
    }
    if (held.size === 0) this.tokens.delete(token);
  }
}
