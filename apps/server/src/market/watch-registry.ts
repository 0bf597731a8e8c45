/** Where the watch registry's tickers get quoted: by this process's feeds, or by asking the process that runs them. */
export interface WatchRoute {
  /** Whether this process runs the feeds. */
  leading(): boolean;
  /** Has this process's feeds quote the ticker (when leading). */
  quote(ticker: string): Promise<void>;
  /** No one watches the ticker any more, after the grace period. */
  unquote(ticker: string): Promise<void>;
  /** A follower tells the leader which tickers it starts (or stops) watching. */
  askLeader(tickers: string[], watching: boolean): void;
}

/** Owner of the tickers asked for through `subscribe()`: kept for as long as the server runs. */
const SYSTEM = 'system';
/** Owner of the watchlist's tickers. */
const WATCHLIST = 'watchlist';

/**
 * Who keeps which tickers quoted: owners (a strategy, open positions, working orders, a `/ws`
 * client, another process) watch tickers, and a ticker is let go a grace period after its last
 * owner releases it.
 */
export class WatchRegistry {
  private readonly watchers = new Map<string, Set<string>>();
  /** Owners that are `/ws` clients, with how many tickers each keeps: their quotes are theirs alone. */
  private readonly clientOwners = new Map<string, number>();
  private readonly releaseTimers = new Map<string, NodeJS.Timeout>();
  private watchlistTickers: string[] = [];
  /** On the leader: other processes' watched tickers, and when each was last heard. */
  private readonly remote = new Map<string, number>();

  constructor(
    private readonly route: WatchRoute,
    /** How long a ticker nobody watches stays quoted (ms). */
    private readonly unsubscribeAfterMs: () => number,
  ) {}

  /**
   * Keeps tickers quoted on behalf of `owner` until it releases them. `client`: the owner is a `/ws`
   * client; a ticker only clients keep is of no general interest (see ofGeneralInterest).
   */
  async watch(owner: string, tickers: string[], options: { client?: boolean } = {}): Promise<void> {
    const fresh: string[] = [];
    for (const ticker of tickers) {
      let owners = this.watchers.get(ticker);
      if (!owners) {
        this.watchers.set(ticker, (owners = new Set()));
        if (!this.releaseTimers.has(ticker)) fresh.push(ticker);
      }
      if (options.client && !owners.has(owner)) this.clientOwners.set(owner, (this.clientOwners.get(owner) ?? 0) + 1);
      owners.add(owner);
      const pending = this.releaseTimers.get(ticker);
      if (pending) {
        clearTimeout(pending);
        this.releaseTimers.delete(ticker);
      }
      if (this.route.leading()) await this.route.quote(ticker);
    }
    // A follower asks the process running the feeds, once per ticker it starts watching.
    if (!this.route.leading()) this.route.askLeader(fresh, true);
  }

  /** Lets go of tickers (all of the owner's when none are named). The last owner out starts the grace period. */
  release(owner: string, tickers?: string[]): void {
    const names = tickers ?? [...this.watchers.entries()].filter(([, owners]) => owners.has(owner)).map(([ticker]) => ticker);
    for (const ticker of names) {
      const owners = this.watchers.get(ticker);
      if (!owners?.delete(owner)) continue;
      const held = this.clientOwners.get(owner);
      if (held !== undefined) {
        if (held > 1) this.clientOwners.set(owner, held - 1);
        else this.clientOwners.delete(owner);
      }
      if (owners.size > 0) continue;
      this.watchers.delete(ticker);
      if (this.releaseTimers.has(ticker)) continue;
      const timer = setTimeout(() => {
        this.releaseTimers.delete(ticker);
        if (!this.watchers.has(ticker)) void this.route.unquote(ticker);
      }, this.unsubscribeAfterMs());
      timer.unref();
      this.releaseTimers.set(ticker, timer);
    }
  }

  /** Quotes these tickers for as long as the server runs. */
  async subscribe(tickers: string[]): Promise<void> {
    await this.watch(SYSTEM, tickers);
  }

  /** Tickers always quoted (the watchlist and every enabled strategy's default ticker); replaces the previous ones. */
  async setWatchlist(tickers: string[]): Promise<void> {
    const next = [...new Set(tickers)];
    const removed = this.watchlistTickers.filter((t) => !next.includes(t));
    this.watchlistTickers = next;
    if (removed.length) this.release(WATCHLIST, removed);
    await this.watch(WATCHLIST, next);
  }

  /** The tickers always quoted, as last set. */
  watchlist(): readonly string[] {
    return this.watchlistTickers;
  }

  isWatched(ticker: string): boolean {
    return this.watchers.has(ticker);
  }

  /** Every watched ticker. */
  tickers(): string[] {
    return [...this.watchers.keys()];
  }

  /**
   * Whether a ticker's quotes are for every client: something other than `/ws` clients keeps it
   * quoted (the watchlist, a strategy, a position, an order). One that only clients keep — or
   * nothing at all — is for the clients that asked for it.
   */
  ofGeneralInterest(ticker: string): boolean {
    const owners = this.watchers.get(ticker);
    if (!owners) return false;
    for (const owner of owners) if (!this.clientOwners.has(owner)) return true;
    return false;
  }

  /** On the leader: another process starts or stops watching tickers. */
  async remoteWatch(process: string, tickers: string[], watching: boolean): Promise<void> {
    const owner = `remote:${process}`;
    if (watching) {
      this.remote.set(process, Date.now());
      await this.watch(owner, tickers);
    } else {
      this.release(owner, tickers);
    }
  }

  /** A process not heard from since `cutoff` (stopped, crashed) no longer keeps tickers quoted. */
  expireRemote(cutoff: number): void {
    for (const [process, heard] of this.remote) {
      if (heard >= cutoff) continue;
      this.remote.delete(process);
      this.release(`remote:${process}`);
    }
  }

  /** This process no longer leads: other processes' watches are theirs to repeat to the new leader. */
  forgetRemote(): void {
    this.remote.clear();
  }

  close(): void {
    for (const timer of this.releaseTimers.values()) clearTimeout(timer);
    this.releaseTimers.clear();
  }
}
